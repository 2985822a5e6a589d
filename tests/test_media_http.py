"""The media cache through the real HTTP interface: what `/m/` serves, hostile images refused
with the items still shown, and the disk budget."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests import images
from tests.conftest import make_config, wait_until
from tests.media_support import image_feed, m_urls


def media_config(tmp_path, sources, limit=20, **media):
    def make(public_url: str):
        return make_config(
            tmp_path,
            {
                "server": {"public_url": public_url},
                "media": {"proxy": True, **media},
                "sources": sources,
                "widgets": {"wall": {"sources": list(sources), "limit": limit}},
            },
        )

    return make


async def test_served_images_have_no_metadata_and_the_configured_widths(
    tmp_path, upstream, feedhub_at
):
    upstream.set("/cdn/camera.jpg", images.camera_jpeg(2400, 1600), "image/jpeg")
    upstream.set("/cdn/big.jpg", images.photo(5000, 3000, quality=90), "image/jpeg")
    url = image_feed(
        upstream, "/feed", [("/cdn/camera.jpg", "A tram"), ("/cdn/big.jpg", "The square")]
    )
    running = await feedhub_at(media_config(tmp_path, {"blog": {"type": "feed", "url": url}}))
    await running.poll_all()
    status, body, headers = await running.get("/w/wall.html")
    assert status == 200 and "/cdn/" not in body
    assert "img-src 'self'" in headers["Content-Security-Policy"]
    public = str(running.client.make_url("")).rstrip("/")
    found = m_urls(body)
    assert len(found) == 6 and all(u.startswith(public + "/m/") for u in found)
    tags = re.findall(r"<img [^>]*>", body)
    assert len(tags) == 2
    for tag in tags:
        assert 'loading="lazy"' in tag and 'decoding="async"' in tag and "sizes=" in tag
        assert re.search(r'width="\d+" height="\d+"', tag)
    assert 'srcset="' in tags[0] and "320w" in tags[0] and "1280w" in tags[0]
    widths = []
    for m in found:
        path = m[len(public) :]
        for accept, kind in (("image/avif,image/webp,*/*", "WEBP"), ("image/png,*/*", "JPEG")):
            resp = await running.client.get(path, headers={"Accept": accept})
            data = await resp.read()
            assert resp.status == 200, path
            assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert resp.headers["Content-Type"] == f"image/{kind.lower()}"
            assert "Accept" in resp.headers["Vary"]
            assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
            image = Image.open(io.BytesIO(data))
            assert image.format == kind and dict(image.getexif()) == {}
            assert images.SERIAL.encode() not in data and b"Exif" not in data
            assert image.width <= 1280
            widths.append(image.width)
            again = await running.client.get(
                path, headers={"Accept": accept, "If-None-Match": resp.headers["ETag"]}
            )
            assert again.status == 304
    assert sorted(set(widths)) == [320, 640, 1280]
    assert (await running.client.get("/m/" + "0" * 24 + "-320")).status == 404
    assert (await running.client.get("/m/..%2f..%2fetc%2fpasswd")).status == 404
    # Fetched once each, with the upstream's own answer cached.
    assert len(upstream.requests_to("/cdn/camera.jpg")) == 1


async def test_hostile_images_are_refused_and_the_items_still_shown(tmp_path, upstream, feedhub_at):
    hostile = {
        "bomb": ("/cdn/bomb.png", images.png_bomb(), "image/png", "pixels, over the"),
        "svg": ("/cdn/x.svg", images.SVG_WITH_SCRIPT, "image/svg+xml", "SVG is not served"),
        "cut": ("/cdn/cut.jpg", images.truncated_jpeg(), "image/jpeg", "data is broken"),
        "html": ("/cdn/page.png", images.HTML_PAGE, "image/png", "an HTML page"),
        "huge": ("/cdn/huge.jpg", images.huge_file(50), "image/jpeg", "20000000-byte cap"),
    }
    sources = {}
    for sid, (path, data, ctype, _) in hostile.items():
        upstream.set(path, data, ctype)
        sources[sid] = {
            "type": "feed",
            "url": image_feed(upstream, f"/{sid}.xml", [(path, f"alt of {sid}")], sid),
        }
    upstream.set("/cdn/fine.jpg", images.photo(800, 600), "image/jpeg")
    sources["fine"] = {
        "type": "feed",
        "url": image_feed(upstream, "/fine.xml", [("/cdn/fine.jpg", "fine")], "fine"),
    }
    running = await feedhub_at(media_config(tmp_path, sources))
    await running.poll_all()
    svc = running.service
    assert svc.media.cache is not None
    counts = svc.media.cache.by_source()
    for sid, (_, _, _, reason) in hostile.items():
        assert svc.states[sid].errors == 0  # the source itself is fine
        assert counts[sid]["failed"] == 1 and counts[sid]["cached"] == 0, sid
        assert reason in counts[sid]["last_error"], (sid, counts[sid])
    assert (
        counts["fine"]
        == {"cached": 1, "failed": 0, "bytes": counts["fine"]["bytes"], "last_error": ""}
        and counts["fine"]["bytes"] > 0
    )
    _, body, _ = await running.get("/w/wall.html")
    for sid in hostile:
        assert f"<p>{sid} 0</p>" in body
        assert f'<span class="fh-alt">alt of {sid}</span>' in body
    assert "/cdn/" not in body and len(m_urls(body)) == 3  # fine.jpg at 320, 640 and 800
    # Backoff: a second poll of the sources asks none of the failed images again.
    upstream.set(
        "/fine.xml",
        upstream.routes["/fine.xml"].body.replace(b"fine 0", b"fine 1"),
        "application/rss+xml",
    )
    await running.poll_all()
    assert len(upstream.requests_to("/cdn/page.png")) == 1
    _, body, _ = await running.get("/w/wall.html")
    assert "<p>fine 1</p>" in body  # the other sources go on updating
    status, admin, _ = await running.get("/admin")
    assert status == 200 and "an HTML page" in admin


async def test_disk_budget_keeps_what_the_widget_shows(tmp_path, upstream, feedhub_at):
    pictures = []
    for i in range(8):
        upstream.set(f"/cdn/{i}.jpg", images.photo(1400, 900, seed=i), "image/jpeg")
        pictures.append((f"/cdn/{i}.jpg", f"picture {i}"))
    url = image_feed(upstream, "/feed", pictures)
    budget = 220_000
    running = await feedhub_at(
        media_config(tmp_path, {"blog": {"type": "feed", "url": url}}, limit=2, max_total=budget)
    )
    await running.poll_all()
    media = running.service.media.cache
    assert media is not None
    assert 0 < media.dir.total <= budget
    on_disk = sum(p.stat().st_size for p in (tmp_path / "media").rglob("*-*.*"))
    assert on_disk == media.dir.total
    _, body, _ = await running.get("/w/wall.html")
    shown = m_urls(body)
    assert len(shown) == 2 * 3  # two items, three widths each
    public = str(running.client.make_url("")).rstrip("/")
    for m in shown:
        resp = await running.client.get(m[len(public) :], headers={"Accept": "image/webp"})
        assert resp.status == 200
    # Served from disk, not fetched again: the widget's images were never evicted.
    assert all(len(upstream.requests_to(p)) == 1 for p, _ in pictures)
    assert len(media.dir.entries) < 8


async def test_media_metrics(tmp_path, upstream, feedhub_at):
    upstream.set("/cdn/a.jpg", images.photo(500, 400), "image/jpeg")
    upstream.set("/cdn/b.png", images.HTML_PAGE, "image/png")
    url = image_feed(upstream, "/feed", [("/cdn/a.jpg", "a"), ("/cdn/b.png", "b")])
    running = await feedhub_at(media_config(tmp_path, {"blog": {"type": "feed", "url": url}}))
    await running.poll_all()
    _, body, _ = await running.get("/w/wall.html")
    public = str(running.client.make_url("")).rstrip("/")
    for m in m_urls(body):
        assert (await running.client.get(m[len(public) :])).status == 200
    _, text, _ = await running.get("/metrics")
    disk = running.service.media.cache.dir.total
    for line in (
        "feedhub_media_fetched_total 1",
        "feedhub_media_failed_total 1",
        "feedhub_media_served_total 2",
        f"feedhub_media_disk_bytes {disk}",
        'feedhub_media_source_cached{source="blog"} 1',
        'feedhub_media_source_failed{source="blog"} 1',
    ):
        assert line in text.splitlines(), line
    assert disk > 0


async def test_items_stored_before_the_cache_get_their_images_in_the_background(
    tmp_path, upstream, feedhub_at
):
    upstream.set("/cdn/a.jpg", images.photo(700, 500), "image/jpeg")
    url = image_feed(upstream, "/feed", [("/cdn/a.jpg", "a tram")])
    sources = {"blog": {"type": "feed", "url": url}}
    before = await feedhub_at(media_config(tmp_path, sources, proxy=False))
    await before.poll_all()
    _, body, _ = await before.get("/w/wall.html")
    assert upstream.url("/cdn/a.jpg") in body and not m_urls(body)
    # The same store, now with the cache on: no poll, yet the widget comes to show it.
    after = await feedhub_at(media_config(tmp_path, sources))

    async def cached() -> list[str]:
        return m_urls((await after.get("/w/wall.html"))[1])

    assert len(await wait_until(cached, timeout=15)) == 3
    assert len(upstream.requests_to("/feed")) == 1  # the images came without a poll


async def test_one_name_per_width_and_if_none_match_as_a_list(tmp_path, upstream, feedhub_at):
    upstream.set("/cdn/big.jpg", images.photo(1600, 1000), "image/jpeg")
    url = image_feed(upstream, "/feed", [("/cdn/big.jpg", "The square")])
    running = await feedhub_at(media_config(tmp_path, {"blog": {"type": "feed", "url": url}}))
    await running.poll_all()
    _, body, _ = await running.get("/w/wall.html")
    public = str(running.client.make_url("")).rstrip("/")
    path = next(u for u in m_urls(body) if u.endswith("-320"))[len(public) :]
    plain = {"Accept": "image/png"}
    resp = await running.client.get(path, headers=plain)
    assert resp.status == 200
    etag = resp.headers["ETag"]
    for other in ("-0320", "-00320", "-320 ", "-0"):
        spelt = path.removesuffix("-320") + other
        assert (await running.client.get(spelt, headers=plain)).status == 404, other

    async def status(inm: str) -> int:
        got = await running.client.get(path, headers={**plain, "If-None-Match": inm})
        return got.status

    assert await status(etag) == 304
    assert await status(f'"other", W/{etag}') == 304
    assert await status("*") == 304
    # A tag that merely contains this one, or a part of it, is another tag.
    assert await status(f"nonsense{etag}") == 200
    assert await status(f'"{etag}"') == 200
    assert await status(etag[:-3] + '"') == 200
    assert await status(f'"a", "{etag[1:-1]}-old"') == 200
