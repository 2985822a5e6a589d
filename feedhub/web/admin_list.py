"""Which sources a page of /admin lists: the query (`q`, `state`, `type`, `page`), read and
checked; the sources it matches, counted by state and by type; one page of them. Pure: no I/O.

A site with thousands of sources gets a page of `PAGE_SIZE` of them, not all at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from feedhub.models import PROFILE, FetchState

PAGE_SIZE = 50
Q_MAX = 200  # characters of a search
STATES = ("ok", "degraded", "failing", "pending")
PAGE_RE = re.compile(r"^[0-9]{1,9}$")
# The fields that say where a source reads from, searched and shown; never a secret.
WHERE = (
    "url",
    "account",
    "handle",
    "username",
    "channel_id",
    "channel",
    "subreddit",
    "user",
    "community",
    "blog",
    "page_id",
    "tag",
    "q",
    "feed",
    "list",
    "list_id",
    "instance",
    "did",
)


class BadQuery(ValueError):
    """A query string /admin cannot list sources for; its text is the 400's message."""


@dataclass(frozen=True, slots=True)
class Query:
    q: str = ""
    state: str = ""
    type: str = ""
    page: int = 1

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string's fields that differ from the defaults, after `changes`."""
        query = replace(self, **changes)
        out = {"q": query.q, "state": query.state, "type": query.type}
        out = {k: v for k, v in out.items() if v}
        if query.page != 1:
            out["page"] = str(query.page)
        return out

    def link(self, **changes: Any) -> str:
        """/admin with this query, after `changes`."""
        params = self.params(**changes)
        return "/admin?" + urlencode(params) if params else "/admin"


def parse_query(params: Mapping[str, str], types: Iterable[str]) -> Query:
    """The query of a request to /admin; `BadQuery` names what is wrong."""
    q = " ".join(params.get("q", "").split())
    if len(q) > Q_MAX:
        raise BadQuery(f"q: a search is at most {Q_MAX} characters")
    state = params.get("state", "")
    if state and state not in STATES:
        raise BadQuery(f"state: one of {', '.join(STATES)}, got {state[:32]!r}")
    kind = params.get("type", "")
    known = sorted(types)
    if kind and kind not in known:
        raise BadQuery(f"type: one of {', '.join(known)}, got {kind[:32]!r}")
    page = params.get("page", "1") or "1"
    if not PAGE_RE.match(page) or int(page) < 1:
        raise BadQuery(f"page: a whole number from 1, got {page[:32]!r}")
    return Query(q=q, state=state, type=kind, page=int(page))


def where(cfg: Any, mask: Any) -> str:
    """Where a source reads from (its URL, account, tag…), as the config says it, with the
    environment's values masked."""
    found = [getattr(cfg, name, None) for name in WHERE]
    return mask(" ".join(str(v) for v in found if isinstance(v, str) and v))


def search_text(sid: str, cfg: Any, state: FetchState | None, mask: Any) -> str:
    """What a search looks in: id, type, where it reads from, the account's or feed's name."""
    profile = state.meta.get(PROFILE) if state is not None else None
    title = profile.get("name", "") if isinstance(profile, dict) else ""
    return f"{sid}\n{cfg.type}\n{where(cfg, mask)}\n{title}".casefold()


class SearchTexts:
    """Each source's search text, made again only when its config or its state changed."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[object, object, str]] = {}

    def of(self, sid: str, cfg: Any, state: FetchState | None, mask: Any) -> str:
        known = self._known.get(sid)
        if known is not None and known[0] is cfg and known[1] is state:
            return known[2]
        text = search_text(sid, cfg, state, mask)
        self._known[sid] = (cfg, state, text)
        return text

    def __len__(self) -> int:
        return len(self._known)

    def forget(self, keep: Iterable[str]) -> None:
        wanted = set(keep)
        for sid in [s for s in self._known if s not in wanted]:
            del self._known[sid]


@dataclass(frozen=True, slots=True)
class Listing:
    query: Query
    ids: list[str]  # this page's sources, in config order
    matched: int  # sources matching the whole query
    pages: int
    by_state: dict[str, int]  # sources matching `q` and `type`, by state
    by_type: dict[str, int]  # sources matching `q` and `state`, by type
    configured: int
    first: int  # the position of this page's first source among the matched, from 1


def listing(
    query: Query,
    sources: Mapping[str, Any],
    states: Mapping[str, FetchState],
    text: Any,
    page_size: int = PAGE_SIZE,
) -> Listing:
    """The sources `query` matches, counted, and its page of them (a page past the last is
    the last)."""
    needle = query.q.casefold()
    by_state: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    matched: list[str] = []
    for sid, cfg in sources.items():
        state = states.get(sid)
        if needle and needle not in text(sid, cfg, state):
            continue
        health = state.health if state is not None else "pending"
        kind = cfg.type
        if not query.type or kind == query.type:
            by_state[health] += 1
        if not query.state or health == query.state:
            by_type[kind] += 1
            if not query.type or kind == query.type:
                matched.append(sid)
    pages = max(1, -(-len(matched) // page_size))
    page = min(query.page, pages)
    start = (page - 1) * page_size
    return Listing(
        query=replace(query, page=page),
        ids=matched[start : start + page_size],
        matched=len(matched),
        pages=pages,
        by_state={st: by_state.get(st, 0) for st in STATES},
        by_type=dict(sorted(by_type.items())),
        configured=len(sources),
        first=start + 1,
    )
