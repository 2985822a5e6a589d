"""/admin on a site with more sources than one page holds, through `feedhub serve`: pages,
search, filters by state and type, bad query values, the refresh button keeping its page;
and /metrics with `metrics.per_source: false`."""

from __future__ import annotations

import re
from urllib.parse import quote

import aiohttp

from tests.admin_support import csrf_of
from tests.conftest import wait_until
from tests.fault_upstream import good_feed, status
from tests.served_support import start

SOURCES = 120  # three pages of 50
FAILING = 7  # s000..s006 answer 500 and have nothing stored


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, await resp.text()


def row_ids(page: str) -> list[str]:
    return re.findall(r'<tr id="source-([\w-]+)"', page)


async def site(daemon, tmp_path, upstream, sections=None):
    upstream.set("/ok.xml", good_feed("Post"), "application/rss+xml")
    upstream.set("/zeta/news.xml", good_feed("Zeta"), "application/rss+xml")
    upstream.routes["/down.xml"] = status(500)
    sources = {
        f"s{n:03}": {"type": "feed", "url": upstream.url("/down.xml" if n < FAILING else "/ok.xml")}
        for n in range(SOURCES)
    }
    sources["late-one"] = {"type": "feed", "url": upstream.url("/zeta/news.xml")}
    d = start(daemon, tmp_path, sources, sections)

    async def polled() -> bool:
        _, page = await get(f"{d.url}/admin")
        return f"failing ({FAILING})" in page and "pending (0)" in page

    await wait_until(polled, timeout=60)
    return d


async def test_pages_search_and_filters(daemon, tmp_path, upstream):
    d = await site(daemon, tmp_path, upstream)
    code, first = await get(f"{d.url}/admin")
    assert code == 200
    assert len(row_ids(first)) == 50 and "late-one" not in row_ids(first)
    assert f"sources 1–50 of {SOURCES + 1}" in first and "page 1 of 3" in first
    assert 'rel="next" href="/admin?page=2"' in first and 'rel="prev"' not in first
    assert f"ok ({SOURCES + 1 - FAILING})" in first
    assert len(re.findall(r'<tr id="widget-', first)) == 50 and "71 more widgets" in first

    _, last = await get(f"{d.url}/admin?page=3")
    assert row_ids(last)[-1] == "late-one" and 'rel="prev" href="/admin?page=2"' in last

    # A search finds the source on the last page, by id, by URL, case aside.
    for q in ("late", "ZETA/NEWS", "late-one"):
        _, found = await get(f"{d.url}/admin?q={quote(q)}")
        assert row_ids(found) == ["late-one"], q
        assert "sources 1–1 of 1 matching" in found
    assert 'id="widget-late-one"' in found and 'id="widget-s000"' not in found
    _, by_type = await get(f"{d.url}/admin?q=late&type=feed")
    assert row_ids(by_type) == ["late-one"]
    _, none = await get(f"{d.url}/admin?q=nothing-like-this")
    assert row_ids(none) == [] and "No source matches." in none

    _, failing = await get(f"{d.url}/admin?state=failing")
    assert row_ids(failing) == [f"s{n:03}" for n in range(FAILING)]
    assert failing.count('data-state="failing"') == FAILING and 'data-state="ok"' not in failing
    assert '<input type="hidden" name="state" value="failing">' in failing  # the form keeps it
    _, narrowed = await get(f"{d.url}/admin?state=failing&q=s00")
    assert row_ids(narrowed) == [f"s{n:03}" for n in range(FAILING)]
    _, ok_late = await get(f"{d.url}/admin?state=ok&page=2")
    assert row_ids(ok_late)[0] == f"s{FAILING + 50:03}"
    assert 'href="/admin?state=ok&amp;page=3"' in ok_late  # the filter stays in the links

    # A search is shown back escaped by the template, never as markup.
    _, escaped = await get(f"{d.url}/admin?q=" + quote('<b>x</b>"'))
    assert "&lt;b&gt;x&lt;/b&gt;&#34;" in escaped and "<b>x</b>" not in escaped


async def test_bad_query_values_are_a_short_400_or_clamped(daemon, tmp_path, upstream):
    d = await site(daemon, tmp_path, upstream)
    for query, words in (
        ("page=abc", "page: a whole number from 1"),
        ("page=0", "page: a whole number from 1"),
        ("page=-2", "page: a whole number from 1"),
        ("page=" + "9" * 40, "page: a whole number from 1"),
        ("state=broken", "state: one of ok, degraded, failing, pending"),
        ("type=rss", "type: one of"),
        ("q=" + "a" * 201, "q: a search is at most 200 characters"),
    ):
        code, text = await get(f"{d.url}/admin?{query}")
        assert code == 400, query
        assert words in text and "Traceback" not in text and len(text) < 600, query
    code, clamped = await get(f"{d.url}/admin?page=999999")
    assert code == 200 and "page 3 of 3" in clamped and row_ids(clamped)[-1] == "late-one"


async def test_refresh_goes_back_to_its_page(daemon, tmp_path, upstream):
    d = await site(daemon, tmp_path, upstream)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{d.url}/admin?q=late") as resp:
            page = await resp.text()
        assert '<input type="hidden" name="back" value="q=late">' in page
        form = {"csrf": csrf_of(page), "back": "q=late&page=1&state=nope"}
        async with http.post(
            f"{d.url}/admin/sources/late-one/refresh", data=form, allow_redirects=False
        ) as resp:
            assert resp.status == 303
            assert resp.headers["Location"] == "/admin?refreshed=late-one"  # a bad back: none
        form["back"] = "q=late&page=1"
        async with http.post(
            f"{d.url}/admin/sources/late-one/refresh", data=form, allow_redirects=False
        ) as resp:
            assert resp.headers["Location"] == "/admin?q=late&refreshed=late-one"
        async with http.get(f"{d.url}/admin?q=late&refreshed=late-one") as resp:
            shown = await resp.text()
        assert "Refresh of <strong>late-one</strong> requested" in shown
        assert row_ids(shown) == ["late-one"]


async def test_metrics_without_per_source_series(daemon, tmp_path, upstream):
    d = await site(daemon, tmp_path, upstream, {"metrics": {"per_source": False}})
    code, text = await get(f"{d.url}/metrics")
    assert code == 200
    lines = set(text.splitlines())
    assert 'source="' not in text
    assert f'feedhub_sources{{state="failing"}} {FAILING}' in lines
    assert f'feedhub_sources{{state="ok"}} {SOURCES + 1 - FAILING}' in lines
    assert f'feedhub_fetches_total{{outcome="http_5xx"}} {FAILING}' in lines
    assert f'feedhub_fetches_total{{outcome="new_items"}} {SOURCES + 1 - FAILING}' in lines
    assert f"feedhub_fetch_duration_seconds_count {SOURCES + 1}" in lines
    assert f'feedhub_fetch_duration_seconds_bucket{{le="+Inf"}} {SOURCES + 1}' in lines
    assert f"feedhub_new_items_total {3 * (SOURCES + 1 - FAILING)}" in lines
