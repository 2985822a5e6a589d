"""The `mastodon_tag` source: a hashtag's public timeline, read from several instances and
merged into one wall.

Mastodon's documentation, "View hashtag timeline"
(https://docs.joinmastodon.org/methods/timelines/#tag): `GET /api/v1/timelines/tag/:hashtag`
answers an array of Status, newest first, at most 40 (`limit`); `any[]`, `all[]` and
`none[]` add more tags to match, `local=true` keeps the instance's own accounts' posts,
`only_media=true` posts with attachments. Instances that turned off the "public timeline
preview" answer 422 or 401 to clients without a token.

Each instance sees only the posts that reached it, so a wall reads several. A post seen
through two instances has the same URI on both (its id differs: it is each instance's own),
so items are keyed by URI and kept once, from the first instance listed that has it. The
consent rules apply to every author (`consent.py`), and only public posts show (a token-less
answer has no others; `parse_statuses` checks it anyway).

With more than one instance the merged answer is not one window of the tag's posts (a quiet
instance reaches further back than a busy one), so the poll adds to the stored posts instead
of replacing them: a post deleted upstream leaves when `max_age` or `max_items` says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from feedhub.config import MastodonTagSource
from feedhub.models import FetchState, Item
from feedhub.sources.base import PollContext, PollResult, SourceAdapter
from feedhub.sources.consent import WITHHELD
from feedhub.sources.mastodon import parse_statuses
from feedhub.sources.social import explain


class MastodonTagAdapter(SourceAdapter):
    network = "mastodon_tag"

    def __init__(self, source_id: str, cfg: MastodonTagSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        if cfg.base_url:  # one instance, reached elsewhere (a test's stand-in)
            self.instances = [cfg.base_url]
        else:
            self.instances = list(cfg.instances)

    def url_for(self, base: str) -> str:
        params: list[tuple[str, str]] = [("limit", str(self.cfg.limit))]
        params += [("any[]", t) for t in self.cfg.any]
        params += [("all[]", t) for t in self.cfg.all]
        params += [("none[]", t) for t in self.cfg.none]
        if self.cfg.local:
            params.append(("local", "true"))
        if self.cfg.only_media:
            params.append(("only_media", "true"))
        return f"{base}/api/v1/timelines/tag/{quote(self.cfg.tag, safe='')}?{urlencode(params)}"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        results: list[tuple[str, PollResult]] = []
        for base in self.instances:
            host = urlsplit(base).netloc
            result = await self.fetch_and_parse(
                ctx, self.url_for(base), parse_statuses, self.source_id, host
            )
            explain(
                result,
                {
                    401: f"{host} shows its hashtag timelines to logged-in users only",
                    422: f"{host} shows its hashtag timelines to logged-in users only",
                },
            )
            results.append((host, result))
        return merge_answers(results)


def merge_answers(results: list[tuple[str, PollResult]]) -> PollResult:
    """One result from each instance's: posts kept once (by id, which is made from the
    URI), newest first. It fails only when every instance failed; one that failed alone
    takes nothing away (the merged answer only adds)."""
    if len(results) == 1:
        return results[0][1]
    failed = [(host, r) for host, r in results if not r.ok]
    if len(failed) == len(results):
        first = failed[0][1]
        first.error = "; ".join(f"{host}: {r.error}" for host, r in failed)
        return first
    merged = PollResult(items=[], status=200, incremental=True)
    seen: set[str] = set()
    items: list[Item] = []
    withheld: dict[str, Any] = {}
    for _, result in results:
        withheld.update(result.meta.get(WITHHELD, {}))
        for item in result.items or []:
            if item.id not in seen:
                seen.add(item.id)
                items.append(item)
    items.sort(key=lambda it: (it.rank, it.id), reverse=True)
    merged.items = items
    merged.meta[WITHHELD] = withheld
    return merged
