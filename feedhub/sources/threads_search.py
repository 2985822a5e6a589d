"""The `threads_search` source: Threads posts matching a keyword or a tag, for walls.

Threads API, "Keyword Search"
(https://developers.facebook.com/docs/threads/keyword-search): `GET /keyword_search?q=…`
with `search_type` (`TOP` or `RECENT`) and `search_mode` (`KEYWORD` or `TAG`), a token with
`threads_basic` and `threads_keyword_search`. Until the app is approved for that permission,
a search finds only the token owner's own posts; an app may run 2,200 searches a day. The
posts are read as the `threads` source reads them; the token is used as given (a `threads`
source renews its own copy).
"""

from __future__ import annotations

from typing import Any, ClassVar

from feedhub.models import Item
from feedhub.sources.base import ParseFn
from feedhub.sources.graph import AFTER, GraphAdapter, graph_page
from feedhub.sources.threads import POST_FIELDS, VERSION, thread_item


def parse_found(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `keyword_search` page, and the cursor of the next page."""
    data, after = graph_page(body)
    return [thread_item(t, source_id) for t in data], {"meta": {AFTER: after}}


class ThreadsSearchAdapter(GraphAdapter):
    network = "threads_search"
    platform = "Threads"
    default_base_url = "https://graph.threads.net"
    token_help = "https://developers.facebook.com/apps (your app > Use cases > Threads API)"
    parse: ClassVar[ParseFn] = staticmethod(parse_found)

    def edge(self) -> tuple[str, dict[str, str]]:
        query = {
            "q": self.cfg.q,
            "search_type": self.cfg.search_type,
            "search_mode": self.cfg.search_mode,
            "fields": POST_FIELDS,
        }
        return f"/{VERSION}/keyword_search", query
