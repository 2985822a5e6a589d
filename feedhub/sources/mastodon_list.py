"""The `mastodon_list` source: a list's timeline of the site's Mastodon account, for walls.

Mastodon's documentation, "View list timeline"
(https://docs.joinmastodon.org/methods/timelines/#list): `GET /api/v1/timelines/list/:list_id`
with a token of the list's owner (scope `read:lists`), an array of Status, newest first, at
most 40. With a token an answer may hold posts for followers only and direct messages:
`parse_statuses` keeps public ones only, and the consent rules apply to every author.
"""

from __future__ import annotations

from urllib.parse import quote

from feedhub.models import FetchState
from feedhub.sources.base import PollContext, PollResult
from feedhub.sources.instance import InstanceAdapter
from feedhub.sources.mastodon import parse_statuses
from feedhub.sources.social import explain


class MastodonListAdapter(InstanceAdapter):
    network = "mastodon_list"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        path = f"/api/v1/timelines/list/{quote(self.cfg.list_id)}"
        url = f"{self.base_url}{path}?limit={self.cfg.limit}"
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_statuses,
            self.source_id,
            self.host,
            state=state,
            headers=self.auth(),
        )
        return explain(
            result,
            {
                401: "the token was refused: make a new one with the read:lists scope",
                404: f"no list {self.cfg.list_id} of the token's account",
            },
        )
