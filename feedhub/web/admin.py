"""Who may see the admin pages (`guard`), their forms' token, their login and logout; the page
itself is `admin_page`.

Access: with `admin.token` set, a request shows it as `Authorization: Bearer <token>` or
carries a session cookie the login form sets; without a token only loopback clients are
served, and only where no proxy can be in front (see `feedhub.web.access`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from math import ceil

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from feedhub import __version__, package_folder
from feedhub.publish.render import csp_hash
from feedhub.web import routes
from feedhub.web.access import (
    COOKIE,
    AdminPolicy,
    Sessions,
    Throttle,
    access,
    admin_policy,
    client_address,
    counted_as,
    host_allowed,
)
from feedhub.web.keys import SERVICE

SECRET = web.AppKey("admin_secret", bytes)
SESSIONS = web.AppKey("admin_sessions", Sessions)
THROTTLE = web.AppKey("admin_throttle", Throttle)
POLICY = web.AppKey("admin_policy", list)  # [the config it was decided for, the policy]
log = logging.getLogger("feedhub.admin")
TEMPLATES = package_folder("feedhub", "web", "templates")
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
CSS = (TEMPLATES / "admin.css").read_text(encoding="utf-8")
CSP = (
    f"default-src 'none'; style-src {csp_hash(CSS)}; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PRIVATE = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def policy(app: web.Application) -> AdminPolicy:
    """The admin access policy of the running config, decided once per config; saying at
    once, in the log, when the admin pages are off."""
    config = app[SERVICE].config
    known = app[POLICY]
    if known[0] is not config:
        server = config.server
        decided = admin_policy(
            config.admin.token,
            server.host,
            server.port,
            server.public_url,
            server.trusted_proxies,
            server.client_header,
        )
        if decided.mode == "off":
            log.warning("%s", decided.reason)
        if known[0] is not None and config.admin.token != known[0].admin.token:
            app[SESSIONS].clear()  # a new token ends the sessions of the old one
        known[:] = [config, decided]
    return known[1]


def client_of(request: web.Request, rules: AdminPolicy) -> str:
    """Who is counted for throttling: the client's address, its /64 for IPv6 (one host
    holds a whole /64 and may pick any address in it)."""
    return counted_as(
        client_address(request.remote, request.headers, rules.trusted, rules.client_header)
    )


def throttled(request: web.Request, client: str) -> None:
    wait = request.app[THROTTLE].wait(client)
    if wait > 0:
        raise web.HTTPTooManyRequests(
            text="too many wrong tokens: wait and try again\n",
            headers={**PRIVATE, "Retry-After": str(ceil(wait))},
        )


def csrf_token(request: web.Request) -> str:
    """The admin forms' token: bound to the login session (one session's page cannot be
    replayed into another's), or to the process where no session is needed (loopback)."""
    session = request.cookies.get(COOKIE, "")
    message = b"admin form|" + session.encode()
    return hmac.new(request.app[SECRET], message, hashlib.sha256).hexdigest()


async def check_form(request: web.Request, how: str) -> None:
    """A form post must carry the page's token; a Bearer client sends none (no cookie is
    sent for it by a browser, so another site cannot forge one)."""
    if how == "bearer":
        return
    form = await request.post()
    if not hmac.compare_digest(str(form.get("csrf", "")).encode(), csrf_token(request).encode()):
        raise web.HTTPForbidden(
            text="stale or missing form token: reload /admin\n", headers=PRIVATE
        )


def guard(request: web.Request) -> str:
    """Let an admin in, or answer: the login form, 401 for API clients, 403 for remote ones,
    421 for a Host feedhub is not meant to be reached by, 429 for a client that guesses."""
    rules = policy(request.app)
    if rules.mode == "off":
        raise web.HTTPForbidden(text=rules.reason + "\n", headers=PRIVATE)
    if not host_allowed(rules, request.host):
        raise web.HTTPMisdirectedRequest(
            text="the admin pages answer only server.public_url's host\n", headers=PRIVATE
        )
    client = client_of(request, rules)
    throttled(request, client)
    how = access(
        request.app[SERVICE].config.admin.token,
        request.app[SESSIONS],
        request.remote,
        request.headers,
        request.cookies,
    )
    if how in ("bearer", "cookie", "loopback"):
        return how
    if how == "remote":
        raise web.HTTPForbidden(
            text="the admin pages answer only loopback clients while admin.token is empty\n",
            headers=PRIVATE,
        )
    if how == "guess":
        request.app[THROTTLE].failed(client)
    elif request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPSeeOther("/admin/login", headers=PRIVATE)
    raise web.HTTPUnauthorized(
        text="admin token required (Authorization: Bearer …)\n",
        headers={**PRIVATE, "WWW-Authenticate": 'Bearer realm="feedhub"'},
    )


def page(name: str, status: int = 200, **context: object) -> web.Response:
    body = _env.get_template(name).render(css=CSS, version=__version__, **context)
    return web.Response(
        body=body.encode(),
        status=status,
        headers={**PRIVATE, "Content-Type": "text/html; charset=utf-8"},
    )


async def login_form(request: web.Request) -> web.Response:
    return page("login.html", error="", token_set=bool(request.app[SERVICE].config.admin.token))


async def login(request: web.Request) -> web.Response:
    rules = policy(request.app)
    token = request.app[SERVICE].config.admin.token
    if rules.mode == "off":
        raise web.HTTPForbidden(text=rules.reason + "\n", headers=PRIVATE)
    client = client_of(request, rules)
    throttled(request, client)
    form = await request.post()
    given = str(form.get("token", ""))
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        request.app[THROTTLE].failed(client)
        return page(
            "login.html",
            status=401,
            error="That token is not the admin token.",
            token_set=bool(token),
        )
    resp = web.HTTPSeeOther("/admin", headers=PRIVATE)
    secure = request.secure or request.app[SERVICE].config.public_url.startswith("https:")
    resp.set_cookie(
        COOKIE,
        request.app[SESSIONS].start(),
        httponly=True,
        samesite="Strict",
        secure=secure,
        path="/",
        max_age=int(request.app[SESSIONS].max_age),
    )
    raise resp


async def logout(request: web.Request) -> web.Response:
    await check_form(request, guard(request))
    request.app[SESSIONS].end(request.cookies.get(COOKIE, ""))
    resp = web.HTTPSeeOther("/admin/login", headers=PRIVATE)
    resp.del_cookie(COOKIE, path="/")
    raise resp


def setup(app: web.Application) -> None:
    app[SECRET] = secrets.token_bytes(32)
    app[SESSIONS] = Sessions()
    app[THROTTLE] = Throttle()
    app[POLICY] = [None, None]
    policy(app)  # says now, at start, when the admin pages are off
    routes.get(app, "/admin/login", login_form)
    routes.post(app, "/admin/login", login)
    routes.post(app, "/admin/logout", logout)
