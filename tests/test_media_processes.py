"""The media cache across processes: a `kill -9` and a restart without the upstream, and two
replicas sharing one Redis."""

from __future__ import annotations

import asyncio
import re
import signal
import urllib.request

import pytest

from tests import images, redis_support
from tests.conftest import free_port, make_config, wait_until, write_config
from tests.media_support import image_feed, m_urls
from tests.redis_support import REDIS_URL

redis_prefix = redis_support.redis_prefix  # the fixture, for the replica test


def get(url: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Accept": "image/webp,*/*"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, resp.read()


def serve_pictures(upstream, n: int = 3) -> str:
    pictures = []
    for i in range(n):
        upstream.set(f"/cdn/{i}.jpg", images.photo(1000, 700, seed=i), "image/jpeg")
        pictures.append((f"/cdn/{i}.jpg", f"picture {i}"))
    return image_feed(upstream, "/feed", pictures)


async def test_kill_9_then_restart_without_upstream_serves_widget_and_images(
    tmp_path, upstream, daemon
):
    feed = serve_pictures(upstream)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    path = write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": public},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "var" / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "media": {"proxy": True},
            "sources": {"blog": {"type": "feed", "url": feed}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    first = daemon(path, port)

    def widget() -> str:
        try:
            with urllib.request.urlopen(f"{public}/w/side.html", timeout=5) as resp:
                return resp.read().decode()
        except OSError:
            return ""

    await wait_until(lambda: len(m_urls(widget())) == 9, timeout=30)
    before = widget()
    served = {u: get(u)[1] for u in m_urls(before)}
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    assert upstream.server is not None
    await upstream.server.close()  # the upstream is gone
    second = daemon(path, port)
    await wait_until(lambda: widget(), timeout=20)
    # The same page; its version may differ (it counts, per process, the renders that
    # images settled after their items caused).
    version = re.compile(r'-version="[0-9a-f]+"')
    assert version.sub("", widget()) == version.sub("", before)
    for url, data in served.items():
        assert get(url) == (200, data)
    assert "error" not in second.output().lower()


@pytest.mark.redis
async def test_replica_b_serves_an_image_only_replica_a_fetched(
    tmp_path, upstream, feedhub_at, redis_prefix
):
    feed = serve_pictures(upstream, 2)

    def config(name: str):
        return lambda public: make_config(
            tmp_path / name,
            {
                "server": {"public_url": public},
                "storage": {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix},
                "media": {"proxy": True, "dir": str(tmp_path / name / "media")},
                "sources": {"blog": {"type": "feed", "url": feed}},
                "widgets": {"side": {"sources": ["blog"]}},
            },
        )

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    a = await feedhub_at(config("a"))
    b = await feedhub_at(config("b"))
    await a.service.polling.poll("blog")  # only A polls, fetches and processes
    assert len(upstream.requests_to("/cdn/0.jpg")) == 1

    async def b_shows_items() -> list[str]:
        return m_urls((await b.get("/w/side.html"))[1])

    names = await wait_until(b_shows_items, timeout=10)
    assert len(names) == 2 * 3 and not list((tmp_path / "b" / "media").rglob("*.webp"))
    public = str(b.client.make_url("")).rstrip("/")
    path = names[0][len(public) :]
    answers = await asyncio.gather(
        *(b.client.get(path, headers={"Accept": "image/webp"}) for _ in range(12))
    )
    bodies = {await r.read() for r in answers}
    assert [r.status for r in answers] == [200] * 12 and len(bodies) == 1
    fetched = [p for p in ("/cdn/0.jpg", "/cdn/1.jpg") if len(upstream.requests_to(p)) == 2]
    assert len(fetched) == 1  # B fetched that one image once, for all twelve requests
    a_copy = await a.client.get(path, headers={"Accept": "image/webp"})
    assert await a_copy.read() in bodies


async def test_hostile_images_keep_the_daemon_under_400_mb(tmp_path, upstream, daemon):
    hostile = [
        ("/cdn/bomb.png", images.png_bomb(), "image/png"),
        ("/cdn/x.svg", images.SVG_WITH_SCRIPT, "image/svg+xml"),
        ("/cdn/cut.jpg", images.truncated_jpeg(), "image/jpeg"),
        ("/cdn/page.png", images.HTML_PAGE, "image/png"),
        ("/cdn/huge.jpg", images.huge_file(50), "image/jpeg"),
        ("/cdn/tall.jpg", images.photo(6000, 6000, quality=80), "image/jpeg"),
    ]
    for path, data, ctype in hostile:
        upstream.set(path, data, ctype)
    feed = image_feed(upstream, "/feed", [(p, p) for p, _, _ in hostile])
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    path = write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": public},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "media": {"proxy": True},
            "sources": {"blog": {"type": "feed", "url": feed}},
            "widgets": {"side": {"sources": ["blog"], "limit": 20}},
        },
    )
    d = daemon(path, port)
    peak = 0.0

    def settled() -> bool:
        nonlocal peak
        peak = max(peak, tree_rss_mb(d.proc.pid))
        try:
            with urllib.request.urlopen(f"{public}/metrics", timeout=5) as resp:
                text = resp.read().decode()
        except OSError:
            return False
        return "feedhub_media_failed_total 5" in text and "feedhub_media_fetched_total 1" in text

    await wait_until(settled, timeout=60, every=0.02)
    assert peak < 400, f"peak RSS {peak:.0f} MB"

    def shown() -> str:  # the items show at once; the widget renders again once they settle
        with urllib.request.urlopen(f"{public}/w/side.html", timeout=5) as resp:
            body = resp.read().decode()
        return body if m_urls(body) else ""

    body = await wait_until(shown, timeout=10)
    for p, _, _ in hostile[:5]:
        assert f'<span class="fh-alt">{p}</span>' in body
    assert len(m_urls(body)) == 3  # the 6,000 px photo, at the three widths


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and every process below it (its workers), in MB."""
    from pathlib import Path

    parents, rss = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
        rss[int(stat.parent.name)] = int(fields[21]) * 4096
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(c for c, parent in parents.items() if parent == p)
    return total / 1e6
