<?php
/**
 * The editor script's dependencies: WordPress's own scripts, read as globals (no build step).
 *
 * @package feedhub
 */

return array(
	'dependencies' => array( 'wp-api-fetch', 'wp-block-editor', 'wp-blocks', 'wp-components', 'wp-element', 'wp-i18n', 'wp-server-side-render' ),
	'version'      => '1.0.0',
);
