"""The `bluesky_likes` source: the posts the site's own Bluesky account liked, read to
approve them (a widget's `approve_from`, as `mastodon_favourites`).

The account's like records are public in its repository: `com.atproto.repo.listRecords`
(https://docs.bsky.app/docs/api/com-atproto-repo-list-records) with
`collection=app.bsky.feed.like`; each record's `subject.uri` is the liked post's at-uri,
which is what a Bluesky post's id is made from.
"""

from __future__ import annotations

from urllib.parse import urlencode

from feedhub.config import BlueskyLikesSource
from feedhub.models import FetchState, Item, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.social import explain, obj, text
from feedhub.sources.values import iso_time, load_json


class BlueskyLikesAdapter(SourceAdapter):
    network = "bluesky_likes"

    def __init__(self, source_id: str, cfg: BlueskyLikesSource, base_dir: str = "."):
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.base_url = (cfg.base_url or cfg.service).rstrip("/")

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode(
            {"repo": self.cfg.did, "collection": "app.bsky.feed.like", "limit": self.cfg.limit}
        )
        url = f"{self.base_url}/xrpc/com.atproto.repo.listRecords?{query}"
        result = await self.fetch_and_parse(ctx, url, parse_likes, self.source_id, state=state)
        return explain(result, {400: f"no repository for {self.cfg.did} on {self.base_url}"})


def parse_likes(body: bytes, url: str, source_id: str) -> list[Item]:
    """The liked posts of a listRecords answer, one item each, named as a post is."""
    doc = load_json(body, dict)
    records = doc.get("records")
    if not isinstance(records, list):
        raise ParseError("no 'records' array: not a listRecords answer")
    items = []
    for record in map(obj, records):
        value = obj(record.get("value"))
        subject = text(obj(value.get("subject")).get("uri"))
        parts = subject.removeprefix("at://").split("/")
        if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
            continue  # a like of something else (a feed generator): nothing to approve
        items.append(
            Item(
                id=stable_id(subject),
                source=source_id,
                url=f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}",
                published=iso_time(value.get("createdAt")),
                network="bluesky",
                extra={"liked": subject},
            )
        )
    return items
