"""Asking a platform whether stored posts still exist: the re-check of posts older than the
latest answer (`SourceAdapter.recheck`). A post is counted as deleted only when the platform
says so plainly; a failed request, or a post that cannot be asked about, never is."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlencode, urlsplit

from feedhub.models import Item
from feedhub.sources.base import PollContext, SourceAdapter

BLUESKY_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs


async def statuses_gone(
    adapter: SourceAdapter,
    ctx: PollContext,
    base_url: str,
    items: Iterable[Item],
    headers: Mapping[str, str] | None = None,
) -> set[str]:
    """Mastodon's API (Pixelfed's too): `GET /api/v1/statuses/:id` answers 404 (or 410) for
    a deleted post. The id is the last part of the post's URL on the account's instance; a
    boost (another author's post) is not asked about."""
    gone: set[str] = set()
    for item in items:
        status_id = urlsplit(item.url).path.rstrip("/").rsplit("/", 1)[-1]
        if item.repost or not status_id.isdigit():
            continue
        res = await adapter.fetch(ctx, f"{base_url}/api/v1/statuses/{status_id}", headers=headers)
        if res.status in (404, 410):
            gone.add(item.id)
    return gone


def bluesky_uri(item: Item) -> tuple[str, str] | None:
    """The AT URI of a post from its bsky.app page (`/profile/{handle or DID}/post/{rkey}`),
    and its record key; None for a repost or another address."""
    parts = [unquote(p) for p in urlsplit(item.url).path.strip("/").split("/")]
    if item.repost or len(parts) != 4 or parts[0] != "profile" or parts[2] != "post":
        return None
    return f"at://{parts[1]}/app.bsky.feed.post/{parts[3]}", parts[3]


async def bluesky_posts_gone(
    adapter: SourceAdapter, ctx: PollContext, base_url: str, items: Iterable[Item]
) -> set[str]:
    """`app.bsky.feed.getPosts` leaves a deleted post out of its answer. A batch counts only
    when the AppView answered and returned at least one of the posts asked about (so it did
    resolve the account): then the posts it left out are deleted."""
    asked = [(item, found) for item in items if (found := bluesky_uri(item)) is not None]
    gone: set[str] = set()
    for start in range(0, len(asked), BLUESKY_BATCH):
        batch = asked[start : start + BLUESKY_BATCH]
        query = urlencode([("uris", uri) for _, (uri, _) in batch])
        res = await adapter.fetch(ctx, f"{base_url}/xrpc/app.bsky.feed.getPosts?{query}")
        if res.status != 200:
            continue
        try:
            posts = json.loads(res.body).get("posts")
        except (ValueError, AttributeError):
            continue
        if not isinstance(posts, list):
            continue
        keys = {str(p.get("uri", "")).rsplit("/", 1)[-1] for p in posts if isinstance(p, dict)}
        if keys:
            gone |= {item.id for item, (_, rkey) in batch if rkey not in keys}
    return gone
