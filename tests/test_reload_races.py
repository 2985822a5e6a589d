"""Reloads during traffic: a widget removed between a request's lookup and its render answers
404, never 500; a reload task that fails says so in the log, in its own line."""

from __future__ import annotations

import asyncio
import logging

from feedhub.config import Config
from feedhub.config.reloader import Reloader
from tests.conftest import make_config, wait_until, write_config
from tests.fault_upstream import good_feed

FORMATS = ("", ".html", ".json", ".atom", ".rss", ".js")
THEMES = ("sidebar", "cards", "list", "ticker", "grid")
SCHEMES = ("", "light", "dark")


def two_widgets(tmp_path, upstream, widgets: tuple[str, ...]):
    return make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {name: {"sources": ["blog"], "limit": 20} for name in widgets},
        },
    )


async def test_a_widget_removed_mid_render_answers_404(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", good_feed("post", n=20), "application/rss+xml")
    running = await feedhub_service(two_widgets(tmp_path, upstream, ("keep", "gone")))
    await running.poll_all()
    themes = [t for t in THEMES if t in running.service.widgets.renderer.themes]
    paths = [
        f"/w/gone{fmt}?limit={limit}&theme={theme}" + (f"&scheme={scheme}" if scheme else "")
        for fmt in FORMATS
        for theme in themes
        for scheme in SCHEMES
        for limit in (3, 20)
    ]

    async def status(path: str) -> int:
        return (await running.get(path))[0]

    seen: list[int] = []
    for start in range(0, len(paths), 40):  # a wave of renders, a reload in its midst
        asking = [asyncio.create_task(status(p)) for p in paths[start : start + 40]]
        # The reload lands while renders of `gone` are in flight (between lookup and render).
        await wait_until(lambda: running.service.widgets.renders._pending, every=0.001)
        await running.service.apply_config(two_widgets(tmp_path, upstream, ("keep",)))
        seen += await asyncio.gather(*asking)
        await running.service.apply_config(two_widgets(tmp_path, upstream, ("keep", "gone")))
    assert set(seen) <= {200, 404}, sorted(set(seen))
    assert 404 in seen
    assert (await running.get("/admin"))[0] == 200


async def test_a_failing_reload_task_logs_its_failure(tmp_path, caplog):
    data = {
        "sources": {"blog": {"type": "feed", "url": "https://example.org/feed.xml"}},
        "widgets": {"side": {"sources": ["blog"]}},
    }
    path = write_config(tmp_path, data)
    running = make_config(tmp_path, data)

    async def halfway(config: Config) -> None:  # applying the new config fails midway
        raise RuntimeError("halfway")

    reloads = Reloader(path, lambda: running, halfway)
    with caplog.at_level(logging.ERROR, logger="feedhub"):
        reloads.soon()
        await asyncio.sleep(0.5)
    failed = [r for r in caplog.records if "config reload failed" in r.getMessage()]
    assert failed and failed[0].exc_info is not None
