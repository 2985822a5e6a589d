<?php
/**
 * One rendering for the block, the shortcode and the sidebar widget: feedhub's fragment
 * fetched on the server, its theme's CSS enqueued once per page, feedhub's script only where
 * a widget updates itself. Also the oEmbed provider and the editor's list of widgets.
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

/** The display options a placement may set, as feedhub's query parameters. */
const FEEDHUB_SCHEMES = array( 'auto', 'light', 'dark' );

/**
 * Registers the block, the shortcode and the oEmbed provider.
 */
function feedhub_register() {
	register_block_type( FEEDHUB_DIR . '/block', array( 'render_callback' => 'feedhub_render_block' ) );
	add_shortcode( 'feedhub', 'feedhub_shortcode' );
	$base = feedhub_base_url();
	if ( '' !== $base ) {
		wp_oembed_add_provider( $base . '/w/*', $base . '/oembed' );
	}
}

/**
 * A placement's options, checked: unknown or malformed values are dropped, never passed on.
 *
 * @param array $args widget, limit, theme, scheme as the block, shortcode or widget gave them.
 * @return array{widget:string,query:array<string,string>}|null Null without a valid widget name.
 */
function feedhub_options( $args ) {
	$name = isset( $args['widget'] ) ? (string) $args['widget'] : '';
	if ( ! feedhub_valid_name( $name ) ) {
		return null;
	}
	$query = array();
	$limit = isset( $args['limit'] ) && is_scalar( $args['limit'] ) ? (string) $args['limit'] : '';
	if ( preg_match( '/^[0-9]{1,3}$/', $limit ) && (int) $limit >= 1 && (int) $limit <= 200 ) {
		$query['limit'] = (string) (int) $limit;
	}
	if ( isset( $args['theme'] ) && feedhub_valid_name( $args['theme'] ) ) {
		$query['theme'] = (string) $args['theme'];
	}
	if ( isset( $args['scheme'] ) && in_array( $args['scheme'], FEEDHUB_SCHEMES, true ) ) {
		$query['scheme'] = (string) $args['scheme'];
	}
	return array(
		'widget' => $name,
		'query'  => $query,
	);
}

/**
 * The HTML of one placed widget; a short notice for editors when it cannot be shown.
 *
 * @param array $args widget, limit, theme, scheme.
 * @return string
 */
function feedhub_render( $args ) {
	$base    = feedhub_base_url();
	$options = feedhub_options( $args );
	if ( '' === $base || null === $options ) {
		return feedhub_notice( __( 'Choose a feedhub widget (and set feedhub’s address under Settings → feedhub).', 'feedhub' ) );
	}
	$url  = add_query_arg( array_map( 'rawurlencode', $options['query'] ), $base . '/w/' . rawurlencode( $options['widget'] ) . '.html' );
	$part = feedhub_fetch( $url, 'feedhub_parse_fragment' );
	if ( ! is_array( $part ) ) {
		return feedhub_notice( __( 'This feedhub widget cannot be shown now.', 'feedhub' ) );
	}
	$style = '';
	if ( '' !== $part['css'] ) {
		if ( defined( 'REST_REQUEST' ) && REST_REQUEST ) {
			// The editor's preview is HTML alone: its styles travel with it.
			$style = '<style>' . $part['css'] . '</style>';
		} else {
			feedhub_enqueue_css( $part['css'] );
		}
	}
	if ( $part['live'] ) {
		wp_enqueue_script( 'feedhub', $base . '/w/' . rawurlencode( $options['widget'] ) . '.js', array(), null, true ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- feedhub versions its own answers.
	}
	$attributes = ' data-feedhub="' . esc_attr( $options['widget'] ) . '"';
	foreach ( $options['query'] as $key => $value ) {
		$attributes .= ' data-' . $key . '="' . esc_attr( $value ) . '"';
	}
	return $style . '<div class="feedhub-widget"' . $attributes . '>' . $part['html'] . '</div>';
}

/**
 * Adds a theme's stylesheet to the page once, however many widgets use it.
 *
 * @param string $css The stylesheet, already checked.
 */
function feedhub_enqueue_css( $css ) {
	$handle = 'feedhub-' . substr( md5( $css ), 0, 12 );
	if ( wp_style_is( $handle, 'enqueued' ) ) {
		return;
	}
	wp_register_style( $handle, false, array(), FEEDHUB_VERSION );
	wp_enqueue_style( $handle );
	wp_add_inline_style( $handle, $css );
}

/**
 * A notice only those who can edit see; nothing for visitors.
 *
 * @param string $text The notice.
 * @return string
 */
function feedhub_notice( $text ) {
	return current_user_can( 'edit_posts' ) ? '<p class="feedhub-notice">' . esc_html( $text ) . '</p>' : '';
}

/**
 * The block's server rendering.
 *
 * @param array $attributes The block's attributes.
 * @return string
 */
function feedhub_render_block( $attributes ) {
	$html = feedhub_render( $attributes );
	return '' === $html ? '' : '<div ' . get_block_wrapper_attributes() . '>' . $html . '</div>';
}

/**
 * [feedhub widget="sidebar" limit="5" theme="cards" scheme="dark"]
 *
 * @param array|string $atts The shortcode's attributes.
 * @return string
 */
function feedhub_shortcode( $atts ) {
	$atts = shortcode_atts(
		array(
			'widget' => '',
			'limit'  => '',
			'theme'  => '',
			'scheme' => '',
		),
		$atts,
		'feedhub'
	);
	return feedhub_render( $atts );
}

/**
 * The list of widgets for the block's picker: GET /wp-json/feedhub/v1/widgets.
 */
function feedhub_register_rest() {
	register_rest_route(
		'feedhub/v1',
		'/widgets',
		array(
			'methods'             => 'GET',
			'permission_callback' => function () {
				return current_user_can( 'edit_posts' );
			},
			'callback'            => function () {
				$widgets = feedhub_widgets();
				if ( null === $widgets ) {
					return new WP_Error( 'feedhub_unreachable', __( 'feedhub cannot be reached: check its address under Settings → feedhub.', 'feedhub' ), array( 'status' => 502 ) );
				}
				$list = array();
				foreach ( $widgets as $name => $title ) {
					$list[] = array(
						'name'  => $name,
						'title' => $title,
					);
				}
				return $list;
			},
		)
	);
}

/**
 * feedhub's oEmbed answer, kept to one frame of feedhub's own: should its address ever point
 * at the wrong server, nothing else gets into the post.
 *
 * @param string|false $html The oEmbed HTML.
 * @param string       $url  The URL that was embedded.
 * @return string|false
 */
function feedhub_oembed_result( $html, $url ) {
	$base = feedhub_base_url();
	if ( '' === $base || ! is_string( $html ) || ! str_starts_with( $url, $base . '/w/' ) ) {
		return $html;
	}
	$html = wp_kses(
		$html,
		array(
			'iframe' => array_fill_keys( array( 'src', 'title', 'width', 'height', 'style', 'loading' ), true ),
		),
		array( 'http', 'https' )
	);
	preg_match_all( '#<iframe\s[^>]*src="([^"]*)"[^>]*>\s*</iframe>#', $html, $frames, PREG_SET_ORDER );
	foreach ( $frames as $frame ) {
		if ( str_starts_with( html_entity_decode( $frame[1] ), $base . '/w/' ) ) {
			return $frame[0];
		}
	}
	return false;
}
