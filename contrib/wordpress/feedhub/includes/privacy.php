<?php
/**
 * feedhub's privacy facts in the site's privacy policy guide (Settings → Privacy): for each
 * widget feedhub serves, the text of its /w/NAME/privacy.json.
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the suggested text to the policy guide.
 */
function feedhub_privacy_policy() {
	if ( ! function_exists( 'wp_add_privacy_policy_content' ) || '' === feedhub_base_url() ) {
		return;
	}
	$text = feedhub_privacy_text();
	if ( '' !== $text ) {
		wp_add_privacy_policy_content( __( 'feedhub', 'feedhub' ), $text );
	}
}

/**
 * The policy text: one section per widget, its sentences as feedhub wrote them.
 *
 * @return string
 */
function feedhub_privacy_text() {
	$base    = feedhub_base_url();
	$widgets = feedhub_widgets( $base );
	if ( ! is_array( $widgets ) ) {
		return '';
	}
	$html = '<p>' . esc_html__( 'This site shows posts from its social accounts and feeds through feedhub, which it runs itself.', 'feedhub' ) . '</p>';
	foreach ( array_keys( $widgets ) as $name ) {
		$facts = feedhub_fetch( $base . '/w/' . rawurlencode( $name ) . '/privacy.json', 'feedhub_parse_json' );
		if ( ! is_array( $facts ) || ! isset( $facts['text'] ) || ! is_array( $facts['text'] ) ) {
			continue;
		}
		$title = '' !== $widgets[ $name ] ? $widgets[ $name ] : $name;
		$html .= '<h3 class="feedhub-privacy-widget" data-widget="' . esc_attr( $name ) . '">' . esc_html( $title ) . '</h3>';
		foreach ( $facts['text'] as $line ) {
			if ( is_string( $line ) ) {
				$html .= '<p>' . esc_html( $line ) . '</p>';
			}
		}
	}
	return $html;
}
