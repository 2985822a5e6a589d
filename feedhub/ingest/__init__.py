"""Ingest: the write path. Polling a source now (`polling`), the task per source (`poller`)
and when it is due (`schedule`), WebSub push (`websub` decides, `subscriber` asks the hubs,
`push` takes the hubs' requests), the parse worker processes (`workers`), and the one way an
outcome is stored (`recorder`, with what it does to the fetch state in `update` and what a
source keeps of posts that left the answer in `history`).

Receives the narrow things it uses (a store, the states, a poll callback, an `ImageSettler`),
never the service.
May import: models, config, content, fetch, sources, store.
"""
