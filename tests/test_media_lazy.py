"""Variants made when first asked for: a poll keeps one file per image (its largest fallback),
and `/m/` makes the others from it, with the same names, types and validators as the rest."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import aiohttp
from multidict import CIMultiDict
from PIL import Image

from feedhub.media.disk import MediaDir
from feedhub.media.images import derive_variant, process_image
from tests import images
from tests.conftest import free_port, wait_until, write_config
from tests.media_support import image_feed, m_urls
from tests.served_support import images_settled

WIDTHS = (320, 640, 1280)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_lazy_poll_encodes_only_the_largest_fallback():
    done = process_image(images.camera_jpeg(2400, 1600), WIDTHS, 40_000_000, lazy=True)
    assert [(v.width, v.height) for v in done.variants] == [(320, 213), (640, 427), (1280, 853)]
    *smaller, largest = done.variants
    assert all(v.webp == b"" == v.fallback for v in smaller) and largest.webp == b""
    master = opened(largest.fallback)
    assert master.format == "JPEG" and master.size == (1280, 853)
    assert dict(master.getexif()) == {} and images.SERIAL.encode() not in largest.fallback


def test_derived_variants_have_their_size_format_and_no_metadata():
    master = process_image(images.camera_jpeg(2400, 1600), WIDTHS, 40_000_000, lazy=True)
    largest = master.variants[-1].fallback
    for size, fmt, kind in (((640, 427), "webp", "WEBP"), ((320, 213), "jpg", "JPEG")):
        data = derive_variant(largest, size, fmt)
        image = opened(data)
        assert image.format == kind and image.size == size
        assert dict(image.getexif()) == {} and "icc_profile" not in image.info
    # The largest WebP is the master's pixels, not enlarged.
    assert opened(derive_variant(largest, (1280, 853), "webp")).size == (1280, 853)


def test_transparency_survives_in_derived_variants():
    done = process_image(images.transparent_png(), WIDTHS, 40_000_000, lazy=True)
    assert done.fallback == "png"
    webp = opened(derive_variant(done.variants[-1].fallback, (320, 240), "webp"))
    assert webp.mode == "RGBA" and webp.size == (320, 240)
    assert webp.getpixel((0, 0))[3] == 0 and webp.getpixel((160, 120))[3] == 255


def test_a_made_file_counts_in_the_disk_use_and_goes_with_its_image(tmp_path: Path):
    done = process_image(images.photo(900, 600), WIDTHS, 40_000_000, lazy=True)
    media = MediaDir(tmp_path)
    media.scan()
    first = media.write(done)
    assert first == len(done.variants[-1].fallback) and media.total == first
    webp = derive_variant(done.variants[-1].fallback, (640, 427), "webp")
    assert media.add(done.digest, 640, "webp", webp) == len(webp)
    assert media.total == first + len(webp)
    assert media.add(done.digest, 640, "webp", webp) == 0  # made twice: counted once
    again = MediaDir(tmp_path)
    again.scan()
    assert again.total == first + len(webp)
    assert media.remove(done.digest) == first + len(webp)
    assert not list(tmp_path.rglob(f"{done.digest}*"))
    # An image evicted while a worker made one of its files: nothing is written.
    assert media.add(done.digest, 320, "webp", webp) == 0
    assert not list(tmp_path.rglob(f"{done.digest}*")) and media.total == 0


async def get(url: str, headers: dict[str, str]) -> tuple[int, bytes, CIMultiDict[str]]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.read(), CIMultiDict(resp.headers)


async def test_feedhub_serve_makes_a_variant_when_first_asked(tmp_path, upstream, daemon):
    upstream.set("/cdn/camera.jpg", images.camera_jpeg(2400, 1600), "image/jpeg")
    url = image_feed(upstream, "/feed", [("/cdn/camera.jpg", "A tram")])
    port = free_port()
    media = tmp_path / "media"
    config = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "media": {"proxy": True, "dir": str(media)},
            "sources": {"blog": {"type": "feed", "url": url}},
            "widgets": {"blog": {"sources": ["blog"]}},
        },
    )
    d = daemon(config, port)
    await images_settled(d, "blog", quiet=1.0)
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/blog.html") as resp:
        found = m_urls(await resp.text())
    assert sorted(int(u.rsplit("-", 1)[1]) for u in found) == [320, 640, 1280]
    digest = found[0].rsplit("/", 1)[1].split("-")[0]
    on_disk = sorted(p.name for p in media.rglob(f"{digest}-*"))
    assert on_disk == [f"{digest}-1280.jpg"]  # the poll's one file

    webp = f"{d.url}/m/{digest}-640"
    # Many visitors at once ask for a file not made yet: one job, the same bytes for all.
    answers = await asyncio.gather(*(get(webp, {"Accept": "image/webp,*/*"}) for _ in range(8)))
    assert {(status, body) for status, body, _ in answers} == {(200, answers[0][1])}
    status, body, headers = answers[0]
    assert headers["Content-Type"] == "image/webp" and headers["Vary"] == "Accept"
    assert headers["ETag"] == f'"{digest}-640-webp"'
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    image = opened(body)
    assert image.format == "WEBP" and image.size == (640, 427)
    assert images.SERIAL.encode() not in body and b"Exif" not in body
    assert (media / digest[:2] / f"{digest}-640.webp").read_bytes() == body

    # Kept: the next answer is the file on disk, and a revalidation is a 304.
    assert (await get(webp, {"Accept": "image/webp"}))[1] == body
    status, _, headers = await get(webp, {"Accept": "image/webp", "If-None-Match": headers["ETag"]})
    assert status == 304 and headers["ETag"] == f'"{digest}-640-webp"'

    # A client without WebP gets a JPEG of that width, made now too, under its own ETag.
    status, jpeg, headers = await get(f"{d.url}/m/{digest}-320", {"Accept": "image/jpeg"})
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert headers["ETag"] == f'"{digest}-320-jpg"' and opened(jpeg).size == (320, 213)
    # The largest JPEG is the poll's own file, served as it is.
    status, master, _ = await get(f"{d.url}/m/{digest}-1280", {"Accept": "image/jpeg"})
    assert status == 200 and master == (media / digest[:2] / f"{digest}-1280.jpg").read_bytes()
    # No width the image lacks is ever made.
    assert (await get(f"{d.url}/m/{digest}-500", {"Accept": "image/webp"}))[0] == 404

    async def counted() -> bool:
        async with aiohttp.ClientSession() as http, http.get(f"{d.url}/metrics") as resp:
            text = await resp.text()
        return "feedhub_media_made_total 2" in text or "feedhub_media_made_total 2.0" in text

    await wait_until(counted, timeout=5)
    assert sorted(p.name for p in media.rglob(f"{digest}-*")) == [
        f"{digest}-1280.jpg",
        f"{digest}-320.jpg",
        f"{digest}-640.webp",
    ]


def test_the_same_image_written_again_keeps_counting_the_files_made_since(tmp_path: Path):
    # Two URLs with the same bytes share one digest: the second fetch writes the poll's file
    # again, and the WebP made in between stays on disk and in the disk use.
    done = process_image(images.photo(900, 600), WIDTHS, 40_000_000, lazy=True)
    media = MediaDir(tmp_path)
    media.scan()
    first = media.write(done)
    webp = derive_variant(done.variants[-1].fallback, (320, 213), "webp")
    media.add(done.digest, 320, "webp", webp)
    assert media.write(done) == first + len(webp) == media.total
