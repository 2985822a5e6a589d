"""The `tumblr_tag` source: recent posts with a tag on Tumblr, for walls.

Tumblr's API v2, "/tagged – Get Posts with Tag"
(https://www.tumblr.com/docs/en/api/v2#tagged--get-posts-with-tag): `GET /v2/tagged?tag=…`
with the app's `api_key`, at most 20 posts (`limit`), newest first; `response` is the array
of posts, each carrying its `blog`. `npf=true` asks for Neue Post Format content, read as
the `tumblr` source reads it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from feedhub.config import TumblrTagSource
from feedhub.models import FetchState, Item
from feedhub.sources import tokens
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.posts import keep_sensitive
from feedhub.sources.social import explain, obj
from feedhub.sources.tumblr import post_item
from feedhub.sources.values import load_json


class TumblrTagAdapter(SourceAdapter):
    network = "tumblr_tag"
    default_base_url = "https://api.tumblr.com"

    def __init__(self, source_id: str, cfg: TumblrTagSource, base_dir: str = "."):
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg

    def redact(self, message: str) -> str:
        return tokens.redact(message, self.cfg.api_key)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode(
            {
                "tag": self.cfg.tag,
                "api_key": self.cfg.api_key,
                "npf": "true",
                "limit": self.cfg.limit,
            }
        )
        result = await self.fetch_and_parse(
            ctx, f"{self.base_url}/v2/tagged?{query}", parse_tagged, self.source_id,
            self.cfg.sensitive, state=state,
        )  # fmt: skip
        result.error = self.redact(result.error)
        return explain(
            result, {401: "Tumblr refused the API key: check the source's api_key (TUMBLR_API_KEY)"}
        )


def parse_tagged(body: bytes, url: str, source_id: str, sensitive: str = "hide") -> list[Item]:
    """Items of a `/v2/tagged` answer (`response` is the array of posts)."""
    doc = load_json(body, dict)
    posts = doc.get("response")
    if not isinstance(posts, list):
        raise ParseError("no response array: not a Tumblr tagged answer")
    items = [post_item(obj(p), source_id, obj(obj(p).get("blog"))) for p in posts]
    return keep_sensitive(items, sensitive)
