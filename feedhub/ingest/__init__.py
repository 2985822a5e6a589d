"""Ingest: when to poll (`schedule`), the task per source (`poller`), WebSub push
(`websub`), the parse worker processes (`workers`), and what a poll's outcome does to the
stored state (`update`).

Receives the narrow things it uses (a store, the states, a poll callback), never the service.
May import: models, config, content, fetch, sources, store.
"""
