"""Through `feedhub serve`: a podcast's enclosures reach the widget's RSS `<enclosure>`, Atom
`rel="enclosure"` links and JSON Feed `attachments`, with their type and length."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import aiohttp
import jsonschema

from tests.conftest import FIXTURES
from tests.served_support import polled, start

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())
EPISODES = {
    "https://talking.example/12": (
        "https://cdn.talking.example/episodes/12.mp3",
        "audio/mpeg",
        48213344,
    ),
    "https://talking.example/11": (
        "https://cdn.talking.example/episodes/11.m4a",
        "audio/x-m4a",
        39011200,
    ),
}


async def served(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_enclosures_reach_rss_atom_and_json_feed(tmp_path, upstream, daemon):
    upstream.set("/show.rss", (FIXTURES / "served" / "podcast.rss").read_bytes())
    d = start(daemon, tmp_path, {"show": {"type": "feed", "url": upstream.url("/show.rss")}})
    items = await polled(d, "show", 2)
    attachments = {
        it["url"]: [
            (a["url"], a["mime_type"], a["size_in_bytes"]) for a in it.get("attachments", [])
        ]
        for it in items
    }
    assert attachments == {url: [enc] for url, enc in EPISODES.items()}
    jsonschema.validate(json.loads(await served(f"{d.url}/w/show.json")), SCHEMA)

    rss = ET.fromstring(await served(f"{d.url}/w/show.rss"))
    got = {
        item.findtext("link"): [
            (e.get("url"), e.get("type"), int(e.get("length") or -1))
            for e in item.findall("enclosure")
        ]
        for item in rss.iter("item")
    }
    assert got == {url: [enc] for url, enc in EPISODES.items()}

    atom = ET.fromstring(await served(f"{d.url}/w/show.atom"))
    got = {}
    for entry in atom.iter(ATOM + "entry"):
        links = entry.findall(ATOM + "link")
        home = next(link.get("href") for link in links if link.get("rel") == "alternate")
        got[home] = [
            (link.get("href"), link.get("type"), int(link.get("length") or -1))
            for link in links
            if link.get("rel") == "enclosure"
        ]
    assert got == {url: [enc] for url, enc in EPISODES.items()}
