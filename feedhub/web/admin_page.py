"""GET /admin, the status page: a page of the sources (searched, filtered by state and type),
the widgets, the recent alerts; and the refresh button of each source.

A site with thousands of sources gets one page of them at a time (`admin_list`): the page stays
small, and making it costs the loop a pass over the sources' states, not a row of each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from feedhub.config import NAME_RE
from feedhub.config.platforms import PLATFORMS
from feedhub.publish.widgets import NoSuchWidget
from feedhub.store.errors import store_errors
from feedhub.web import routes
from feedhub.web.admin import PRIVATE, check_form, csrf_token, guard, page
from feedhub.web.admin_list import BadQuery, Query, SearchTexts, listing, parse_query, where
from feedhub.web.admin_view import alert_row, newest_of, source_row, widget_row
from feedhub.web.keys import SERVICE

ALERTS_SHOWN = 20
WIDGETS_SHOWN = 50
UNREADABLE_SHOWN = 50
TEXTS = web.AppKey("admin_search_texts", SearchTexts)
# Per widget: the version its row was read for, and what the row shows of its first page.
SHOWN = web.AppKey("admin_widgets_shown", dict)


async def widget_shown(
    known: dict[str, tuple[str, tuple[int, datetime | None]]], svc: Any, name: str
) -> tuple[int, datetime | None]:
    """How many items a widget's first page shows and the newest one's time: as its last
    render of the current version found them, or read once per version (reading a page of a
    widget over many sources is not cheap)."""
    version = svc.widgets.versions.get(name)
    rendered = svc.widgets.first_pages.get(name)
    if version is not None and rendered is not None and rendered[0] == version:
        return rendered[1], rendered[2]
    cached = known.get(name)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    shown = newest_of(await svc.widgets.items(name))
    if version is not None:
        if len(known) > 4 * WIDGETS_SHOWN and name not in known:
            known.clear()  # a bound: the widgets of the pages looked at lately
        known[name] = (version, shown)
    return shown


def query_of(params: Mapping[str, str]) -> Query:
    """The page's query; 400 with what is wrong in it."""
    try:
        return parse_query(params, PLATFORMS.types())
    except BadQuery as err:
        raise web.HTTPBadRequest(text=f"{err}\n", headers=PRIVATE) from None


async def admin(request: web.Request) -> web.Response:
    how = guard(request)
    svc = request.app[SERVICE]
    query = query_of(request.query)
    config = svc.config
    texts = request.app[TEXTS]
    if len(texts) > 2 * len(config.sources):  # a reload removed sources
        texts.forget(config.sources)
    found = listing(
        query,
        config.sources,
        svc.states,
        lambda sid, cfg, state: texts.of(sid, cfg, state, config.mask),
    )
    media = svc.media.cache
    now = time.time()
    sources = [
        (
            source_row(sid, config.sources[sid].type, svc.states.get(sid), now),
            where(config.sources[sid], config.mask),
        )
        for sid in found.ids
    ]
    try:
        alerts = await svc.alerts.recent(ALERTS_SHOWN)
    except store_errors():  # the page still shows what the daemon holds in memory
        alerts = []
    needle = query.q.casefold()
    named = [
        (name, cfg)
        for name, cfg in config.widgets.items()
        if not needle
        or needle in name.casefold()
        or any(needle in sid.casefold() for sid in cfg.sources)
    ]
    today = datetime.now(UTC)
    widgets = []
    for name, cfg in named[:WIDGETS_SHOWN]:
        try:
            shown = await widget_shown(request.app[SHOWN], svc, name)
        except NoSuchWidget:  # a reload removed it while the page was being made
            continue
        widgets.append(widget_row(name, list(cfg.sources), shown, today))
    unreadable = svc.store.unreadable.by_source
    return page(
        "admin.html",
        sources=sources,
        listing=found,
        states_shown=("ok", "degraded", "failing", "pending"),
        widgets=widgets,
        widgets_hidden=len(named) - len(widgets),
        alerts=[alert_row(a) for a in alerts],
        alert_targets=list(config.alerts.targets),
        reload_error=svc.reloads.error,
        unreadable=dict(list(unreadable.items())[:UNREADABLE_SHOWN]),
        unreadable_hidden=max(0, len(unreadable) - UNREADABLE_SHOWN),
        needs_restart=svc.reloads.needs_restart,
        csrf=csrf_token(request),
        back=urlencode(found.query.params()),
        can_logout=how == "cookie",
        uptime=now - svc.started if svc.started else 0.0,
        cache_hits=svc.widgets.renders.hits,
        cache_misses=svc.widgets.renders.misses,
        media=media.by_source() if media else {},
        media_off=media is None,
        flash=request.query.get("refreshed", "")[:64],
        moderated=any(w.moderated for w in config.widgets.values()),
    )


def back_to(form_value: str, sid: str) -> str:
    """Where the refresh button leads: the page it was pressed on, saying so."""
    try:
        query = parse_query(dict(parse_qsl(form_value[:1000])), PLATFORMS.types())
    except BadQuery:
        query = Query()
    return "/admin?" + urlencode({**query.params(), "refreshed": sid})


async def refresh(request: web.Request) -> web.Response:
    """Poll a source soon: wake its poller task, or poll it here when nothing polls."""
    how = guard(request)
    svc = request.app[SERVICE]
    sid = request.match_info["source"]
    await check_form(request, how)
    if not NAME_RE.match(sid) or sid not in svc.config.sources:
        raise web.HTTPNotFound(text=f"no source named {sid[:64]!r}\n", headers=PRIVATE)
    if svc.poller.running:
        svc.poller.refresh(sid)
    elif svc.poller.refresh_at(sid) <= time.time():  # nothing polls: here, when allowed
        await asyncio.shield(svc.polling.poll(sid))
    back = (await request.post()).get("back", "")
    raise web.HTTPSeeOther(back_to(str(back), sid), headers=PRIVATE)


def setup(app: web.Application) -> None:
    app[TEXTS] = SearchTexts()
    app[SHOWN] = {}
    routes.get(app, "/admin", admin)
    routes.post(app, "/admin/sources/{source}/refresh", refresh)
