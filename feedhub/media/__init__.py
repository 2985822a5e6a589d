"""The media cache: every image a widget shows is fetched once (`cache`, through the one
Fetcher), re-encoded in a worker process without its metadata (`images`), kept on disk under a
content-derived name (`disk`), known by URL in the store (`records`), and written into widgets
as `/m/` URLs, with video players as click-to-load placeholders (`collect`, `markup`,
`players`). `lifecycle` is the cache in a running daemon: what the recorder and the widgets
ask of it, and its housekeeping (`upkeep`).
May import: models, config, content, fetch, store, ingest.
"""
