"""What the social adapters share: reading JSON answers, the account id looked up once and
kept in the fetch state, plain words for the HTTP errors platforms answer with, link cards
and polls."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from feedhub.content.sanitize import safe_url
from feedhub.models import PROFILE, PROFILE_AT, FetchState
from feedhub.sources.base import ParseFn, PollContext, PollResult, SourceAdapter

LOOKUP = "lookup"  # FetchState.meta key: {"key": what was looked up, "id": the platform's id}
# Meta keys a parse function uses to talk to its adapter; never stored.
FOUND_ID = "id"
UPSTREAM_ERROR = "error"

# A lookup whose answer is the account's profile (a widget's header) is asked again this often.
PROFILE_EVERY = 24 * 3600.0

DEFAULT_MESSAGES = {
    429: "rate limited by the platform; the next poll waits as long as it asks",
    500: "the platform failed (500); will retry",
    502: "the platform is unreachable (502); will retry",
    503: "the platform is unavailable (503); will retry",
}


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (upstreams leave fields out or null)."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    """`value` if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def explain(result: PollResult, messages: Mapping[int, str]) -> PollResult:
    """Put what an HTTP error means for this source in front of the fetcher's bare status."""
    if result.error and result.status >= 400:
        meaning = messages.get(result.status) or DEFAULT_MESSAGES.get(result.status)
        if meaning:
            result.error = f"{meaning} ({result.error})"
    return take_upstream_error(result)


def take_upstream_error(result: PollResult) -> PollResult:
    """Turn an error a parse function read from a 200 answer into the poll's error."""
    message = result.meta.pop(UPSTREAM_ERROR, None)
    if message:
        result.error = str(message)
        result.replace_items(None)
    return result


async def cached_id(
    adapter: SourceAdapter,
    ctx: PollContext,
    state: FetchState,
    key: str,
    url: str,
    parse: ParseFn,
    *args: Any,
    headers: Mapping[str, str] | None = None,
    messages: Mapping[int, str] | None = None,
    now: float = 0.0,
) -> tuple[str, PollResult]:
    """The platform's id for `key` (an account name): from the fetch state if it was looked up
    before, else asked once at `url`. The result carries the id in its meta, to be stored;
    when it is not ok the poll should return it as is.

    When `parse` also reads the account's profile (its meta's `PROFILE`), the lookup is asked
    again once every `PROFILE_EVERY` (`now` is the time), to keep the profile fresh."""
    known = obj(state.meta.get(LOOKUP))
    stale = now and PROFILE in state.meta and profile_due(state, now)
    if known.get("key") == key and known.get("id") and not stale:
        return str(known["id"]), PollResult()
    result = await adapter.fetch_and_parse(
        ctx, url, parse, adapter.source_id, *args, headers=headers
    )
    explain(result, messages or {})
    found = str(result.meta.pop(FOUND_ID, "") or "")
    if result.ok and not found:
        result.error = f"malformed answer from {url}: no account id in it"
    if not result.ok:
        return "", result
    result.meta[LOOKUP] = {"key": key, "id": found}
    if PROFILE in result.meta:
        result.meta[PROFILE_AT] = now
    return found, result


def profile_due(state: FetchState, now: float) -> bool:
    """Whether the account's profile is to be read (again): never read, or a day old."""
    return now - float(state.meta.get(PROFILE_AT) or 0) >= PROFILE_EVERY


async def read_profile(
    adapter: SourceAdapter, ctx: PollContext, url: str, parse: ParseFn, now: float
) -> dict[str, Any]:
    """The meta that keeps an account's profile, read at `url` (the platform's profile
    endpoint); nothing when it failed: a header is never worth a poll's items."""
    result = await adapter.fetch_and_parse(ctx, url, parse, adapter.source_id)
    profile = result.meta.get(PROFILE)
    return {PROFILE: profile, PROFILE_AT: now} if result.ok and profile else {}


def text_html(value: str) -> str:
    """A plain-text bio as HTML: escaped, its lines kept."""
    lines = [html.escape(line) for line in value.strip().splitlines()]
    return f"<p>{'<br>'.join(lines)}</p>" if lines else ""


def merge_lookup(result: PollResult, lookup: PollResult) -> PollResult:
    """Carry a fresh lookup into the poll's result, or forget a stale one on a 404."""
    result.meta.update(lookup.meta)
    if result.status in (404, 410):
        result.meta[LOOKUP] = None  # the account moved or was deleted: look it up again
    return result


def card_html(url: str, title: str, description: str = "", image: str = "") -> str:
    """A link preview (Mastodon card, Bluesky external embed) as a quoted block, its picture
    first when it has one."""
    href = safe_url(url)
    if not href:
        return ""
    label = html.escape(title.strip() or urlsplit(href).hostname or href)
    desc = f"<br>{html.escape(description.strip())}" if description.strip() else ""
    src = safe_url(image, image=True)
    picture = f'<img src="{html.escape(src)}" alt="">' if src else ""
    return (
        f'<blockquote>{picture}<p><a href="{html.escape(href)}">{label}</a>{desc}</p></blockquote>'
    )


def poll_html(
    options: Iterable[tuple[str, int | None]], closes: datetime | None, closed: bool = False
) -> str:
    """A poll as a list of its options, each with its vote count when the platform gives one
    (some hide the counts until the poll ends), then its closing time when it has one: ⏳ while
    open, ⌛ once closed. Counts, time and signs need no words, so no catalogue is touched."""
    rows = [
        html.escape(title.strip()) + (f" — {count}" if count is not None else "")
        for title, count in options
        if title.strip()
    ]
    if not rows:
        return ""
    out = "<ul>" + "".join(f"<li>{row}</li>" for row in rows) + "</ul>"
    if closes:
        stamp = closes.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        sign = "⌛" if closed else "⏳"
        out += f'<p>{sign} <time datetime="{closes.isoformat()}">{stamp}</time></p>'
    return out
