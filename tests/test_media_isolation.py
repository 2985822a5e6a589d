"""One source's images never hold back another source's items, nor its own: items are stored
and shown at once (an image not yet settled as its alt text) and filled in once their images
settle; a poll asks the cache for at most `max_images_per_poll` images, an item for at most
`max_images_per_item`; the parse workers take each source's jobs in turn."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from feedhub.ingest.workers import FairSlots
from tests import images
from tests.conftest import make_config, wait_until
from tests.fault_upstream import good_feed
from tests.media_support import image_feed, m_urls

PER_POLL = 10
HOSTILE_IMAGES = 30


async def test_hostile_image_feeds_hold_back_no_item(tmp_path, upstream, feedhub_at):
    photo = images.photo(800, 600)
    release = asyncio.Event()
    asked: list[str] = []

    async def held_image(request: web.Request) -> web.Response:
        """A hostile CDN: it takes the request, then answers only when the test says."""
        asked.append(request.path)
        await release.wait()
        return web.Response(body=photo, content_type="image/jpeg")

    for feed in ("h1", "h2"):
        pictures = [(f"/{feed}/{i}.jpg", f"{feed} alt {i}") for i in range(HOSTILE_IMAGES)]
        for path, _ in pictures:
            upstream.routes[path] = held_image
        image_feed(upstream, f"/{feed}.xml", pictures, title=f"Hostile {feed}")
    upstream.set("/good.xml", good_feed("good", n=1), "application/rss+xml")
    # The good source on another host name than the hostile ones (the same server).
    good_url = upstream.url("/good.xml").replace("127.0.0.1", "localhost")

    def config(public_url: str):
        return make_config(
            tmp_path,
            {
                "server": {"public_url": public_url},
                "media": {"proxy": True, "max_images_per_poll": PER_POLL},
                "sources": {
                    "h1": {"type": "feed", "url": upstream.url("/h1.xml")},
                    "h2": {"type": "feed", "url": upstream.url("/h2.xml")},
                    "good": {"type": "feed", "url": good_url},
                },
                "widgets": {
                    "hostile": {"sources": ["h1", "h2"], "limit": 60},
                    "good": {"sources": ["good"]},
                },
            },
        )

    running = await feedhub_at(config)
    svc = running.service
    polls = [asyncio.create_task(svc.polling.poll(sid)) for sid in ("h1", "h2")]

    async def shows(widget: str, *texts: str) -> str:
        _, body, _ = await running.get(f"/w/{widget}.html")
        return body if all(t in body for t in texts) else ""

    # The hostile items show while their images are asked for and not answered: alt text.
    body = await wait_until(lambda: shows("hostile", "Hostile h1 0", "Hostile h2 29"))
    assert '<span class="fh-alt">h1 alt 0</span>' in body and not m_urls(body)
    await wait_until(lambda: asked)
    await asyncio.gather(*polls)  # a poll is over; its images are still pending
    assert not release.is_set()

    # The good source's new item appears while every hostile image is still pending.
    upstream.set("/good.xml", good_feed("good", n=2), "application/rss+xml")
    await svc.polling.poll("good")
    await wait_until(lambda: shows("good", "good 0", "good 1"))
    assert not release.is_set() and len(asked) <= 2 * PER_POLL

    # Once answered, the hostile images fill in: the widget renders again by itself.
    # Once answered, the hostile images fill in: the widget renders again by itself.
    release.set()
    await svc.media.idle()
    body = await wait_until(lambda: _with_images(running, "hostile", 2 * PER_POLL), timeout=60)
    assert '<span class="fh-alt">h1 alt 0</span>' not in body
    # Beyond the poll's share (the housekeeping and the next polls take the next ones, a
    # share a round): never asked for yet.
    assert '<span class="fh-alt">h1 alt 29</span>' in body and "/h1/29.jpg" not in asked


async def test_images_per_item_are_capped(tmp_path, upstream, feedhub_at):
    upstream.set("/one.jpg", images.photo(400, 300), "image/jpeg")
    for i in range(12):
        upstream.set(f"/cdn/{i}.jpg", images.photo(400, 300, seed=i), "image/jpeg")
    tags = "".join(f'<img src="{upstream.url(f"/cdn/{i}.jpg")}" alt="pic {i}">' for i in range(12))
    upstream.set(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        f"<guid>g</guid><title>Many</title><description><![CDATA[{tags}]]></description>"
        "</item></channel></rss>",
        "application/rss+xml",
    )

    def config(public_url: str):
        return make_config(
            tmp_path,
            {
                "server": {"public_url": public_url},
                "media": {"proxy": True, "max_images_per_item": 3},
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
                "widgets": {"side": {"sources": ["blog"]}},
            },
        )

    running = await feedhub_at(config)
    await running.poll_all()
    fetched = [i for i in range(12) if upstream.requests_to(f"/cdn/{i}.jpg")]
    assert fetched == [0, 1, 2]
    _, body, _ = await running.get("/w/side.html")
    assert '<span class="fh-alt">pic 3</span>' in body and await _with_images(running, "side", 3)
    assert not await _with_images(running, "side", 4)


async def test_the_workers_take_each_owners_jobs_in_turn():
    slots = FairSlots(1)
    order: list[str] = []

    async def job(owner: str, n: int) -> None:
        await slots.acquire(owner)
        try:
            order.append(f"{owner}{n}")
            await asyncio.sleep(0)
        finally:
            slots.release()

    await slots.acquire("hold")  # the one slot is taken while the lines form
    jobs = [asyncio.create_task(job("hostile", n)) for n in range(20)]
    await asyncio.sleep(0)
    jobs.append(asyncio.create_task(job("good", 0)))
    await asyncio.sleep(0)
    assert slots.waiting() == {"hostile": 20, "good": 1}
    slots.release()
    await asyncio.gather(*jobs)
    assert order.index("good0") == 1  # after one hostile job, not after twenty
    assert slots.busy == 0 and slots.waiting() == {}
    # A job cancelled while it waits leaves its line and no slot behind.
    await slots.acquire("hold")
    waiting = asyncio.create_task(slots.acquire("x"))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.sleep(0)
    slots.release()
    assert slots.busy == 0 and slots.waiting() == {}


async def _with_images(running, widget: str, count: int) -> str:
    """The widget once it shows at least `count` cached images (`<img>` tags from `/m/`)."""
    _, body, _ = await running.get(f"/w/{widget}.html")
    shown = re.findall(r'<img [^>]*src="http://127\.0\.0\.1:\d+/m/', body)
    return body if len(shown) >= count else ""
