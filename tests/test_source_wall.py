"""One widget mixing all thirteen source types, through the service's HTTP interface: every
item present, newest first, linked to its permalink, its media with their alt text, in every
layout and every feed format; and what each new type must show of its platform."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from markupsafe import escape

from tests.conftest import fixture_bytes, make_config
from tests.new_sources import NEW_TYPES
from tests.widget_cases import CASES

LAYOUTS = ("sidebar", "cards", "list", "ticker")
TEXT_ONLY = {"list", "ticker"}  # a line per post, no pictures
ATOM = "{http://www.w3.org/2005/Atom}"


async def wall(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    sources = {"blog": {"type": "feed", "url": upstream.url("/feed")}}
    for name, case in CASES.items():
        case.serve(upstream)
        sources[name] = {**case.source, "base_url": upstream.base_url + case.prefix}
        if name in ("mastodon", "bluesky"):
            sources[name]["pinned"] = False
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": sources,
                "widgets": {"wall": {"title": "Partout", "sources": list(sources), "limit": 200}},
            },
        )
    )
    await running.poll_all()
    for sid, state in running.service.states.items():
        assert state.errors == 0 and state.item_count > 0, (sid, state.last_error)
    return running


async def test_every_item_of_every_type_in_every_output(tmp_path, upstream, feedhub_service):
    running = await wall(tmp_path, upstream, feedhub_service)
    items = await running.service.widgets.items("wall")
    assert {it.network for it in items} >= {"feed", *CASES}
    dated = [it.sort_time for it in items if not it.pinned]  # pins first, then by date
    assert dated == sorted(dated, reverse=True)
    assert items[: sum(it.pinned for it in items)] == [it for it in items if it.pinned]
    assert all(it.url for it in items)

    status, body, _ = await running.get("/w/wall.json")
    assert status == 200
    assert [e["url"] for e in json.loads(body)["items"]] == [it.url for it in items], (
        "JSON Feed: every item, newest first"
    )
    status, body, _ = await running.get("/w/wall.atom")
    assert status == 200
    links = [e.find(f"{ATOM}link").get("href") for e in ET.fromstring(body).iter(f"{ATOM}entry")]
    assert links == [it.url for it in items]
    status, body, _ = await running.get("/w/wall.rss")
    assert status == 200
    assert [e.findtext("link") for e in ET.fromstring(body).iter("item")] == [
        it.url for it in items
    ], body[:2000]

    for layout in LAYOUTS:
        status, body, _ = await running.get(f"/w/wall.html?theme={layout}")
        assert status == 200, layout
        positions = [body.find(f'href="{escape(it.url)}"') for it in items]
        assert -1 not in positions, f"{layout}: an item without its permalink"
        assert positions == sorted(positions), f"{layout}: not newest first"
        for it in items if layout not in TEXT_ONLY else ():
            for m in it.media:
                if m.alt and m.type in ("image", "video"):
                    assert f'alt="{escape(m.alt)}"' in body, (layout, it.network, m.alt)


async def test_what_each_new_type_shows(tmp_path, upstream, feedhub_service):
    running = await wall(tmp_path, upstream, feedhub_service)
    _, body, _ = await running.get("/w/wall.html")
    # An Instagram carousel shows all its images (and its video by its thumbnail).
    for part in ("468001_n.jpg", "468002_n.jpg", "468003_thumb.jpg"):
        assert part in body
    # A Threads quote post and a Tumblr reblog credit the original.
    assert "La piste de la rue Garibaldi ouvre lundi.</p><p>— <a" in body
    assert 'href="https://www.threads.net/@velo_lyon/post/DCvl0001"' in body
    assert "Hubservateur reposted" in body and "Vélo à Lyon" in body
    # A PeerTube video shows its duration; a Lemmy link post its link and its score.
    assert '<span class="fh-duration">1:02:05</span>' in body
    assert 'href="https://www.example.org/ligne-4/calendrier"' in body
    assert '<span class="fh-score"><span aria-hidden="true">▲</span> 42</span>' in body
    # NSFW posts are not shown by default (Lemmy, PeerTube, Pixelfed, Tumblr).
    for hidden in (
        "Photos de l&#39;accident (NSFW)",
        "https://lemmy.example/post/31004",
        "Accident de chantier",
        "702150000000000003",
        "Voiture renversée",
    ):
        assert hidden not in body, hidden
    for name in NEW_TYPES:
        assert f"fh-net-{name}" in body
