"""GET /admin/moderation (each moderated widget's queue, held-back and shown posts, rendered
as they will appear) and POST /admin/moderation (approve, reject, pin, unpin, undo; one post
or several). Access as every admin page: the admin session, and the form token on a POST."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web
from markupsafe import Markup

from feedhub.content.sanitize import safe_url, sanitize_html
from feedhub.models import Item
from feedhub.publish.decisions import classified
from feedhub.publish.moderation import APPROVE, PIN, REJECT, Decision
from feedhub.publish.render import csp_hash
from feedhub.web import routes
from feedhub.web.admin import CSS, PRIVATE, TEMPLATES, check_form, csrf_token, guard, page
from feedhub.web.keys import SERVICE

SCRIPT = (TEMPLATES / "moderation.js").read_text(encoding="utf-8")
CSP = (
    f"default-src 'none'; style-src {csp_hash(CSS)}; script-src {csp_hash(SCRIPT)}; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
ACTIONS = {"approve": APPROVE, "reject": REJECT, "pin": PIN, "unpin": APPROVE}
MAX_BULK = 500


def post_view(
    item: Item, state: str, reason: str, decision: Decision | None, images: object
) -> dict[str, object]:
    """One post as the page lists it."""
    when = item.sort_time
    decided = ""
    if decision is not None:
        at = datetime.fromtimestamp(decision.at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        decided = f"{decision.action} by {decision.by or 'someone'} at {at}"
    return {
        "item": item,
        # Sanitized again on its way out, as the widgets do: the page shows it as they will.
        "content": sanitize_html(item.content_html),
        "url": safe_url(item.url),
        "state": state,
        "reason": reason,
        "decided": decided,
        "pinned": decision is not None and decision.action == PIN,
        "when": when.strftime("%Y-%m-%d %H:%M UTC"),
        "when_iso": when.isoformat(),
        "images": images,
    }


async def moderation_page(request: web.Request) -> web.Response:
    guard(request)
    svc = request.app[SERVICE]
    widgets = []
    for name, cfg in svc.config.widgets.items():
        if not cfg.moderated:
            continue
        decided = svc.widgets.decisions.of(name)
        found = await classified(svc.store, cfg, decided)
        items = [*found.queued, *(it for it, _ in found.held), *found.shown, *found.rejected]
        images = await svc.widgets.images(items, cfg.locale)
        newest = sorted(found.queued, key=lambda it: it.sort_time, reverse=True)
        shown = sorted(found.shown, key=lambda it: it.sort_time, reverse=True)
        sections = [
            ("queue", "Waiting for approval", [(it, "") for it in newest]),
            (
                "held",
                "Held back by a rule",
                sorted(found.held, key=lambda p: p[0].sort_time, reverse=True),
            ),
            ("shown", "Shown", [(it, "") for it in shown]),
            ("rejected", "Rejected", [(it, "") for it in found.rejected]),
        ]
        widgets.append(
            {
                "name": name,
                "title": cfg.title or name,
                "mode": cfg.moderation,
                "trusted": cfg.trusted,
                "sections": [
                    (
                        key,
                        label,
                        [post_view(it, key, why, decided.get(it.id), images) for it, why in posts],
                    )
                    for key, label, posts in sections
                ],
            }
        )
    resp = page(
        "moderation.html",
        widgets=widgets,
        csrf=csrf_token(request),
        script=Markup(SCRIPT),
    )
    resp.headers["Content-Security-Policy"] = CSP
    return resp


async def decide(request: web.Request) -> web.Response:
    """Record one action on one or more posts of a widget; JSON for the page's script, a
    redirect back for a plain form."""
    how = guard(request)
    svc = request.app[SERVICE]
    await check_form(request, how)
    form = await request.post()
    widget = str(form.get("widget", ""))
    action = str(form.get("action", ""))
    ids = [str(v) for v in form.getall("item", [])][: MAX_BULK + 1]
    cfg = svc.config.widgets.get(widget)
    if cfg is None or not cfg.moderated:
        raise web.HTTPNotFound(text=f"no moderated widget named {widget[:64]!r}\n", headers=PRIVATE)
    if action not in (*ACTIONS, "undo"):
        raise web.HTTPBadRequest(
            text="action must be approve, reject, pin, unpin or undo\n", headers=PRIVATE
        )
    if not ids or len(ids) > MAX_BULK or any(not i or len(i) > 200 for i in ids):
        raise web.HTTPBadRequest(text=f"give 1 to {MAX_BULK} item ids\n", headers=PRIVATE)
    by = "admin" if how != "bearer" else "api"
    done = []
    for item_id in ids:
        if action == "undo":
            if await svc.widgets.decisions.undo(widget, item_id):
                done.append(item_id)
        else:
            await svc.widgets.decisions.decide(widget, item_id, ACTIONS[action], by)
            done.append(item_id)
    await svc.widgets.moderation_changed(widget, reload=False)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response({"action": action, "done": done}, headers=PRIVATE)
    raise web.HTTPSeeOther(f"/admin/moderation#widget-{widget}", headers=PRIVATE)


def setup(app: web.Application) -> None:
    routes.get(app, "/admin/moderation", moderation_page)
    routes.post(app, "/admin/moderation", decide)
