"""What the Meta adapters (instagram, threads, facebook) share: the access token (renewed
when the platform allows it), cursor paging, and Meta's error bodies read as plain words.

Meta takes the token as the `access_token` query parameter, so every message that may quote
a URL goes through `redact` first. Paging follows `paging.cursors.after` rather than
`paging.next`, whose URL carries the token too.

A stored post keeps its Graph object id (`Item.extra[GRAPH_ID]`), so that the re-check of posts
older than the answer can ask for it: the Graph API answers a deleted object with HTTP 404, or
with error code 100 whose subcode is 33 ("does not exist"). Any other answer keeps the post.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from feedhub.config.sources import STORED
from feedhub.fetch.fetcher import FetchResult
from feedhub.models import FetchState, Item
from feedhub.sources import tokens
from feedhub.sources.base import ParseError, ParseFn, PollContext, PollResult, SourceAdapter
from feedhub.sources.social import arr, obj, text
from feedhub.sources.values import as_int, json_document, load_json

log = logging.getLogger(__name__)

AFTER = "after"  # meta key a page parser uses to pass the next cursor; never stored
GRAPH_ID = "graph_id"  # Item.extra: the post's Graph object id, for the re-check
MISSING_SUBCODE = 33  # error 100's subcode for an object that does not exist (or is hidden)
REFUSED = "token_refused"  # meta key a failed read sets when the token was refused; never stored
MAX_PAGES = 5
PAGE_SIZE = 50
TOKEN_CODES = {190, 102}  # invalid, expired or revoked token (102: session expired)
RATE_CODES = {4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006}
_EXPIRED_ON_RE = re.compile(r"expired on ([^.]+?)\.")


def graph_page(body: bytes) -> tuple[list[dict[str, Any]], str]:
    """The `data` objects of a Graph API page and the cursor of the next one ("" at the end).

    A cursor without a `paging.next` is the last page's: Meta sends `after` on it too.
    """
    doc = load_json(body, dict)
    if not isinstance(doc.get("data"), list):
        raise ParseError("no 'data' array: not a Graph API edge answer")
    paging = obj(doc.get("paging"))
    after = text(obj(paging.get("cursors")).get("after")) if paging.get("next") else ""
    return [obj(d) for d in doc["data"]], after


def graph_error(body: bytes) -> dict[str, Any]:
    """The `error` object of a Meta error answer, or {} when the body is not one."""
    try:
        doc = json_document(body)
    except ParseError:
        return {}
    return obj(obj(doc).get("error")) if isinstance(doc, dict) else {}


def day(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")


class GraphAdapter(SourceAdapter):
    """A source read through a Meta Graph edge with an access token."""

    platform: ClassVar[str] = ""  # "Instagram", for messages
    renew_grant: ClassVar[str] = ""  # the refresh_access_token grant type; "" = no renewal
    token_help: ClassVar[str] = ""  # where the site owner makes a new token
    parse: ClassVar[ParseFn]  # (body, url, source_id) -> (items, {"meta": {AFTER: cursor}})

    can_recheck = True

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self._secrets: set[str] = {cfg.token}
        self._token = ""  # the token the last poll used: the re-check that follows uses it

    def redact(self, message: str) -> str:
        return tokens.redact(message, *self._secrets)

    def edge(self) -> tuple[str, dict[str, str]]:
        """The edge's path (after the base URL) and its query, without the token."""
        raise NotImplementedError

    def parse_args(self) -> tuple[Any, ...]:
        """What the page parser takes after the source id (the source's options)."""
        return ()

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        if self.cfg.token == STORED:
            return PollResult(error="no account connected yet: connect one on /admin/connect")
        record = tokens.current(self.cfg.token, state.meta.get(tokens.TOKEN))
        self._secrets.add(record.value)
        now = time.time()
        if (
            self.renew_grant
            and ctx.renew_tokens
            and tokens.renewal_due(record, now, self.cfg.refresh_after)
        ):
            record = await self._renew(ctx, record, now)
        self._token = record.value
        result = await self._read(ctx, state, record)
        if result.meta.pop(REFUSED, False):
            record = tokens.refused(record, now, accepted=False)
        elif result.ok:
            record = tokens.refused(record, now, accepted=True)
        result.meta[tokens.TOKEN] = record.to_meta()
        result.error = self.redact(result.error)
        return result

    async def _renew(
        self, ctx: PollContext, record: tokens.TokenRecord, now: float
    ) -> tokens.TokenRecord:
        """Ask for a fresh token; on any failure keep the current one and say why."""
        query = urlencode({"grant_type": self.renew_grant, "access_token": record.value})
        res = await self.fetch(ctx, f"{self.base_url}/refresh_access_token?{query}")
        if res.error:
            problem = self.redact(self._meta_message(res) or res.error)
            log.warning(
                "source %s: %s token not renewed: %s", self.source_id, self.platform, problem
            )
            code = as_int(graph_error(res.body).get("code"))
            return tokens.failed(record, now, problem, refused=code in TOKEN_CODES)
        try:
            answer = json_document(res.body)
        except ParseError:
            answer = None
        fresh = tokens.renewed(record, answer, now)
        if fresh is None:
            return tokens.failed(record, now, "the renewal answer had no access_token")
        self._secrets.add(fresh.value)
        log.info(
            "source %s: %s token renewed%s",
            self.source_id,
            self.platform,
            f", valid until {day(fresh.expires)}" if fresh.expires else "",
        )
        return fresh

    async def _read(
        self, ctx: PollContext, state: FetchState, record: tokens.TokenRecord
    ) -> PollResult:
        """The edge's newest `limit` objects, a page at a time, the first one conditionally."""
        path, query = self.edge()
        query = {
            **query,
            "limit": str(min(self.cfg.limit, PAGE_SIZE)),
            "access_token": record.value,
        }
        first: PollResult | None = None
        items: list[Item] = []
        after = ""
        for page in range(MAX_PAGES):
            url = f"{self.base_url}{path}?" + urlencode(
                {**query, **({"after": after} if after else {})}
            )
            res = await self.fetch(ctx, url, state=state if page == 0 else None)
            if res.error:
                refused = self._refused(res)
                return PollResult(
                    error=self._failure(res, record),
                    status=res.status,
                    headers=res.headers,
                    meta={REFUSED: True} if refused else {},
                )
            part = await self.parse_answer(
                ctx,
                res,
                type(self).parse,
                self.source_id,
                *self.parse_args(),
                state=state if page == 0 else None,
            )
            if first is None:
                first = part
            else:
                first.headers = part.headers  # the latest usage figures
            if not part.ok or part.items is None:
                return part
            # Posts made between two page requests shift the pages: keep each post once.
            seen = {it.id for it in items}
            fresh = [it for it in part.items if it.id not in seen]
            items += fresh
            after = str(part.meta.pop(AFTER, "") or "")
            if len(items) >= self.cfg.limit or not after or not fresh:
                break
        assert first is not None
        first.meta.pop(AFTER, None)
        if page or len(items) > self.cfg.limit:
            first.replace_items(items[: self.cfg.limit])
        return first

    async def recheck(self, ctx: PollContext, items: list[Item]) -> set[str]:
        """Of these stored posts, those the Graph API says no longer exist (see above)."""
        version = self.edge()[0].strip("/").split("/", 1)[0]
        gone: set[str] = set()
        for item in items:
            object_id = str(item.extra.get(GRAPH_ID) or "")
            if not object_id or item.repost or not self._token:
                continue
            query = urlencode({"fields": "id", "access_token": self._token})
            url = f"{self.base_url}/{version}/{quote(object_id, safe='')}?{query}"
            res = await self.fetch(ctx, url)
            error = graph_error(res.body) if res.error else {}
            missing = as_int(error.get("code")) == 100 and (
                as_int(error.get("error_subcode")) == MISSING_SUBCODE
                or "does not exist" in text(error.get("message"))
            )
            if res.status == 404 or missing:
                gone.add(item.id)
        return gone

    def _meta_message(self, res: FetchResult) -> str:
        error = graph_error(res.body)
        message = text(error.get("message"))
        code = as_int(error.get("code"))
        return f"{message} (code {code})" if message and code is not None else message

    def _refused(self, res: FetchResult) -> bool:
        """Whether a failed request says the token itself is no good."""
        error = graph_error(res.body)
        return as_int(error.get("code")) in TOKEN_CODES or (res.status == 401 and not error)

    def _failure(self, res: FetchResult, record: tokens.TokenRecord) -> str:
        """What a failed edge request means for the site owner."""
        error = graph_error(res.body)
        code = as_int(error.get("code"))
        message = self.redact(text(error.get("message")))
        name = self.network
        if self._refused(res):
            expired = _EXPIRED_ON_RE.search(message)
            if record.expires and record.expires <= time.time():
                return (
                    f"{name} token expired on {day(record.expires)}: create a new one at"
                    f" {self.token_help}"
                )
            if expired or as_int(error.get("error_subcode")) == 463:
                when = expired.group(1) if expired else "an earlier date"
                return f"{name} token expired on {when}: create a new one at {self.token_help}"
            return (
                f"{name} token was refused ({message or res.error}): create a new one at"
                f" {self.token_help}"
            )
        if code in RATE_CODES or res.status == 429:
            return (
                f"rate limited by {self.platform} (code {code}): the next poll waits as"
                " the usage headers ask"
            )
        if message:
            return f"{self.platform} refused the request: {message} (code {code}, {res.error})"
        return res.error


def children(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A carousel's children (`children.data`)."""
    return [obj(c) for c in arr(obj(node.get("children")).get("data"))]
