"""The public list of widgets and each widget's privacy facts, over real HTTP."""

from __future__ import annotations

import pytest

from feedhub.config import ConfigError, parse_config
from feedhub.publish.privacy import retention, widget_privacy
from tests.conftest import ROOT, make_config

NEWS = str(ROOT / "examples" / "news.xml")


def config_of(tmp_path, **media):
    return make_config(
        tmp_path,
        {
            "fetch": {"max_items": 250},
            "media": media,
            "sources": {
                "news": {"type": "feed", "url": NEWS},
                "notes": {"type": "feed", "url": NEWS, "max_items": 40, "max_age": "30d"},
            },
            "widgets": {
                "sidebar": {"title": "From the <blog>", "sources": ["news", "notes"]},
                "plain": {"sources": ["news"], "hide": ["secret-id"]},
            },
        },
    )


async def test_index_lists_names_and_titles_only(tmp_path, feedhub_service):
    running = await feedhub_service(config_of(tmp_path))
    status, text, headers = await running.get("/w/index.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    data = (await (await running.client.get("/w/index.json")).json())["widgets"]
    assert data == [
        {"name": "sidebar", "title": "From the <blog>"},
        {"name": "plain", "title": ""},
    ]
    assert "secret-id" not in text and "news.xml" not in text


async def test_privacy_json_says_origins_cookies_and_retention(tmp_path, feedhub_service):
    config = config_of(tmp_path, proxy=True)
    running = await feedhub_service(config)
    resp = await running.client.get("/w/sidebar/privacy.json")
    assert resp.status == 200
    facts = await resp.json()
    assert facts["origins"]["before_click"] == [config.public_url]
    assert facts["origins"]["on_click"] == [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ]
    assert facts["cookies"] == [] and facts["images"] == "feedhub"
    kept = {k["source"]: k["max_items"] for k in facts["kept"]}
    assert kept == {"news": 250, "notes": 40}
    assert any("at most the newest 40" in line for line in facts["text"])
    assert resp.cookies == {} and "Set-Cookie" not in resp.headers


async def test_media_cache_off_says_the_platforms_are_contacted(tmp_path, feedhub_service):
    running = await feedhub_service(config_of(tmp_path, proxy=False))
    facts = await (await running.client.get("/w/plain/privacy.json")).json()
    assert facts["images"] == "platforms"
    assert "platform image hosts" in facts["origins"]["before_click"]


async def test_readable_page_says_the_same_escaped(tmp_path, feedhub_service):
    running = await feedhub_service(config_of(tmp_path))
    facts = await (await running.client.get("/w/sidebar/privacy.json")).json()
    status, page, headers = await running.get("/w/sidebar/privacy")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "From the &lt;blog&gt;" in page and "<blog>" not in page
    for line in facts["text"]:
        assert line.replace("'", "&#39;") in page


async def test_unknown_widget_is_a_404(tmp_path, feedhub_service):
    running = await feedhub_service(config_of(tmp_path))
    for path in ("/w/nope/privacy.json", "/w/nope/privacy"):
        status, text, _ = await running.get(path)
        assert status == 404 and "nope" in text


def test_retention_reads_the_source_then_the_default(tmp_path):
    config = config_of(tmp_path)
    assert retention(config, "news").max_items == 250
    assert retention(config, "notes").max_items == 40
    assert retention(config, "news").max_age is None
    assert retention(config, "notes").max_age == 30 * 86400
    (line,) = [t for t in widget_privacy(config, "sidebar")["text"] if "notes" in t]
    assert "at most the newest 40; a post that has left the source's own feed goes once" in line
    assert "30 days old" in line


def test_a_widget_named_index_is_refused(tmp_path):
    data = {
        "sources": {"news": {"type": "feed", "url": NEWS}},
        "widgets": {"index": {"sources": ["news"]}},
    }
    with pytest.raises(ConfigError) as err:
        parse_config(data, base_dir=str(tmp_path))
    assert any("widgets.index" in p for p in err.value.problems)
