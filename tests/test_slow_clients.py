"""Half-sent requests cannot hold a server's connections: a connection that has not sent a
whole request head within HEAD_TIMEOUT is closed, and whole requests are served meanwhile."""

from __future__ import annotations

import asyncio
import time
import urllib.request

from feedhub.web.limits import HEAD_TIMEOUT
from tests.conftest import free_port, write_config

HALF_SENT = 200


async def test_half_sent_requests_are_closed_and_others_served(tmp_path, daemon):
    port = free_port()
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "memory"},
            "sources": {},
            "widgets": {},
        },
    )
    proc = daemon(path, port)
    conns = []
    for _ in range(HALF_SENT):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # never finished
        conns.append((reader, writer))
    await asyncio.gather(*(w.drain() for _, w in conns))
    with urllib.request.urlopen(f"{proc.url}/healthz", timeout=5) as resp:
        assert resp.status == 200  # a whole request is answered at once
    started = time.monotonic()
    closed = await asyncio.gather(
        *(asyncio.wait_for(r.read(), HEAD_TIMEOUT + 20) for r, _ in conns)
    )
    waited = time.monotonic() - started
    assert all(data == b"" for data in closed)  # closed by the server, nothing answered
    assert waited < HEAD_TIMEOUT + 15, waited
    for _, w in conns:
        w.close()
    assert proc.proc.poll() is None
