"""GET/POST /websub/{source}: the hub's verification requests and its content deliveries."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web

from feedhub.ingest import workers
from feedhub.ingest.websub import Subscriber, signature_ok, subscription, verify
from feedhub.models import FetchState
from feedhub.service import Service
from feedhub.sources.base import PollResult, parse_and_encode
from feedhub.sources.feed import FeedAdapter, parse_feed
from feedhub.web import routes
from feedhub.web.keys import SERVICE

log = logging.getLogger("feedhub.websub")

SUBSCRIBER = web.AppKey("websub", Subscriber)
PING_GAP = 60.0  # pushes that only prompt a poll (unsigned ones) poll at most this often


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\n", content_type="text/plain",
                        headers={"Cache-Control": "no-store"})


async def _state(svc: Service, sid: str) -> FetchState | None:
    """The freshest state: with a shared store, another replica may have subscribed."""
    if svc.store.shared:
        fresh = await svc.store.get_state(sid)
        if fresh is not None:
            svc.states[sid] = fresh
    return svc.states.get(sid)


async def verification(request: web.Request) -> web.Response:
    """Echo `hub.challenge` for a subscription we asked for; 404 for anything else."""
    svc = request.app[SERVICE]
    sid = request.match_info["source"]
    state = await _state(svc, sid) if sid in svc.config.sources else None
    if state is None:
        return _plain(404, "no such subscription")
    challenge, record = verify(subscription(state), request.query, time.time())
    if record != subscription(state):
        state.meta["websub"] = record
        await svc.store.save(sid, state, None)
        request.app[SUBSCRIBER].poke(sid)  # its renewal time moved
        log.info("source %s: hub says %s (%s)", sid, request.query.get("hub.mode"),
                 record.get("status"))
    if challenge is None:
        return _plain(404, "no such subscription")
    return web.Response(text=challenge, content_type="text/plain")


async def delivery(request: web.Request) -> web.Response:
    """A pushed feed: checked against the secret, parsed in a worker, stored at once."""
    svc = request.app[SERVICE]
    sid = request.match_info["source"]
    adapter = svc.adapters.get(sid)
    state = await _state(svc, sid) if isinstance(adapter, FeedAdapter) else None
    sub = subscription(state)
    if state is None or sub.get("status") != "active":
        return _plain(404, "no such subscription")
    if not sub.get("secret"):
        # A plain-http hub got no secret, so its pushes cannot be told from forgeries: one
        # is only a hint to poll the feed itself (within the source's floors and backoff).
        svc.poller.refresh(sid, gap=PING_GAP)
        return _plain(202, "will poll")
    limit = svc.config.sources[sid].max_bytes or svc.config.fetch.max_bytes
    if request.content_length is not None and request.content_length > limit:
        return _plain(413, "body too large")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        return _plain(413, "body too large")
    # A bad signature is acknowledged and ignored, as WebSub asks (no hints to a forger).
    if not signature_ok(sub["secret"], body, request.headers.get("X-Hub-Signature", "")):
        log.warning("source %s: push with a missing or wrong signature ignored", sid)
        return _plain(202, "ignored")
    assert isinstance(adapter, FeedAdapter)
    try:
        (items, extra), encoded = await workers.run_parse(
            parse_and_encode, partial(parse_feed, headers=_pushed_headers(request)), body,
            adapter.url, sid, adapter.network)
    except Exception as exc:  # a hostile or broken push costs nothing but a log line
        log.warning("source %s: pushed content unreadable: %s", sid, exc)
        return _plain(202, "unreadable")
    result = PollResult(items=items, status=200, meta=extra.get("meta", {}),
                        ttl=extra.get("ttl"), encoded=encoded)
    await svc.record(sid, state, result)
    return _plain(202, "stored")


def _pushed_headers(request: web.Request) -> dict[str, str]:
    """How to read pushed content: the hub passes on the topic's Content-Type (its charset)
    and language. Its base is the topic's address (parse_feed's `url`), not the hub's."""
    return {name: request.headers[name] for name in ("content-type", "content-language")
            if name in request.headers}


def setup(app: web.Application) -> None:
    routes.get(app, "/websub/{source}", verification)
    routes.post(app, "/websub/{source}", delivery)

    async def subscriber(app: web.Application) -> AsyncIterator[None]:
        svc = app[SERVICE]
        sub = Subscriber(store=svc.store, states=svc.states, lease=svc.poller, hubs=svc.hubs)
        app[SUBSCRIBER] = sub
        svc.change_hooks.append(sub.poke)
        sub.start()
        yield
        svc.change_hooks.remove(sub.poke)
        await sub.stop()

    app.cleanup_ctx.append(subscriber)
