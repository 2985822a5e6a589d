"""The `instagram_tag` source: recent public posts with a hashtag, for walls.

Instagram Graph API (Facebook Login, a business or creator account, the `instagram_basic`
permission and the *Instagram Public Content Access* feature): "Hashtag Search"
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-hashtag-search)
`GET /ig_hashtag_search?user_id=…&q=…` answers the hashtag's id, looked up once and kept in
the fetch state; "IG Hashtag Recent Media"
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-hashtag/recent-media)
`GET /{hashtag-id}/recent_media?user_id=…&fields=…` the posts of the last 24 hours, newest
first, 50 a page. Limits: an account may query 30 different hashtags in 7 days; the media
have no author (the API does not say who posted), and no alt text.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

from feedhub.config import InstagramTagSource
from feedhub.models import FetchState, Item
from feedhub.sources.base import ParseError, ParseFn, PollContext, PollResult
from feedhub.sources.graph import AFTER, GraphAdapter, graph_page
from feedhub.sources.instagram import VERSION, media_item
from feedhub.sources.social import FOUND_ID, cached_id, merge_lookup, obj, text
from feedhub.sources.values import load_json

TAG_FIELDS = "id,caption,media_type,media_url,permalink,timestamp,children{media_type,media_url}"


def parse_hashtag(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """The hashtag's id from an `ig_hashtag_search` answer."""
    data = load_json(body, dict).get("data")
    found = text(obj(data[0]).get("id")) if isinstance(data, list) and data else ""
    if not found:
        raise ParseError("no hashtag id in the ig_hashtag_search answer")
    return [], {"meta": {FOUND_ID: found}}


def parse_recent(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `recent_media` page, and the cursor of the next page."""
    data, after = graph_page(body)
    return [media_item(m, source_id) for m in data], {"meta": {AFTER: after}}


class InstagramTagAdapter(GraphAdapter):
    network = "instagram_tag"
    platform = "Instagram"
    default_base_url = "https://graph.facebook.com"
    token_help = "https://developers.facebook.com/tools/explorer/ (a token with instagram_basic)"
    parse: ClassVar[ParseFn] = staticmethod(parse_recent)

    def __init__(self, source_id: str, cfg: InstagramTagSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.tag = cfg.tag.lstrip("#").lower()
        self.hashtag_id = ""

    def edge(self) -> tuple[str, dict[str, str]]:
        fields = {"user_id": self.cfg.user_id, "fields": TAG_FIELDS}
        return f"/{VERSION}/{self.hashtag_id}/recent_media", fields

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode(
            {"user_id": self.cfg.user_id, "q": self.tag, "access_token": self.cfg.token}
        )
        self.hashtag_id, lookup = await cached_id(
            self, ctx, state, self.tag, f"{self.base_url}/{VERSION}/ig_hashtag_search?{query}",
            parse_hashtag,
        )  # fmt: skip
        if not lookup.ok:
            lookup.error = self.redact(lookup.error)
            return lookup
        return merge_lookup(await super().poll(ctx, state), lookup)
