"""Deletions and edits follow the author, through `feedhub serve` and a Mastodon stand-in on
the local upstream: a post deleted upstream leaves every output within one poll and its
image leaves the media cache; an edited post shows its new text and its new image."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.conftest import Upstream, fixture_bytes, free_port, wait_until, write_config
from tests.history_support import get
from tests.media_support import m_urls
from tests.png import placeholder_png

ACCOUNT = "109318924817261534"
STATUSES = f"/api/v1/accounts/{ACCOUNT}/statuses"
START = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
FORMATS = ("html", "json", "atom", "rss")


class Timeline:
    """An account's posts as a Mastodon instance answers them: its 20 newest per request."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.posts: dict[int, dict[str, Any]] = {}
        self.requests = 0
        upstream.set(
            "/api/v1/accounts/lookup", fixture_bytes("mastodon/lookup.json"), "application/json"
        )
        upstream.routes[STATUSES] = self.statuses
        self.asked: list[tuple[str, int]] = []  # re-checks: (status id, the answer's status)

    def add(self, n: int, text: str = "", image: str = "") -> None:
        status_id = str(113520000000000000 + n)
        image = image or f"/img/{n}.png"
        self.upstream.set(image, placeholder_png(image, 160, 120), "image/png")
        self.upstream.routes[f"/api/v1/statuses/{status_id}"] = self.status
        self.posts[n] = {
            "id": status_id,
            "created_at": (START + timedelta(hours=n)).isoformat().replace("+00:00", "Z"),
            "edited_at": None,
            "in_reply_to_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://toot.example/users/hub/statuses/{status_id}",
            "url": f"https://toot.example/@hub/{status_id}",
            "content": f"<p>{text or f'Toot number {n}'}</p>",
            "reblog": None,
            "account": {
                "id": ACCOUNT,
                "username": "hubservateur",
                "acct": "hubservateur",
                "display_name": "Hub",
                "url": "https://toot.example/@hubservateur",
            },
            "media_attachments": [
                {
                    "id": f"9{status_id}",
                    "type": "image",
                    "url": self.upstream.url(image),
                    "preview_url": self.upstream.url(image),
                    "description": f"Picture {n}",
                    "meta": {"original": {"width": 160, "height": 120}},
                }
            ],
            "mentions": [],
            "tags": [],
            "emojis": [],
        }

    def edit(self, n: int, text: str, image: str) -> None:
        created = self.posts[n]["created_at"]
        self.add(n, text, image)
        self.posts[n]["created_at"] = created
        self.posts[n]["edited_at"] = (START + timedelta(days=30)).isoformat()

    async def status(self, request: web.Request) -> web.Response:
        """GET /api/v1/statuses/:id: the post, or 404 once deleted."""
        status_id = request.path.rsplit("/", 1)[-1]
        found = [p for p in self.posts.values() if p["id"] == status_id]
        self.asked.append((status_id, 200 if found else 404))
        if not found:
            return web.json_response({"error": "Record not found"}, status=404)
        return web.json_response(found[0])

    async def statuses(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.query.get("pinned") == "true":
            return web.json_response([])
        newest = sorted(self.posts, reverse=True)[:20]
        return web.json_response([self.posts[n] for n in newest])

    async def polled(self) -> None:
        """Once a poll that read the timeline as it is now has been recorded."""
        seen = self.requests
        await wait_until(lambda: self.requests >= seen + 4, timeout=20)  # 2 requests a poll


async def outputs(url: str) -> dict[str, str]:
    bodies = {}
    for fmt in FORMATS:
        status, body = await get(f"{url}/w/toots.{fmt}")
        assert status == 200, body
        bodies[fmt] = body
    return bodies


async def test_deleted_and_edited_posts_follow_the_author(tmp_path, upstream, daemon):
    timeline = Timeline(upstream)
    for n in range(1, 21):
        timeline.add(n)
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
            "fetch": {"allow_private_addresses": True, "interval": "1s"},
            "media": {"proxy": True, "dir": str(tmp_path / "media")},
            "sources": {
                "hub": {
                    "type": "mastodon",
                    "account": "@hubservateur@toot.example",
                    "base_url": upstream.base_url,
                    "interval": "1s",
                }
            },
            "widgets": {"toots": {"sources": ["hub"], "limit": 100}},
        },
    )
    d = daemon(config, port)

    async def count() -> int:
        return len(json.loads((await outputs(d.url))["json"])["items"])

    await wait_until(lambda: count_is(count, 20), timeout=20)
    # Five new posts: the five oldest scroll out of the answer and stay.
    for n in range(21, 26):
        timeline.add(n)
    await timeline.polled()
    assert await count() == 25

    # Post 15, inside the answer's window, is deleted upstream.
    before = await outputs(d.url)
    assert all("113520000000000015" in body for body in before.values())
    del timeline.posts[15]
    await timeline.polled()
    after = await outputs(d.url)
    for fmt, body in after.items():
        assert "Toot number 15" not in body, fmt
        assert "113520000000000015" not in body, fmt
        # Post 14 (in the window) and post 1 (scrolled out long ago) are still there.
        assert "113520000000000014" in body and "113520000000000001" in body, fmt
    gone = set(m_urls(before["html"])) - set(m_urls(after["html"]))
    assert gone, "the deleted post's image was shown through /m/"
    for url in gone:
        status, _ = await get(url)
        assert status == 404, url
    assert await count() == 24

    # Post 22 is edited: new words, a new picture.
    timeline.edit(22, "Toot number 22, corrected", "/img/22-v2.png")
    await timeline.polled()
    edited = await outputs(d.url)
    for fmt, body in edited.items():
        assert "Toot number 22, corrected" in body, fmt
    old_images = set(m_urls(after["html"])) - set(m_urls(edited["html"]))
    new_images = set(m_urls(edited["html"])) - set(m_urls(after["html"]))
    assert old_images and new_images
    for url in old_images:
        status, _ = await get(url)
        assert status == 404, url
    for url in new_images:
        status, _ = await get(url)
        assert status == 200, url
    assert upstream.requests_to("/img/22-v2.png")


