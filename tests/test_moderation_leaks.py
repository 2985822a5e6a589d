"""A waiting post leaks nowhere: not in an output, not in a widget's version or ETag, not in
the oEmbed answer; once approved it is in all of them. /admin/moderation shows hostile posts
harmless, and its decisions need the admin session and the form token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.admin_support import csrf_of
from tests.conftest import Upstream, make_config
from tests.wall_support import INSTANCES, instance_answers, serve_tag, status

PATHS = ("/w/wall", "/w/wall.html", "/w/wall.json", "/w/wall.atom", "/w/wall.rss", "/w/wall.js")


async def test_a_new_waiting_post_changes_no_output_version_or_etag(
    upstream: Upstream, tmp_path: Path, feedhub_service: Any
) -> None:
    answers = instance_answers()
    serve_tag(upstream, answers)
    config = make_config(
        tmp_path,
        {
            "sources": {
                "fete": {
                    "type": "mastodon_tag",
                    "tag": "fetedeslumieres",
                    "instances": ["lyon.example"],
                    "base_url": upstream.url("/one"),
                },
                "city": {
                    "type": "mastodon_tag",
                    "tag": "fetedeslumieres",
                    "instances": ["piaille.example"],
                    "base_url": upstream.url("/two"),
                },
            },
            "widgets": {
                "wall": {"sources": ["fete", "city"], "moderation": "approve", "trusted": ["city"]}
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()

    async def snapshot() -> dict[str, tuple[str, str]]:
        out = {}
        for path in PATHS:
            status_, body, headers = await running.get(path)
            assert status_ == 200
            out[path] = (body, headers["ETag"])
        _, oembed, _ = await running.get("/oembed", params={"url": "http://127.0.0.1:8080/w/wall"})
        out["oembed"] = (oembed, "")
        return out

    before = await snapshot()
    assert "Quelle foule" in before["/w/wall.json"][0]  # the trusted source's posts show
    assert "Les lanternes" not in "".join(b for b, _ in before.values())
    version = re.search(r'data-fh-version="(\w+)"', before["/w/wall"][0])
    assert version

    # A new post arrives from the untrusted source: it waits, and nothing moves.
    one = INSTANCES["one"]
    answers["one"].insert(0, status(7, "fanny", one, one, "2026-12-06T21:10:00.000Z", "Nouveau"))
    await running.poll_all()
    assert await snapshot() == before
    assert running.service.widgets.versions["wall"] == version.group(1)

    # Approved, it is in every output, under a new version and new ETags.
    decided = running.service.widgets.decisions
    waiting = await running.service.store.get_items("fete")
    new = next(it for it in waiting if "Nouveau" in it.content_html)
    await decided.decide("wall", new.id, "approve", "test")
    await running.service.widgets.moderation_changed("wall", reload=False)
    after = await snapshot()
    for path in PATHS[:-1]:  # the embed script is the same whatever the items
        assert after[path][1] != before[path][1], path
    assert "Nouveau" in after["/w/wall.json"][0] and "Nouveau" in after["/w/wall.rss"][0]
    assert running.service.widgets.versions["wall"] != version.group(1)


async def test_the_moderation_page_shows_hostile_posts_harmless(
    upstream: Upstream, tmp_path: Path, feedhub_service: Any
) -> None:
    one = INSTANCES["one"]
    hostile = status(12, "mallory", one, one, "2026-12-06T21:30:00.000Z", "Regardez")
    hostile["content"] = (
        '<p>Regardez<img src="x" onerror="alert(1)"><script>alert(2)</script>'
        '<a href="javascript:alert(3)">ici</a></p>'
    )
    hostile["account"]["display_name"] = '<img src=x onerror="alert(4)">Mallory'
    hostile["url"] = "javascript:alert(5)"
    serve_tag(upstream, {"one": [hostile], "two": []})
    config = make_config(
        tmp_path,
        {
            "sources": {
                "fete": {
                    "type": "mastodon_tag",
                    "tag": "fetedeslumieres",
                    "instances": ["lyon.example"],
                    "base_url": upstream.url("/one"),
                }
            },
            "widgets": {"wall": {"sources": ["fete"], "moderation": "approve"}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    status_, page, headers = await running.get("/admin/moderation")
    assert status_ == 200 and "Regardez" in page
    # The name is shown as the text it is; the markup of the post is cleaned.
    assert "&lt;img src=x onerror=&#34;alert(4)&#34;&gt;Mallory" in page
    assert "<script>alert" not in page and 'onerror="' not in page
    assert 'href="javascript:' not in page and "alert(1)" not in page and "alert(5)" not in page
    assert "script-src 'sha256-" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


async def test_decisions_need_the_admin_session_and_the_form_token(
    upstream: Upstream, tmp_path: Path, feedhub_service: Any
) -> None:
    serve_tag(upstream, instance_answers())
    config = make_config(
        tmp_path,
        {
            "admin": {"token": "s3cret-admin"},
            "sources": {
                "fete": {
                    "type": "mastodon_tag",
                    "tag": "fetedeslumieres",
                    "instances": ["lyon.example"],
                    "base_url": upstream.url("/one"),
                }
            },
            "widgets": {"wall": {"sources": ["fete"], "moderation": "approve"}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    (item,) = [
        it for it in await running.service.store.get_items("fete") if it.author.name == "Alice"
    ]
    form = {"widget": "wall", "action": "approve", "item": item.id}
    client = running.client
    assert (await client.get("/admin/moderation")).status == 401
    assert (await client.post("/admin/moderation", data=form)).status == 401
    login = await client.post("/admin/login", data={"token": "s3cret-admin"}, allow_redirects=False)
    assert login.status == 303  # the session cookie is set
    page = await (await client.get("/admin/moderation")).text()
    refused = await client.post("/admin/moderation", data={**form, "csrf": "0" * 64})
    assert refused.status == 403 and "form token" in await refused.text()
    assert running.service.widgets.decisions.of("wall") == {}
    bad = await client.post(
        "/admin/moderation", data={**form, "csrf": csrf_of(page), "action": "boost"}
    )
    assert bad.status == 400
    unknown = await client.post(
        "/admin/moderation", data={**form, "csrf": csrf_of(page), "widget": "nope"}
    )
    assert unknown.status == 404
    done = await client.post(
        "/admin/moderation",
        data={**form, "csrf": csrf_of(page)},
        headers={"Accept": "application/json"},
    )
    assert done.status == 200 and (await done.json()) == {"action": "approve", "done": [item.id]}
    assert "Les lanternes" in (await running.get("/w/wall.json"))[1]
