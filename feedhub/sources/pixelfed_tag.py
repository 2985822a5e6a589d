"""The `pixelfed_tag` source: a hashtag's posts on a Pixelfed instance, for walls.

Pixelfed implements Mastodon's client API, hashtag timelines included
(https://docs.pixelfed.org/technical-documentation/api/ points to Mastodon's
https://docs.joinmastodon.org/methods/timelines/#tag): `GET /api/v1/timelines/tag/:hashtag`,
an array of Status. Many instances answer it only to logged-in users: `token` (an access
token of any account there) is sent when set. Posts marked sensitive are hidden or folded
(`sensitive`), and the consent rules apply to every author.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from feedhub.models import FetchState
from feedhub.sources.base import PollContext, PollResult
from feedhub.sources.instance import InstanceAdapter
from feedhub.sources.pixelfed import parse_pixelfed
from feedhub.sources.social import explain


class PixelfedTagAdapter(InstanceAdapter):
    network = "pixelfed_tag"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode({"limit": self.cfg.limit})
        url = f"{self.base_url}/api/v1/timelines/tag/{quote(self.cfg.tag, safe='')}?{query}"
        host = self.host
        result = await self.fetch_and_parse(
            ctx, url, parse_pixelfed, self.source_id, host, self.cfg.sensitive,
            state=state, headers=self.auth(),
        )  # fmt: skip
        need = f"{host} shows hashtags to logged-in users only: set token"
        return explain(result, {401: need, 403: need})
