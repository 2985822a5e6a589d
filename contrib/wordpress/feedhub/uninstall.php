<?php
/**
 * Removes what the plugin stored: its setting, its cached answers and their last good copies.
 *
 * @package feedhub
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

global $wpdb;
delete_option( 'feedhub_url' );
// The cached answers' names are hashes of their URLs: found by their prefix.
$feedhub_like = $wpdb->esc_like( 'feedhub_' ) . '%';
$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	$wpdb->prepare(
		"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
		$feedhub_like,
		'_transient_' . $feedhub_like,
		'_transient_timeout_' . $feedhub_like
	)
);
