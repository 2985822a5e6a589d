"""Fetching: the one HTTP transport to upstreams (`fetcher`: conditional GET, size caps,
timeouts, global and per-host limits) and the address guard it applies (`addresses`).

Knows nothing of sources, items or widgets; imports only `feedhub` itself and `config`.
"""
