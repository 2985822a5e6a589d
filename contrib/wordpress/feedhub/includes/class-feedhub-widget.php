<?php
/**
 * The classic sidebar widget.
 *
 * @package feedhub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the sidebar widget.
 */
function feedhub_register_widget() {
	register_widget( 'Feedhub_Widget' );
}

/**
 * A feedhub widget in a sidebar: the same rendering as the block and the shortcode.
 */
class Feedhub_Widget extends WP_Widget {

	/**
	 * Names the widget.
	 */
	public function __construct() {
		parent::__construct(
			'feedhub',
			__( 'feedhub', 'feedhub' ),
			array(
				'description'           => __( 'Posts from your social accounts and feeds, rendered by your feedhub.', 'feedhub' ),
				'show_instance_in_rest' => true,
			)
		);
	}

	/**
	 * The widget on the page.
	 *
	 * @param array $args     The sidebar's wrapping markup.
	 * @param array $instance The widget's settings.
	 */
	public function widget( $args, $instance ) {
		$html = feedhub_render( $instance );
		if ( '' === $html ) {
			return;
		}
		// The sidebar's own markup, as the theme registered it.
		echo $args['before_widget'] . $html . $args['after_widget']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the theme's markup and an allowlisted fragment.
	}

	/**
	 * The widget's form on the widgets screen.
	 *
	 * @param array $instance The widget's settings.
	 * @return string
	 */
	public function form( $instance ) {
		$widgets = feedhub_widgets();
		$current = isset( $instance['widget'] ) ? (string) $instance['widget'] : '';
		echo '<p><label for="' . esc_attr( $this->get_field_id( 'widget' ) ) . '">' . esc_html__( 'Widget', 'feedhub' ) . '</label> ';
		echo '<select class="widefat" id="' . esc_attr( $this->get_field_id( 'widget' ) ) . '" name="' . esc_attr( $this->get_field_name( 'widget' ) ) . '">';
		echo '<option value="">' . esc_html__( '— choose —', 'feedhub' ) . '</option>';
		foreach ( (array) $widgets as $name => $title ) {
			echo '<option value="' . esc_attr( $name ) . '"' . selected( $current, $name, false ) . '>' . esc_html( '' !== $title ? $title : $name ) . '</option>';
		}
		echo '</select></p>';
		$fields = array(
			'limit'  => __( 'Number of posts (empty: as feedhub says)', 'feedhub' ),
			'theme'  => __( 'Theme (empty: the widget’s own)', 'feedhub' ),
			'scheme' => __( 'Color scheme: auto, light or dark (empty: the widget’s own)', 'feedhub' ),
		);
		foreach ( $fields as $key => $label ) {
			$value = isset( $instance[ $key ] ) ? (string) $instance[ $key ] : '';
			echo '<p><label for="' . esc_attr( $this->get_field_id( $key ) ) . '">' . esc_html( $label ) . '</label> ';
			echo '<input class="widefat" type="text" id="' . esc_attr( $this->get_field_id( $key ) ) . '" name="' . esc_attr( $this->get_field_name( $key ) ) . '" value="' . esc_attr( $value ) . '"></p>';
		}
		return '';
	}

	/**
	 * Keeps only valid settings.
	 *
	 * @param array $new_instance What was submitted.
	 * @param array $old_instance The settings before.
	 * @return array
	 */
	public function update( $new_instance, $old_instance ) {
		$options = feedhub_options( $new_instance );
		if ( null === $options ) {
			return array();
		}
		return array( 'widget' => $options['widget'] ) + $options['query'];
	}
}