async def count_is(count, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return await count() == expected


async def test_a_post_older_than_the_answer_leaves_after_the_recheck(tmp_path, upstream, daemon):
    timeline = Timeline(upstream)
    for n in range(1, 31):
        timeline.add(n)
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
            "fetch": {"allow_private_addresses": True, "interval": "1s", "recheck": "1s"},
            "sources": {
                "hub": {
                    "type": "mastodon",
                    "account": "@hubservateur@toot.example",
                    "base_url": upstream.base_url,
                }
            },
            "widgets": {"toots": {"sources": ["hub"], "limit": 100}},
        },
    )
    # First the 20 newest of posts 1-20, then 10 newer ones: posts 1-10 scroll out.
    later = {n: timeline.posts.pop(n) for n in list(timeline.posts) if n > 20}
    d = daemon(config, port)

    async def ids() -> str:
        return (await outputs(d.url))["json"]

    await wait_until(lambda: has(ids, "113520000000000001"), timeout=20)
    timeline.posts.update(later)
    await timeline.polled()
    assert "113520000000000001" in await ids()  # scrolled out, kept
    # Post 3 is deleted long after it left the answer: no answer says so, the re-check does.
    del timeline.posts[3]
    await wait_until(lambda: has(ids, "113520000000000003", False), timeout=20)
    assert ("113520000000000003", 404) in timeline.asked
    body = await outputs(d.url)
    for fmt, text in body.items():
        assert "113520000000000003" not in text, fmt
        assert "113520000000000002" in text and "113520000000000004" in text, fmt
    # Asked only about posts older than the answer (the 20 newest), never one still in it.
    answer_ids = {p["id"] for p in sorted(timeline.posts.values(), key=lambda p: p["id"])[-20:]}
    assert not answer_ids & {sid for sid, _ in timeline.asked}


async def has(read, text: str, present: bool = True) -> bool:  # type: ignore[no-untyped-def]
    return (text in await read()) is present
