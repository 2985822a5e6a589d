"""Content rules: what of hostile HTML and URLs may reach a visitor (`sanitize`), and the
one URL model every check and every emitted URL goes through (`urls`).

Applied once at ingest by every adapter and again on the way out by the renderers.
May import: nothing of feedhub but the bottom modules.
"""
