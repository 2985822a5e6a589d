"""Through `feedhub serve`: in a widget mixing sources of different languages, an RSS item
whose language differs from the channel's carries its own in `dc:language`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import aiohttp

from tests.conftest import FIXTURES, free_port, write_config
from tests.served_support import polled

DC = "{http://purl.org/dc/elements/1.1/}"


async def test_rss_items_carry_their_own_language(tmp_path, upstream, daemon):
    sources = {}
    for name in ("slovak-news.rss", "english-news.rss"):
        upstream.set(f"/{name}", (FIXTURES / "served" / name).read_bytes())
        sources[name.split("-")[0]] = {"type": "feed", "url": upstream.url(f"/{name}")}
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": sources,
            "widgets": {"city": {"sources": list(sources), "locale": "en"}},
        },
    )
    d = daemon(config, port)
    assert len(await polled(d, "city", 2)) == 2
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/city.rss") as resp:
        rss = ET.fromstring(await resp.read())
    assert rss.findtext("channel/language") == "en"
    langs = {item.findtext("link"): item.findtext(DC + "language") for item in rss.iter("item")}
    assert langs == {"https://spravy.example/elektricka": "sk", "https://notes.example/tram": None}
