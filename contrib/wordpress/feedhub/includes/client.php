<?php
/**
 * Talking to feedhub: its address, the answers it gives (kept in transients for their
 * max-age, with a last good copy for when it is down), and the checks they pass.
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

/** Seconds to wait for feedhub: a page never waits long on it. */
const FEEDHUB_TIMEOUT = 3;
/** How long an answer is kept when it names no max-age, and the bounds of a named one. */
const FEEDHUB_DEFAULT_AGE = 60;
const FEEDHUB_MAX_AGE     = DAY_IN_SECONDS;
/** How long a failed fetch is not retried: the last good copy is served meanwhile. */
const FEEDHUB_RETRY_AFTER = 30;
/** Widget and theme names, as feedhub allows them. */
const FEEDHUB_NAME_RE = '/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/';

/**
 * The feedhub address set on the settings page, without a trailing slash ('' when unset).
 *
 * @return string
 */
function feedhub_base_url() {
	$url = (string) get_option( 'feedhub_url', '' );
	return untrailingslashit( esc_url_raw( $url, array( 'http', 'https' ) ) );
}

/**
 * Whether a string is a valid widget or theme name.
 *
 * @param mixed $name The name to check.
 * @return bool
 */
function feedhub_valid_name( $name ) {
	return is_string( $name ) && 1 === preg_match( FEEDHUB_NAME_RE, $name );
}

/**
 * The seconds a Cache-Control header lets an answer be kept, within bounds.
 *
 * @param string $cache_control The header's value.
 * @return int
 */
function feedhub_max_age( $cache_control ) {
	if ( preg_match( '/(?:^|,)\s*max-age=(\d+)/i', (string) $cache_control, $m ) ) {
		return max( 1, min( (int) $m[1], FEEDHUB_MAX_AGE ) );
	}
	return FEEDHUB_DEFAULT_AGE;
}

/**
 * One answer of feedhub, as `$parse` makes it, from the transient while it is fresh, else
 * fetched; while feedhub is down (or answers an error), the last good copy.
 *
 * @param string   $url   The full URL to fetch.
 * @param callable $parse Turns a 200's body into the value kept (null: not usable).
 * @return mixed The value, or null when there never was a good answer.
 */
function feedhub_fetch( $url, $parse ) {
	$key    = 'feedhub_' . md5( $url );
	$cached = get_transient( $key );
	if ( false !== $cached ) {
		return $cached;
	}
	$response = wp_remote_get(
		$url,
		array(
			'timeout'     => FEEDHUB_TIMEOUT,
			'redirection' => 0,
			'user-agent'  => 'feedhub-wordpress/' . FEEDHUB_VERSION,
		)
	);
	$value = null;
	if ( ! is_wp_error( $response ) && 200 === wp_remote_retrieve_response_code( $response ) ) {
		$value = call_user_func( $parse, wp_remote_retrieve_body( $response ) );
	}
	if ( null !== $value ) {
		set_transient( $key, $value, feedhub_max_age( wp_remote_retrieve_header( $response, 'cache-control' ) ) );
		update_option( 'feedhub_last_' . md5( $url ), $value, false );
		return $value;
	}
	$last = get_option( 'feedhub_last_' . md5( $url ), null );
	// Asked again only after a while, so a page view never waits on a feedhub that is down.
	set_transient( $key, $last, FEEDHUB_RETRY_AFTER );
	return $last;
}

/**
 * A JSON answer's body as an array, or null.
 *
 * @param string $body The body.
 * @return array|null
 */
function feedhub_parse_json( $body ) {
	$data = json_decode( $body, true );
	return is_array( $data ) ? $data : null;
}

/**
 * The widgets feedhub lists at /w/index.json: name => title.
 *
 * @param string $base feedhub's address ('' for the one set).
 * @return array<string,string>|null Null when feedhub cannot be reached.
 */
function feedhub_widgets( $base = '' ) {
	$base = '' === $base ? feedhub_base_url() : $base;
	if ( '' === $base ) {
		return null;
	}
	$data = feedhub_fetch( $base . '/w/index.json', 'feedhub_parse_json' );
	if ( ! is_array( $data ) || ! isset( $data['widgets'] ) || ! is_array( $data['widgets'] ) ) {
		return null;
	}
	$widgets = array();
	foreach ( $data['widgets'] as $widget ) {
		if ( is_array( $widget ) && feedhub_valid_name( $widget['name'] ?? null ) ) {
			$widgets[ $widget['name'] ] = is_string( $widget['title'] ?? null ) ? $widget['title'] : '';
		}
	}
	return $widgets;
}

