/* The feedhub/widget block in the editor: a widget picker and display options in the sidebar,
   and the widget itself as the server renders it (a live preview). Plain script on
   WordPress's globals: no build step. */
( function ( wp ) {
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var components = wp.components;
	var InspectorControls = wp.blockEditor.InspectorControls;
	var useBlockProps = wp.blockEditor.useBlockProps;
	var ServerSideRender = wp.serverSideRender;
	var SCHEMES = [
		{ label: __( 'As the widget says', 'feedhub' ), value: '' },
		{ label: __( 'Automatic (follows the visitor)', 'feedhub' ), value: 'auto' },
		{ label: __( 'Light', 'feedhub' ), value: 'light' },
		{ label: __( 'Dark', 'feedhub' ), value: 'dark' }
	];
	var THEMES = [ '', 'sidebar', 'list', 'cards', 'ticker' ];

	// The widgets feedhub serves, asked once per editor session.
	var widgetList = null;
	function loadWidgets() {
		if ( ! widgetList ) {
			widgetList = wp.apiFetch( { path: '/feedhub/v1/widgets' } );
		}
		return widgetList;
	}

	function Picker( props ) {
		var state = wp.element.useState( null );
		var widgets = state[ 0 ];
		var setWidgets = state[ 1 ];
		var failed = wp.element.useState( '' );
		wp.element.useEffect( function () {
			loadWidgets().then( setWidgets, function ( err ) {
				widgetList = null;
				failed[ 1 ]( ( err && err.message ) || __( 'feedhub cannot be reached.', 'feedhub' ) );
			} );
		}, [] );
		if ( failed[ 0 ] ) {
			return el( components.Notice, { status: 'error', isDismissible: false }, failed[ 0 ] );
		}
		if ( ! widgets ) {
			return el( components.Spinner );
		}
		var options = [ { label: __( '— choose a widget —', 'feedhub' ), value: '' } ].concat(
			widgets.map( function ( w ) {
				return { label: w.title ? w.title + ' (' + w.name + ')' : w.name, value: w.name };
			} )
		);
		return el( components.SelectControl, {
			label: __( 'Widget', 'feedhub' ),
			value: props.value,
			options: options,
			onChange: props.onChange
		} );
	}

	wp.blocks.registerBlockType( 'feedhub/widget', {
		edit: function ( props ) {
			var a = props.attributes;
			var set = props.setAttributes;
			var controls = el(
				InspectorControls,
				{},
				el(
					components.PanelBody,
					{ title: __( 'feedhub widget', 'feedhub' ) },
					el( Picker, { value: a.widget, onChange: function ( v ) { set( { widget: v } ); } } ),
					el( components.TextControl, {
						label: __( 'Number of posts (empty: as feedhub says)', 'feedhub' ),
						type: 'number',
						min: 1,
						max: 200,
						value: a.limit || '',
						onChange: function ( v ) {
							var n = parseInt( v, 10 );
							set( { limit: n > 0 ? n : undefined } );
						}
					} ),
					el( components.SelectControl, {
						label: __( 'Theme', 'feedhub' ),
						value: a.theme,
						options: THEMES.map( function ( t ) {
							return { label: t || __( 'As the widget says', 'feedhub' ), value: t };
						} ),
						onChange: function ( v ) { set( { theme: v } ); }
					} ),
					el( components.SelectControl, {
						label: __( 'Color scheme', 'feedhub' ),
						value: a.scheme,
						options: SCHEMES,
						onChange: function ( v ) { set( { scheme: v } ); }
					} )
				)
			);
			var body = a.widget
				? el( ServerSideRender, { block: 'feedhub/widget', attributes: a } )
				: el( components.Placeholder, { icon: 'rss', label: __( 'feedhub widget', 'feedhub' ) },
					el( Picker, { value: a.widget, onChange: function ( v ) { set( { widget: v } ); } } ) );
			return el( 'div', useBlockProps(), controls, body );
		},
		save: function () {
			return null;
		}
	} );
}( window.wp ) );
