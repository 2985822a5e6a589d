"""GET /admin (status of every source and widget), its login, and the refresh button.

Access: with `admin.token` set, a request shows it as `Authorization: Bearer <token>` or
carries the cookie the login form sets; without a token only loopback clients are served,
and a request relayed by a proxy (it says so in Forwarded / X-Forwarded-For) is not one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from feedhub import __version__, package_folder
from feedhub.config import NAME_RE
from feedhub.publish.render import csp_hash
from feedhub.web import routes
from feedhub.web.admin_view import source_row, widget_row
from feedhub.web.keys import SERVICE

COOKIE = "feedhub_admin"
SECRET = web.AppKey("admin_secret", bytes)
TEMPLATES = package_folder("feedhub", "web", "templates")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
    default=True), trim_blocks=True, lstrip_blocks=True)
CSS = (TEMPLATES / "admin.css").read_text(encoding="utf-8")
CSP = (f"default-src 'none'; style-src {csp_hash(CSS)}; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
PRIVATE = {"Cache-Control": "no-store", "Content-Security-Policy": CSP,
           "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff"}
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def session_value(token: str) -> str:
    """What the login cookie holds: derived from the token, so the token itself never is."""
    return hmac.new(token.encode(), b"feedhub admin session", hashlib.sha256).hexdigest()


def is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False


def access(token: str, remote: str | None, headers: Mapping[str, str],
           cookies: Mapping[str, str]) -> str:
    """How a request may enter: "bearer", "cookie", "loopback", or why not ("login", "remote")."""
    if token:
        auth = headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode()):
            return "bearer"
        if hmac.compare_digest(cookies.get(COOKIE, "").encode(), session_value(token).encode()):
            return "cookie"
        return "login"
    if is_loopback(remote) and not any(h in headers for h in _PROXY_HEADERS):
        return "loopback"
    return "remote"


def csrf_token(secret: bytes) -> str:
    return hmac.new(secret, b"admin form", hashlib.sha256).hexdigest()


def guard(request: web.Request) -> str:
    """Let an admin in, or answer: the login form, 401 for API clients, 403 for remote ones."""
    token = request.app[SERVICE].config.admin.token
    how = access(token, request.remote, request.headers, request.cookies)
    if how in ("bearer", "cookie", "loopback"):
        return how
    if how == "remote":
        raise web.HTTPForbidden(
            text="the admin pages answer only loopback clients while admin.token is empty\n",
            headers=PRIVATE)
    if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPSeeOther("/admin/login", headers=PRIVATE)
    raise web.HTTPUnauthorized(text="admin token required (Authorization: Bearer …)\n",
                               headers={**PRIVATE, "WWW-Authenticate": 'Bearer realm="feedhub"'})


def page(name: str, status: int = 200, **context: object) -> web.Response:
    body = _env.get_template(name).render(css=CSS, version=__version__, **context)
    return web.Response(body=body.encode(), status=status, headers={
        **PRIVATE, "Content-Type": "text/html; charset=utf-8"})


async def admin(request: web.Request) -> web.Response:
    how = guard(request)
    svc = request.app[SERVICE]
    media = svc.widgets.media
    now = time.time()
    sources = [source_row(sid, cfg.type, svc.states.get(sid), now)
               for sid, cfg in svc.config.sources.items()]
    today = datetime.now(UTC)
    widgets = []
    for name, cfg in svc.config.widgets.items():
        items = await svc.widget_items(name)
        widgets.append(widget_row(name, list(cfg.sources), items, today))
    return page(
        "admin.html", sources=sources, widgets=widgets, reload_error=svc.reload_error,
        needs_restart=svc.needs_restart,
        csrf=csrf_token(request.app[SECRET]), can_logout=how == "cookie",
        uptime=now - svc.started if svc.started else 0.0,
        cache_hits=svc.renders.hits, cache_misses=svc.renders.misses,
        media=media.by_source() if media else {}, media_off=media is None,
        flash=request.query.get("refreshed", "")[:64],
    )


async def refresh(request: web.Request) -> web.Response:
    """Poll a source soon: wake its poller task, or poll it here when nothing polls."""
    how = guard(request)
    svc = request.app[SERVICE]
    sid = request.match_info["source"]
    if how != "bearer":
        form = await request.post()
        if not hmac.compare_digest(str(form.get("csrf", "")).encode(),
                                   csrf_token(request.app[SECRET]).encode()):
            raise web.HTTPForbidden(text="stale or missing form token: reload /admin\n",
                                    headers=PRIVATE)
    if not NAME_RE.match(sid) or sid not in svc.config.sources:
        raise web.HTTPNotFound(text=f"no source named {sid[:64]!r}\n", headers=PRIVATE)
    if svc.poller.running:
        svc.poller.refresh(sid)
    else:
        await asyncio.shield(svc.poll(sid))
    raise web.HTTPSeeOther(f"/admin?refreshed={sid}", headers=PRIVATE)


async def login_form(request: web.Request) -> web.Response:
    return page("login.html", error="",
                token_set=bool(request.app[SERVICE].config.admin.token))


async def login(request: web.Request) -> web.Response:
    token = request.app[SERVICE].config.admin.token
    form = await request.post()
    given = str(form.get("token", ""))
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        await asyncio.sleep(0.5)  # makes guessing slow without holding anything else up
        return page("login.html", status=401, error="That token is not the admin token.",
                    token_set=bool(token))
    resp = web.HTTPSeeOther("/admin", headers=PRIVATE)
    secure = request.secure or request.app[SERVICE].config.public_url.startswith("https:")
    resp.set_cookie(COOKIE, session_value(token), httponly=True, samesite="Strict",
                    secure=secure, path="/", max_age=12 * 3600)
    raise resp


async def logout(request: web.Request) -> web.Response:
    guard(request)
    resp = web.HTTPSeeOther("/admin/login", headers=PRIVATE)
    resp.del_cookie(COOKIE, path="/")
    raise resp


def setup(app: web.Application) -> None:
    app[SECRET] = secrets.token_bytes(32)
    routes.get(app, "/admin", admin)
    routes.get(app, "/admin/login", login_form)
    routes.post(app, "/admin/login", login)
    routes.post(app, "/admin/logout", logout)
    routes.post(app, "/admin/sources/{source}/refresh", refresh)
