"""GET/POST /websub/{source}: the hub's verification requests and its content deliveries."""

from __future__ import annotations

import logging

from aiohttp import web

from feedhub.ingest.websub import signature_ok, subscription
from feedhub.web import routes
from feedhub.web.keys import SERVICE

log = logging.getLogger("feedhub.websub")


def _plain(status: int, text: str) -> web.Response:
    return web.Response(
        status=status,
        text=text + "\n",
        content_type="text/plain",
        headers={"Cache-Control": "no-store"},
    )


async def verification(request: web.Request) -> web.Response:
    """Echo `hub.challenge` for a subscription we asked for; 404 for anything else."""
    pushes = request.app[SERVICE].pushes
    challenge = await pushes.verify(request.match_info["source"], request.query)
    if challenge is None:
        return _plain(404, "no such subscription")
    return web.Response(text=challenge, content_type="text/plain")


async def delivery(request: web.Request) -> web.Response:
    """A pushed feed: checked against the secret, parsed in a worker, stored at once."""
    pushes = request.app[SERVICE].pushes
    sid = request.match_info["source"]
    state = await pushes.active(sid)
    if state is None:
        return _plain(404, "no such subscription")
    sub = subscription(state)
    if not sub.get("secret"):
        # A plain-http hub got no secret, so its pushes cannot be told from forgeries.
        pushes.ping(sid)
        return _plain(202, "will poll")
    limit = pushes.max_bytes(sid)
    if request.content_length is not None and request.content_length > limit:
        return _plain(413, "body too large")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        return _plain(413, "body too large")
    # A bad signature is acknowledged and ignored, as WebSub asks (no hints to a forger).
    if not signature_ok(sub["secret"], body, request.headers.get("X-Hub-Signature", "")):
        log.warning("source %s: push with a missing or wrong signature ignored", sid)
        return _plain(202, "ignored")
    return _plain(202, await pushes.deliver(sid, state, body, _pushed_headers(request)))


def _pushed_headers(request: web.Request) -> dict[str, str]:
    """How to read pushed content: the hub passes on the topic's Content-Type (its charset)
    and language. Its base is the topic's address (parse_feed's `url`), not the hub's."""
    return {
        name: request.headers[name]
        for name in ("content-type", "content-language")
        if name in request.headers
    }


def setup(app: web.Application) -> None:
    routes.get(app, "/websub/{source}", verification)
    routes.post(app, "/websub/{source}", delivery)
