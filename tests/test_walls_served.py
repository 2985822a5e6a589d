"""Walls through `feedhub serve`: a hashtag merged from two Mastodon instances, and the
moderation queue (approved from the keyboard in Chromium, a rejection that sticks, decisions
that survive kill -9, rules that say why they held a post back)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.admin_support import csrf_of
from tests.bluesky_wall_support import HANDLE, PASSWORD, SEARCH, BlueskyService, search_source
from tests.conftest import ROOT, Daemon, Upstream, wait_until
from tests.wall_support import (
    INSTANCES,
    instance_answers,
    serve_tag,
    shows,
    start_wall,
    status,
    tag_path,
    tag_source,
    texts,
    wall_items,
)

ONE, TWO = INSTANCES["one"], INSTANCES["two"]


async def get(url: str, **kw: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, **kw) as resp:
        return resp.status, await resp.text()


async def every_output(d: Daemon) -> str:
    """What every public output of the wall says, one after the other."""
    out = []
    for path in ("/w/wall", "/w/wall.html", "/w/wall.json", "/w/wall.atom", "/w/wall.rss"):
        status_, body = await get(d.url + path)
        assert status_ == 200, path
        out.append(body)
    _, oembed = await get(f"{d.url}/oembed", params={"url": f"{d.url}/w/wall"})
    return "\n".join([*out, oembed])


async def queued(d: Daemon, words: str) -> None:
    """Wait until /admin/moderation lists a post saying `words` (the wall has polled)."""

    async def listed() -> bool:
        return words in (await get(f"{d.url}/admin/moderation"))[1]

    await wait_until(listed, timeout=20)


async def test_a_wall_merges_two_instances_and_a_bluesky_search_newest_first_once(
    upstream: Upstream, daemon: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22's merged wall: two Mastodon instances' tag timelines and a Bluesky search,
    newest first, a post seen on both instances once, authors who opted out left out."""
    serve_tag(upstream, instance_answers())
    BlueskyService(upstream)
    monkeypatch.setenv("BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)
    sources = {"fete": tag_source(upstream), "bsky": search_source(upstream)}
    d = start_wall(daemon, tmp_path, sources, {})
    await shows(d, "Quelle foule")
    await shows(d, "Les projections")
    items = await wall_items(d)
    order = [
        "Quelle foule",  # 20:50, second instance
        "Les projections",  # 20:45, Bluesky
        "Les lanternes de Fourvière",  # 20:40, first instance
        "La place des Terreaux",  # 20:30, on both instances
        "Vue depuis la passerelle",  # 20:15, Bluesky
        "Premier soir",  # 20:10, second instance
    ]
    said = [str(it["content_html"]) for it in items]
    assert len(said) == len(order)
    assert all(words in text for words, text in zip(order, said, strict=True)), said
    # The post both instances saw is one post, with its one address.
    carol = [it for it in items if "Terreaux" in str(it["content_html"])]
    assert len(carol) == 1 and carol[0]["url"] == f"https://{TWO}/@carol/1135{3:014d}"
    everything = await every_output(d)
    assert "Mes photos" not in everything  # bob: #nobot in his Mastodon profile
    assert "anonyme" not in everything  # hortense: !no-unauthenticated on Bluesky
    assert {tag_path("one"), tag_path("two")} <= {s.path for s in upstream.seen}
    assert upstream.requests_to(tag_path("one"))[0].query["limit"] == "40"
    assert upstream.requests_to(SEARCH)[-1].query == {
        "q": "#fete-des-lumieres",
        "sort": "latest",
        "limit": "25",
    }


@pytest.mark.browser
async def test_the_queue_approved_from_the_keyboard_rejection_sticks_and_survives_kill(
    upstream: Upstream, daemon: Any, tmp_path: Path, browser: Any
) -> None:
    serve_tag(upstream, instance_answers())
    sources = {"fete": tag_source(upstream)}
    d = start_wall(daemon, tmp_path, sources, {"moderation": "approve"}, interval="2s")
    await queued(d, "Quelle foule")
    outputs = await every_output(d)
    for words in ("Quelle foule", "Les lanternes", "Terreaux", "Premier soir"):
        assert words not in outputs  # waiting: in no output at all
    assert (await wall_items(d)) == []

    page = await browser.new_page()
    await page.goto(f"{d.url}/admin/moderation")
    first = page.locator("article.post").first
    assert "Quelle foule" in await first.inner_text()  # the newest waiting post
    await page.keyboard.press("j")
    await page.keyboard.press("a")
    dave = page.locator("article.post", has_text="Quelle foule")
    alice = page.locator("article.post", has_text="Les lanternes")

    def state_is(wanted: str, post: Any = alice) -> Any:
        async def check() -> bool:
            return await post.get_attribute("data-state") == wanted

        return check

    await wait_until(state_is("shown", dave), timeout=30)  # the page has its answer
    await shows(d, "Quelle foule")
    await page.keyboard.press("r")  # the next one (alice's): rejected

    await wait_until(state_is("rejected"), timeout=30)
    # Undone from the keyboard within 30 s: back in the queue, then rejected again.
    await page.keyboard.press("u")
    await wait_until(state_is("undone"), timeout=30)
    listed = (await get(f"{d.url}/admin/moderation"))[1]
    queue = listed.split('class="section-queue"')[1].split('class="section-held"')[0]
    assert "Les lanternes" in queue
    await page.keyboard.press("k")
    await page.keyboard.press("r")
    await wait_until(state_is("rejected"), timeout=30)
    outputs = await every_output(d)
    assert "Quelle foule" in outputs
    assert "Les lanternes" not in outputs and "Terreaux" not in outputs
    await page.close()

    # The upstream lists the rejected post again at every poll: it never comes back.
    polls = len(upstream.requests_to(tag_path("one")))
    await wait_until(lambda: len(upstream.requests_to(tag_path("one"))) >= polls + 2, timeout=20)
    assert "Les lanternes" not in await every_output(d)

    # kill -9, then the same config again: the decisions are still there.
    d.proc.kill()
    d.proc.wait()
    again = start_wall(daemon, tmp_path, sources, {"moderation": "approve"}, interval="2s")
    await shows(again, "Quelle foule")
    assert "Les lanternes" not in await every_output(again)
    _, admin = await get(f"{again.url}/admin/moderation")
    assert "approve by admin at" in admin and "reject by admin at" in admin


async def test_rules_hold_posts_back_before_the_queue_and_admin_says_why(
    upstream: Upstream, daemon: Any, tmp_path: Path
) -> None:
    answers = instance_answers()
    # alice posts twice the same day: the second is over a cap of one a day.
    answers["one"].insert(
        0, status(6, "alice", ONE, ONE, "2026-12-06T21:00:00.000Z", "Encore Fourvière")
    )
    serve_tag(upstream, answers)
    widget = {
        "moderation": "approve",
        "trusted": ["fete"],
        "filters": {"exclude": ["foule"]},
        "rules": {"per_author_per_day": 1},
    }
    d = start_wall(daemon, tmp_path, {"fete": tag_source(upstream)}, widget)
    await shows(d, "Terreaux")
    shown = await texts(d)
    assert not any("Quelle foule" in t or "Encore Fourvière" in t for t in shown)
    assert any("Les lanternes de Fourvière" in t for t in shown)  # alice's first of the day
    _, admin = await get(f"{d.url}/admin/moderation")
    assert "Held back: block word &#39;foule&#39;" in admin
    # (alice is a local account of the first instance: its handle names that instance)
    assert re.search(r"Held back: more than 1 posts by @alice@\S+ on 2026-12-06", admin)


async def test_moderation_export_prints_config_lines_the_config_accepts(
    upstream: Upstream, daemon: Any, tmp_path: Path
) -> None:
    serve_tag(upstream, instance_answers())
    widget = {"moderation": "approve", "hide": ["kept-by-config"]}
    d = start_wall(daemon, tmp_path, {"fete": tag_source(upstream)}, widget)
    await queued(d, "Quelle foule")
    status_, page = await get(f"{d.url}/admin/moderation")
    ids = [line.split('data-id="')[1].split('"')[0] for line in page.split("<article")[1:3]]
    async with aiohttp.ClientSession() as http:
        for action, item in (("reject", ids[0]), ("pin", ids[1])):
            form = {"csrf": csrf_of(page), "widget": "wall", "action": action, "item": item}
            async with http.post(f"{d.url}/admin/moderation", data=form) as resp:
                assert resp.status == 200  # followed the redirect back to the page
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "feedhub",
            "moderation",
            "export",
            "-c",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    exported = yaml.safe_load(out.stdout)
    assert exported == {"widgets": {"wall": {"hide": ["kept-by-config", ids[0]], "pin": [ids[1]]}}}
    await asyncio.sleep(0)
