"""What every source adapter shares: the poll contract and the fetch-then-parse step."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from feedhub.fetch.fetcher import Fetcher, FetchResult, Request
from feedhub.models import EncodedItems, FetchState, Item, RowMaker

log = logging.getLogger(__name__)

ParseFn = Callable[..., Any]
RunParse = Callable[..., Awaitable[Any]]


class ParseError(Exception):
    """An upstream answer that is not of the shape the adapter reads."""


def parse_and_encode(
    parse: ParseFn, body: bytes, url: str, *args: Any, rows: RowMaker | None = None
) -> tuple[Any, EncodedItems]:
    """In a parse worker: `parse`, then the items' JSON and digest, and the store's `rows`
    of them when it keeps other than JSON, so that the service's process (its event loop
    and its store thread) serializes nothing."""
    parsed = parse(body, url, *args)
    return parsed, EncodedItems.of(parsed[0] if isinstance(parsed, tuple) else parsed, rows)


@dataclass(slots=True)
class PollResult:
    """The outcome of one poll. `items` is None when the upstream said nothing changed."""

    items: list[Item] | None = None
    error: str = ""
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # merged into FetchState.meta
    ttl: float | None = None  # seconds; e.g. RSS <ttl>
    # True when `items` are only what is new since the last poll (X's since_id): the
    # poller merges them with the stored items instead of replacing those.
    incremental: bool = False
    # The items' JSON, digest and rows when the parse worker made them (`parse_and_encode`).
    encoded: EncodedItems | None = None
    # Ids of stored posts a re-check found deleted upstream (`SourceAdapter.recheck`).
    gone: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.error

    def replace_items(self, items: list[Item] | None) -> None:
        """Items other than the parsed ones: their JSON is no longer the worker's."""
        self.items, self.encoded = items, None


@dataclass(slots=True)
class PollContext:
    """What an adapter may use: the app's fetcher and the worker pool that parses."""

    fetcher: Fetcher
    run_parse: RunParse
    timeout: float
    max_bytes: int
    # False for a look that keeps nothing (`feedhub fetch`): a token is used, not renewed,
    # since the renewed one would be lost with the look and a platform may retire the old.
    renew_tokens: bool = True
    # The store's rows of the items, made in the parse worker beside their JSON.
    make_rows: RowMaker | None = None


class SourceAdapter:
    """Base of all adapters; a subclass says how to build its requests and parse the answers."""

    network: ClassVar[str] = "feed"
    default_base_url: ClassVar[str] = ""
    min_interval: ClassVar[float] = 0.0
    # Kept from poll to poll (a session, a token, an id looked up once); an adapter that
    # holds nothing but what its config gives says False, and is made anew for each use.
    kept: ClassVar[bool] = True

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        self.source_id = source_id
        self.cfg = cfg
        self.base_dir = base_dir
        self.base_url = (getattr(cfg, "base_url", None) or self.default_base_url).rstrip("/")

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        raise NotImplementedError

    can_recheck: ClassVar[bool] = False  # its platform says whether one post still exists

    async def recheck(self, ctx: PollContext, items: list[Item]) -> set[str]:
        """Of these stored posts (older than the latest answer, so not in it), the ids of
        those the platform says are deleted. An adapter whose platform can tell overrides
        this and sets `can_recheck`; a post it cannot ask about, or a failed request, is
        never counted as deleted."""
        return set()

    def redact(self, message: str) -> str:
        """`message` with the source's secrets taken out: adapters whose requests carry a
        token in the URL override it, and every message quoting a URL passes through it."""
        return message

    async def fetch(
        self,
        ctx: PollContext,
        url: str,
        *,
        state: FetchState | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> FetchResult:
        """GET `url`, conditionally when `state` is given; POST `body` when given."""
        res = await ctx.fetcher.get(
            Request(
                url=url,
                etag=state.etag if state else "",
                last_modified=state.last_modified if state else "",
                headers=headers or {},
                timeout=ctx.timeout,
                max_bytes=ctx.max_bytes,
                body=body,
            )
        )
        res.error = self.redact(res.error)
        return res

    async def fetch_and_parse(
        self,
        ctx: PollContext,
        url: str,
        parse: ParseFn,
        *args: Any,
        state: FetchState | None = None,
        headers: Mapping[str, str] | None = None,
        read_headers: bool = False,
    ) -> PollResult:
        """The common poll: conditional GET, then `parse(body, url, *args)` in a worker; with
        `read_headers`, parse also takes the answer's `document_headers` as `headers=`."""
        res = await self.fetch(ctx, url, state=state, headers=headers)
        return await self.parse_answer(
            ctx, res, parse, *args, state=state, read_headers=read_headers
        )

    async def parse_answer(
        self,
        ctx: PollContext,
        res: FetchResult,
        parse: ParseFn,
        *args: Any,
        state: FetchState | None = None,
        read_headers: bool = False,
    ) -> PollResult:
        """A fetched answer as a poll result: `parse(body, url, *args)` in a worker unless
        it failed or did not change since `state`."""
        result = PollResult(status=res.status, headers=res.headers)
        if res.error:
            result.error = res.error
            return result
        result.etag, result.last_modified = res.etag, res.last_modified
        if res.not_modified:
            return result
        if state and state.digest and res.etag and res.etag == state.etag:
            return result  # a 200 whose validator did not change: nothing new
        if read_headers:
            parse = partial(parse, headers=res.document_headers)
        where = self.redact(res.url)
        try:
            parsed, result.encoded = await ctx.run_parse(
                partial(parse_and_encode, rows=ctx.make_rows), parse, res.body, res.url, *args
            )
        except ParseError as exc:
            result.error = f"malformed answer from {where}: {exc}"
            return result
        except Exception as exc:  # a parser bug on hostile input must not stop the poller
            log.warning("parser failed on %s: %r", where, exc)
            result.error = f"malformed answer from {where}: {type(exc).__name__}: {exc}"
            return result
        if isinstance(parsed, tuple):
            result.items, extra = parsed
            result.ttl = extra.get("ttl")
            result.meta.update(extra.get("meta", {}))
        else:
            result.items = parsed
        return result
