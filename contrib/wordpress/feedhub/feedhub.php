<?php
/**
 * Plugin Name:       feedhub
 * Description:       Shows widgets of your own feedhub (your social accounts and feeds) as a block, a shortcode or a sidebar widget, rendered on your server: visitors contact only your site and your feedhub.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            feedhub
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       feedhub
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

define( 'FEEDHUB_VERSION', '1.0.0' );
define( 'FEEDHUB_DIR', __DIR__ );

require_once __DIR__ . '/includes/client.php';
require_once __DIR__ . '/includes/render.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/privacy.php';
require_once __DIR__ . '/includes/class-feedhub-widget.php';

add_action( 'init', 'feedhub_register' );
add_action( 'widgets_init', 'feedhub_register_widget' );
add_action( 'rest_api_init', 'feedhub_register_rest' );
add_action( 'admin_menu', 'feedhub_settings_menu' );
add_action( 'admin_init', 'feedhub_settings_init' );
add_action( 'admin_init', 'feedhub_privacy_policy' );
add_filter( 'http_request_host_is_external', 'feedhub_host_is_external', 10, 2 );
add_filter( 'http_allowed_safe_ports', 'feedhub_safe_ports', 10, 2 );
add_filter( 'oembed_result', 'feedhub_oembed_result', 10, 2 );
