<?php
/**
 * Settings → feedhub: feedhub's address, and a test of the connection that lists its widgets.
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the settings page.
 */
function feedhub_settings_menu() {
	add_options_page( __( 'feedhub', 'feedhub' ), __( 'feedhub', 'feedhub' ), 'manage_options', 'feedhub', 'feedhub_settings_page' );
}

/**
 * Registers the one setting.
 */
function feedhub_settings_init() {
	register_setting(
		'feedhub',
		'feedhub_url',
		array(
			'type'              => 'string',
			'sanitize_callback' => 'feedhub_sanitize_url',
			'default'           => '',
		)
	);
	add_settings_section( 'feedhub_main', '', '__return_false', 'feedhub' );
	add_settings_field(
		'feedhub_url',
		__( 'feedhub address', 'feedhub' ),
		'feedhub_url_field',
		'feedhub',
		'feedhub_main',
		array( 'label_for' => 'feedhub_url' )
	);
}

/**
 * An http(s) address without a trailing slash, or '' with an error shown.
 *
 * @param mixed $value What was submitted.
 * @return string
 */
function feedhub_sanitize_url( $value ) {
	$url = untrailingslashit( esc_url_raw( trim( (string) $value ), array( 'http', 'https' ) ) );
	if ( '' !== trim( (string) $value ) && '' === $url ) {
		add_settings_error( 'feedhub_url', 'feedhub_url', __( 'feedhub’s address must start with http:// or https://.', 'feedhub' ) );
	}
	return $url;
}

/**
 * The address field.
 */
function feedhub_url_field() {
	printf(
		'<input type="url" class="regular-text code" id="feedhub_url" name="feedhub_url" value="%s" placeholder="https://widgets.example.org"><p class="description">%s</p>',
		esc_attr( feedhub_base_url() ),
		esc_html__( 'The public address of your feedhub (its server.public_url).', 'feedhub' )
	);
}

/**
 * The page: the form, and the result of a connection test when one was asked for.
 */
function feedhub_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	echo '<div class="wrap"><h1>' . esc_html__( 'feedhub', 'feedhub' ) . '</h1>';
	echo '<form action="options.php" method="post">';
	settings_fields( 'feedhub' );
	do_settings_sections( 'feedhub' );
	submit_button();
	echo '</form>';
	echo '<form method="get"><input type="hidden" name="page" value="feedhub">';
	wp_nonce_field( 'feedhub_test', 'feedhub_test' );
	submit_button( __( 'Test connection', 'feedhub' ), 'secondary', 'feedhub_run_test', false );
	echo '</form>';
	if ( isset( $_GET['feedhub_test'] ) && wp_verify_nonce( sanitize_key( wp_unslash( $_GET['feedhub_test'] ) ), 'feedhub_test' ) ) {
		feedhub_connection_report();
	}
	echo '</div>';
}

/**
 * Asks feedhub for its widgets now (not from the cache) and lists them.
 */
function feedhub_connection_report() {
	$base = feedhub_base_url();
	if ( '' !== $base ) {
		delete_transient( 'feedhub_' . md5( $base . '/w/index.json' ) );
	}
	$widgets = '' === $base ? null : feedhub_widgets( $base );
	echo '<div id="feedhub-test-result">';
	if ( null === $widgets ) {
		echo '<div class="notice notice-error inline"><p>' . esc_html__( 'feedhub could not be reached at this address.', 'feedhub' ) . '</p></div>';
	} else {
		echo '<div class="notice notice-success inline"><p>' . esc_html(
			sprintf(
				/* translators: %d: how many widgets feedhub serves */
				_n( 'Connected: feedhub serves %d widget.', 'Connected: feedhub serves %d widgets.', count( $widgets ), 'feedhub' ),
				count( $widgets )
			)
		) . '</p></div><ul class="feedhub-widgets">';
		foreach ( $widgets as $name => $title ) {
			echo '<li><code>' . esc_html( $name ) . '</code> ' . esc_html( $title ) . '</li>';
		}
		echo '</ul>';
	}
	echo '</div>';
}
