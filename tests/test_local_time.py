"""Dates in the widget's time zone (server-wide, per widget, else the host's), `<time
datetime>` in UTC, and the relative style written by the page's own script at view time."""

from __future__ import annotations

import asyncio
import os
import re

import aiohttp

from tests.conftest import ROOT, free_port, make_config, write_config

NEWS = str(ROOT / "examples" / "news.xml")  # first item: 2026-11-24 09:30 UTC


def news_config(tmp_path, server=None, **widget):
    return {
        "server": server or {},
        "sources": {"news": {"type": "feed", "url": NEWS}},
        "widgets": {"side": {"sources": ["news"], "limit": 2, "locale": "fr", **widget}},
    }


def first_time(page: str) -> tuple[str, str]:
    m = re.search(r'<time datetime="([^"]+)"[^>]*>([^<]+)</time>', page)
    assert m, page
    return m.group(1), m.group(2)


async def test_server_zone_and_widget_zone(tmp_path, feedhub_service):
    config = make_config(
        tmp_path,
        {
            **news_config(tmp_path, {"timezone": "Europe/Paris"}),
            "widgets": {
                "paris": {"sources": ["news"], "locale": "fr"},
                "nyc": {"sources": ["news"], "locale": "en", "timezone": "America/New_York"},
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    _, paris, _ = await running.get("/w/paris.html")
    assert first_time(paris) == ("2026-11-24T09:30:00Z", "24 nov. 2026, 10:30")
    _, nyc, _ = await running.get("/w/nyc")
    assert first_time(nyc) == ("2026-11-24T09:30:00Z", "Nov 24, 2026, 4:30\u202fAM")


async def test_bad_zone_is_a_config_error(tmp_path):
    import pytest

    from feedhub.config import ConfigError

    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, news_config(tmp_path, {"timezone": "Europe/Pariss"}))
    assert err.value.problems == [
        "server.timezone: unknown time zone 'Europe/Pariss' (an IANA name such as Europe/Paris)"
    ]


async def test_default_is_the_host_zone_of_feedhub_serve(tmp_path, daemon):
    port = free_port()
    data = news_config(tmp_path, {"port": port})
    data["storage"] = {"backend": "sqlite", "path": str(tmp_path / "db.sqlite3")}
    path = write_config(tmp_path, data)
    os.environ["TZ"] = "Asia/Tokyo"
    try:
        proc = daemon(path, port)
    finally:
        del os.environ["TZ"]
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            async with http.get(proc.url + "/w/side.html") as resp:
                page = await resp.text()
            if "<time" in page:
                break
            await asyncio.sleep(0.05)
    assert first_time(page) == ("2026-11-24T09:30:00Z", "24 nov. 2026, 18:30")


async def test_relative_dates_written_by_the_page_script(tmp_path, feedhub_service, browser):
    config = make_config(
        tmp_path, news_config(tmp_path, {"timezone": "Europe/Paris"}, dates="relative")
    )
    running = await feedhub_service(config)
    await running.poll_all()
    _, html, _ = await running.get("/w/side")
    # Without scripts the absolute date stays; the cached bytes carry no "ago".
    assert 'data-fh-dates="relative"' in html
    assert first_time(html)[1] == "24 nov. 2026, 10:30"
    page = await browser.new_page()
    await page.clock.set_fixed_time("2026-11-24T12:30:00Z")
    await page.goto(str(running.client.make_url("/w/side")))
    first = page.locator("article time").first
    await first.wait_for()
    assert await first.inner_text() == "il y a 3 heures"
    # The absolute date stays within reach: as the title, read on hover and by assistive tech.
    assert await first.get_attribute("title") == "24 nov. 2026, 10:30"
    assert await first.get_attribute("datetime") == "2026-11-24T09:30:00Z"


async def test_relative_dates_in_the_embed_script(tmp_path, upstream, feedhub_service, browser):
    config = make_config(
        tmp_path, news_config(tmp_path, {"timezone": "Europe/Paris"}, dates="relative")
    )
    running = await feedhub_service(config)
    await running.poll_all()
    base = str(running.client.make_url("")).rstrip("/")
    upstream.set(
        "/host.html",
        f"""<!doctype html><html><body>
<div data-feedhub="side"></div><script async src="{base}/w/side.js"></script></body></html>""",
        "text/html",
    )
    page = await browser.new_page()
    await page.clock.set_fixed_time("2026-11-25T09:30:00Z")
    await page.goto(upstream.url("/host.html"))
    first = page.locator("[data-feedhub] >> article time").first
    await first.wait_for()
    assert await first.inner_text() == "hier"  # French "yesterday", by Intl
    assert await first.get_attribute("title") == "24 nov. 2026, 10:30"