/**
 * A fragment's parts: its stylesheet (kept only when it can reach nothing but feedhub) and
 * its markup, passed through the allowlist, and whether it asks for feedhub's script.
 *
 * @param string $body The fragment feedhub served.
 * @return array{css:string,html:string,live:bool}|null
 */
function feedhub_parse_fragment( $body ) {
	$css = '';
	if ( preg_match( '#^\s*<style>(.*?)</style>#s', $body, $m ) ) {
		$css  = feedhub_safe_css( $m[1] );
		$body = substr( $body, strlen( $m[0] ) );
	}
	$html = wp_kses( $body, feedhub_allowed_html(), array( 'http', 'https', 'mailto' ) );
	if ( '' === trim( $html ) ) {
		return null;
	}
	return array(
		'css'  => $css,
		'html' => $html,
		// Live updates are what feedhub's script is for on a page rendered here.
		'live' => 1 === preg_match( '/<section\b[^>]*\sdata-fh-live="[1-9]/', $html ),
	);
}

/**
 * A theme's CSS, or '' when it could end its <style> element, import, escape, or load
 * anything from another origin than feedhub's.
 *
 * @param string $css The stylesheet.
 * @return string
 */
function feedhub_safe_css( $css ) {
	if ( preg_match( '/[<\\\\]|@import|expression\s*\(/i', $css ) ) {
		return '';
	}
	$base = feedhub_base_url();
	if ( preg_match_all( '/url\(\s*[\'"]?([^\'")\s]*)/i', $css, $urls ) ) {
		foreach ( $urls[1] as $url ) {
			if ( '' === $base || ! str_starts_with( $url, $base . '/' ) ) {
				return '';
			}
		}
	}
	return $css;
}

/**
 * The elements and attributes feedhub's widget markup uses, and nothing else.
 *
 * @return array
 */
function feedhub_allowed_html() {
	static $allowed = null;
	if ( null !== $allowed ) {
		return $allowed;
	}
	$common  = array_fill_keys(
		array( 'class', 'id', 'lang', 'dir', 'title', 'role', 'tabindex', 'hidden', 'aria-label', 'aria-labelledby', 'aria-hidden', 'aria-posinset', 'aria-setsize', 'aria-busy' ),
		true
	);
	$plain   = array( 'abbr', 'b', 'blockquote', 'br', 'cite', 'code', 'dd', 'del', 'details', 'div', 'dl', 'dt', 'em', 'figcaption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'ins', 'kbd', 'li', 'mark', 'p', 'pre', 'q', 's', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'u', 'ul', 'article' );
	$allowed = array_fill_keys( $plain, $common );
	$extra   = array(
		'section' => array( 'data-scheme', 'data-fh-version', 'data-fh-live', 'data-fh-dates' ),
		'a'       => array( 'href', 'target', 'rel' ),
		'img'     => array( 'src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading', 'decoding', 'referrerpolicy' ),
		'time'    => array( 'datetime' ),
		'figure'  => array( 'data-player', 'data-player-title' ),
		'ol'      => array( 'start', 'reversed' ),
		'td'      => array( 'colspan', 'rowspan' ),
		'th'      => array( 'colspan', 'rowspan', 'scope' ),
	);
	foreach ( $extra as $tag => $attributes ) {
		$allowed[ $tag ] = $common + array_fill_keys( $attributes, true );
	}
	return $allowed;
}

/**
 * Lets WordPress's safe HTTP functions (oEmbed) reach the feedhub the site chose, even on
 * this machine or its network.
 *
 * @param bool   $external Whether WordPress already counts the host as external.
 * @param string $host     The host asked for.
 * @return bool
 */
function feedhub_host_is_external( $external, $host ) {
	return $external || ( '' !== $host && wp_parse_url( feedhub_base_url(), PHP_URL_HOST ) === $host );
}

/**
 * Adds feedhub's port to the ports WordPress's safe HTTP functions may use for its host.
 *
 * @param int[]  $ports The allowed ports.
 * @param string $host  The host asked for.
 * @return int[]
 */
function feedhub_safe_ports( $ports, $host ) {
	$base = wp_parse_url( feedhub_base_url() );
	if ( isset( $base['host'], $base['port'] ) && $base['host'] === $host ) {
		$ports[] = (int) $base['port'];
	}
	return $ports;
}
