"""The `mastodon_favourites` source: the posts the site's own Mastodon account favourited,
read to approve them. A moderated widget lists it in `approve_from`, and every post it holds
is approved on its own (publish/widgets.py records the decision): a person moderates from
the platform's app.

"View favourited statuses" (https://docs.joinmastodon.org/methods/favourites/#get):
`GET /api/v1/favourites` with a token of the account (scope `read:favourites`), newest
first, at most 40. A post's id is made from its URI, as in a tag timeline, so it names the
same post.
"""

from __future__ import annotations

from feedhub.models import FetchState
from feedhub.sources.base import PollContext, PollResult
from feedhub.sources.instance import InstanceAdapter
from feedhub.sources.mastodon import parse_statuses
from feedhub.sources.social import explain


class MastodonFavouritesAdapter(InstanceAdapter):
    network = "mastodon_favourites"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        url = f"{self.base_url}/api/v1/favourites?limit={self.cfg.limit}"
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_statuses,
            self.source_id,
            self.host,
            headers=self.auth(),
        )
        return explain(
            result, {401: "the token was refused: make a new one with the read:favourites scope"}
        )
