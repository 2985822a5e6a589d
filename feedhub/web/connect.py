"""/admin/connect: accounts connected from the admin pages, for sources whose config says
`token: stored`. The owner pastes a short-lived token, picks what it grants, and the source
polls with it. No page ever holds a token: between the two steps the form carries a random
id of the choice kept by the daemon (`ingest.accounts.Connections`).
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from feedhub.config import NAME_RE
from feedhub.ingest.accounts import ConnectError
from feedhub.store.errors import store_errors
from feedhub.web import routes
from feedhub.web.admin import PRIVATE, csrf_token, guard, page
from feedhub.web.admin_view import iso
from feedhub.web.keys import SERVICE

log = logging.getLogger("feedhub.admin")
MAX_TOKEN = 4096  # characters of a pasted token


async def _form(request: web.Request, how: str) -> dict[str, str]:
    form = await request.post()
    if how != "bearer" and not hmac.compare_digest(
        str(form.get("csrf", "")).encode(), csrf_token(request).encode()
    ):
        raise web.HTTPForbidden(
            text="stale or missing form token: reload /admin/connect\n", headers=PRIVATE
        )
    return {k: str(v) for k, v in form.items()}


def _source(request: web.Request) -> str:
    svc = request.app[SERVICE]
    sid = request.match_info["source"]
    if not NAME_RE.match(sid) or sid not in svc.config.stored_sources():
        raise web.HTTPNotFound(text=f"no source {sid[:64]!r} with token: stored\n", headers=PRIVATE)
    return sid


async def overview(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    how = guard(request)
    svc = request.app[SERVICE]
    try:
        accounts = await svc.connections.accounts(svc.config)
    except (ConnectError, *store_errors()) as exc:  # type: ignore[misc]
        accounts, error = {}, error or str(exc)
    rows = []
    for sid in svc.config.stored_sources():
        account = accounts.get(sid, {})
        expires = account.get("expires")
        rows.append(
            {
                "id": sid,
                "type": svc.config.sources[sid].type,
                "name": str(account.get("name", "")),
                "kind": svc.connections.kind(sid),
                "expires": iso(float(expires)) if isinstance(expires, int | float) else "",
            }
        )
    resp = page(
        "connect.html",
        status=status,
        rows=rows,
        error=error,
        csrf=csrf_token(request) if how != "bearer" else "",
        connected=request.query.get("connected", "")[:64],
    )
    # The authorize button's answer sends the browser to the instance: a form's redirect is
    # held to form-action too.
    instances = " ".join(svc.connections.instances())
    if instances:
        csp = resp.headers["Content-Security-Policy"]
        resp.headers["Content-Security-Policy"] = csp.replace(
            "form-action 'self'", f"form-action 'self' {instances}"
        )
    return resp


async def begin(request: web.Request) -> web.Response:
    """Step 1: the pasted token exchanged; what it grants listed to pick from."""
    how = guard(request)
    sid = _source(request)
    form = await _form(request, how)
    token = form.get("token", "").strip()
    if not token or len(token) > MAX_TOKEN:
        return await overview(request, "paste the short-lived token from Meta's tools", 400)
    try:
        pending = await request.app[SERVICE].connections.begin(sid, token)
    except ConnectError as exc:
        log.warning("connecting %s: %s", sid, exc)
        return await overview(request, f"{sid}: {exc}", 400)
    return page(
        "connect_pick.html",
        source=sid,
        pending=pending.id,
        choices=pending.choices,
        csrf=csrf_token(request),
    )


async def pick(request: web.Request) -> web.Response:
    """Step 2: the picked account kept for the source, which polls with it now."""
    how = guard(request)
    sid = _source(request)
    form = await _form(request, how)
    try:
        name = await request.app[SERVICE].connections.finish(
            form.get("pending", ""), form.get("choice", "")
        )
    except ConnectError as exc:
        return await overview(request, f"{sid}: {exc}", 400)
    except store_errors() as exc:
        return await overview(request, f"{sid}: the store did not keep it ({exc})", 503)
    log.info("source %s: account %s connected", sid, name)
    raise web.HTTPSeeOther(f"/admin/connect?connected={sid}", headers=PRIVATE)


async def authorize(request: web.Request) -> web.Response:
    """OAuth, step 1: feedhub registered on the instance, the owner sent there to authorize."""
    how = guard(request)
    sid = _source(request)
    await _form(request, how)
    try:
        url = await request.app[SERVICE].connections.authorize(sid)
    except ConnectError as exc:
        return await overview(request, f"{sid}: {exc}", 400)
    raise web.HTTPSeeOther(url, headers=PRIVATE)


async def callback(request: web.Request) -> web.Response:
    """OAuth, step 2: the instance sends the owner back with a code (and our `state`)."""
    guard(request)
    sid = _source(request)
    if request.query.get("error"):
        reason = request.query.get("error_description") or request.query["error"]
        return await overview(request, f"{sid}: the instance said {reason[:200]}", 400)
    try:
        name = await request.app[SERVICE].connections.callback(
            sid, request.query.get("state", ""), request.query.get("code", "")
        )
    except ConnectError as exc:
        return await overview(request, f"{sid}: {exc}", 400)
    log.info("source %s: account %s connected", sid, name)
    raise web.HTTPSeeOther(f"/admin/connect?connected={sid}", headers=PRIVATE)


def setup(app: web.Application) -> None:
    routes.get(app, "/admin/connect", overview)
    routes.post(app, "/admin/connect/{source}", begin)
    routes.post(app, "/admin/connect/{source}/pick", pick)
    routes.post(app, "/admin/connect/{source}/authorize", authorize)
    routes.get(app, "/admin/connect/{source}/callback", callback)
