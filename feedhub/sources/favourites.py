"""The site's own favourites and likes, read to approve the posts they name: a moderated
widget lists such a source in `approve_from`, and every post it holds is approved on its own
(publish/widgets.py records the decision). A person moderates from the platform's app.

- `mastodon_favourites`: "View favourited statuses"
  (https://docs.joinmastodon.org/methods/favourites/#get), `GET /api/v1/favourites` with a
  token of the account (scope `read:favourites`), newest first, at most 40. A post's id here
  is made from its URI, as in a tag timeline, so it names the same post.
- `bluesky_likes`: the account's like records, public in its repository
  (`com.atproto.repo.listRecords`, https://docs.bsky.app/docs/api/com-atproto-repo-list-records,
  `collection=app.bsky.feed.like`): each record's `subject.uri` is the liked post's at-uri,
  which is what a Bluesky post's id is made from.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from feedhub.config import BlueskyLikesSource, MastodonFavouritesSource
from feedhub.models import FetchState, Item, stable_id
from feedhub.sources import tokens
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.mastodon import parse_statuses
from feedhub.sources.social import explain, obj, text
from feedhub.sources.values import iso_time, load_json


class MastodonFavouritesAdapter(SourceAdapter):
    network = "mastodon_favourites"

    def __init__(self, source_id: str, cfg: MastodonFavouritesSource, base_dir: str = "."):
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.base_url = (cfg.base_url or cfg.instance).rstrip("/")

    def redact(self, message: str) -> str:
        return tokens.redact(message, self.cfg.token)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        url = f"{self.base_url}/api/v1/favourites?limit={self.cfg.limit}"
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_statuses,
            self.source_id,
            urlsplit(self.cfg.instance).netloc,
            headers={"Authorization": f"Bearer {self.cfg.token}"},
        )
        return explain(
            result, {401: "the token was refused: make a new one with the read:favourites scope"}
        )


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
