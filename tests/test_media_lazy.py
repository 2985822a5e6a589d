"""Variants made when first asked for: a poll checks an image and keeps its original as
fetched, and `/m/` makes every file from it, with the same names, types and validators."""

from __future__ import annotations

import asyncio
import io
import os
import time
from pathlib import Path

import aiohttp
import pytest
from multidict import CIMultiDict
from PIL import Image

from feedhub.media.disk import CONTENT_TYPES, NAME_RE, STALE_INCOMING, MediaDir
from feedhub.media.images import (
    KEEP_ORIGINAL,
    ImageRefused,
    check_image,
    derive_variant,
    process_image,
)
from tests import images
from tests.conftest import free_port, wait_until, write_config
from tests.media_support import image_feed, m_urls
from tests.served_support import images_settled

WIDTHS = (320, 640, 1280)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_poll_encodes_nothing_and_learns_the_sizes():
    done = check_image(images.camera_jpeg(2400, 1600), WIDTHS, 40_000_000)
    assert [(v.width, v.height) for v in done.variants] == [(320, 213), (640, 427), (1280, 853)]
    assert all(v.webp == b"" == v.fallback for v in done.variants) and done.fallback == "jpg"


def test_the_poll_learns_what_the_full_encode_makes():
    # The sizes and types the records keep are those of encoding every variant, whatever
    # the scale the check decodes at: sideways, odd sizes, large, small, transparent.
    for data in (
        images.camera_jpeg(2400, 1600, orientation=6),
        images.photo(5000, 3000, quality=90),
        images.photo(1203, 797),
        images.photo(300, 200),
        images.photo(200, 150, "PNG"),
        images.transparent_png(),
    ):
        checked, full = (
            check_image(data, WIDTHS, 40_000_000),
            process_image(data, WIDTHS, 40_000_000),
        )
        assert checked.digest == full.digest and checked.fallback == full.fallback
        assert [(v.width, v.height) for v in checked.variants] == [
            (v.width, v.height) for v in full.variants
        ]


def test_the_poll_reads_the_bytes_from_a_file(tmp_path: Path):
    data = images.photo(900, 600)
    (tmp_path / "in").write_bytes(data)
    assert check_image(tmp_path / "in", WIDTHS, 40_000_000) == check_image(data, WIDTHS, 40_000_000)


def test_derived_variants_have_their_size_format_and_no_metadata():
    original = images.camera_jpeg(2400, 1600)
    for size, fmt, kind in (((640, 427), "webp", "WEBP"), ((320, 213), "jpg", "JPEG")):
        data = derive_variant(original, size, fmt, 40_000_000)
        image = opened(data)
        assert image.format == kind and image.size == size
        assert dict(image.getexif()) == {} and "icc_profile" not in image.info
        assert images.SERIAL.encode() not in data
    # The largest is the original's pixels, scaled down, not enlarged.
    assert opened(derive_variant(original, (1280, 853), "jpg", 40_000_000)).size == (1280, 853)


def test_a_derived_variant_is_upright():
    original = images.camera_jpeg(300, 200, orientation=6)
    assert opened(derive_variant(original, (200, 300), "jpg", 40_000_000)).size == (200, 300)


def test_making_a_variant_refuses_what_the_poll_refuses():
    with pytest.raises(ImageRefused, match="pixel limit"):
        derive_variant(images.photo(900, 600), (320, 213), "webp", 100_000)
    with pytest.raises(ImageRefused, match="data is broken"):
        derive_variant(images.truncated_jpeg(), (320, 213), "webp", 40_000_000)


def test_a_file_kept_before_originals_were_still_makes_the_others():
    # A cache from before: the largest fallback, already clean, is the source.
    largest = process_image(images.camera_jpeg(2400, 1600), WIDTHS, 40_000_000).variants[-1]
    webp = opened(derive_variant(largest.fallback, (640, 427), "webp", 40_000_000))
    assert webp.format == "WEBP" and webp.size == (640, 427)


def test_transparency_survives_in_derived_variants():
    webp = opened(derive_variant(images.transparent_png(), (320, 240), "webp", 40_000_000))
    assert webp.mode == "RGBA" and webp.size == (320, 240)
    assert webp.getpixel((0, 0))[3] == 0 and webp.getpixel((160, 120))[3] == 255


def kept(media: MediaDir, data: bytes) -> tuple[str, int]:
    """A fetched image kept as a poll keeps it: its digest and the bytes on disk for it."""
    done = check_image(data, WIDTHS, 40_000_000)
    return done.digest, media.keep(done, media.incoming(data))


def test_an_original_too_big_to_keep_gives_way_to_its_largest_fallback(tmp_path: Path):
    data = images.noise_jpeg(3000, 2000)
    assert len(data) > KEEP_ORIGINAL
    checked, full = check_image(data, WIDTHS, 40_000_000), process_image(data, WIDTHS, 40_000_000)
    assert [(v.width, v.height) for v in checked.variants] == [
        (v.width, v.height) for v in full.variants
    ]
    assert [bool(v.fallback) for v in checked.variants] == [False, False, True]
    assert not any(v.webp for v in checked.variants) and checked.digest == full.digest
    media = MediaDir(tmp_path)
    media.scan()
    digest, size = kept(media, data)
    on_disk = sorted(p.name for p in tmp_path.rglob(f"{digest}*"))
    assert on_disk == [f"{digest}-1280.jpg"] and size < len(data) // 3
    assert not list(tmp_path.glob(".in-*")) and media.total == size
    largest = media.path(digest, 1280, "jpg")
    assert b"Canon" not in largest.read_bytes() and opened(largest.read_bytes()).size == (1280, 853)
    webp = opened(derive_variant(largest, (640, 427), "webp", 40_000_000))  # the others from it
    assert webp.format == "WEBP" and webp.size == (640, 427)


def test_a_made_file_counts_in_the_disk_use_and_goes_with_its_image(tmp_path: Path):
    media = MediaDir(tmp_path)
    media.scan()
    data = images.photo(900, 600)
    digest, first = kept(media, data)
    assert first == len(data) and media.total == first
    assert not list(tmp_path.glob(".in-*"))
    webp = derive_variant(data, (640, 427), "webp", 40_000_000)
    assert media.add(digest, 640, "webp", webp) == len(webp)
    assert media.total == first + len(webp)
    assert media.add(digest, 640, "webp", webp) == 0  # made twice: counted once
    again = MediaDir(tmp_path)
    again.scan()
    assert again.total == first + len(webp)
    assert media.remove(digest) == first + len(webp)
    assert not list(tmp_path.rglob(f"{digest}*"))
    # An image evicted while a worker made one of its files: nothing is written.
    assert media.add(digest, 320, "webp", webp) == 0
    assert not list(tmp_path.rglob(f"{digest}*")) and media.total == 0


def test_a_fetch_cut_short_by_a_stop_leaves_nothing_after_the_next_start(tmp_path: Path):
    media = MediaDir(tmp_path)
    media.scan()
    cut = media.incoming(images.photo(300, 200))
    os.utime(cut, (time.time() - 2 * STALE_INCOMING,) * 2)
    checking = media.incoming(images.photo(300, 200))  # another replica's, being checked now
    MediaDir(tmp_path).scan()
    assert list(tmp_path.glob(".in-*")) == [checking]


def test_the_original_is_never_served(tmp_path: Path):
    media = MediaDir(tmp_path)
    media.scan()
    digest, _ = kept(media, images.camera_jpeg(2400, 1600))
    assert NAME_RE.match(f"{digest}-0") is None and "src" not in CONTENT_TYPES


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
    assert on_disk == [f"{digest}-0.src"]  # the poll's one file: the original as fetched

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
    # The original itself is never served, under any name.
    assert (await get(f"{d.url}/m/{digest}-0", {"Accept": "image/jpeg"}))[0] == 404
    # No width the image lacks is ever made.
    assert (await get(f"{d.url}/m/{digest}-500", {"Accept": "image/webp"}))[0] == 404

    async def counted() -> bool:
        async with aiohttp.ClientSession() as http, http.get(f"{d.url}/metrics") as resp:
            text = await resp.text()
        return "feedhub_media_made_total 2" in text or "feedhub_media_made_total 2.0" in text

    await wait_until(counted, timeout=5)
    assert sorted(p.name for p in media.rglob(f"{digest}-*")) == [
        f"{digest}-0.src",
        f"{digest}-320.jpg",
        f"{digest}-640.webp",
    ]


def test_the_same_image_written_again_keeps_counting_the_files_made_since(tmp_path: Path):
    # Two URLs with the same bytes share one digest: the second fetch keeps the original
    # again, and the WebP made in between stays on disk and in the disk use.
    media = MediaDir(tmp_path)
    media.scan()
    data = images.photo(900, 600)
    digest, first = kept(media, data)
    webp = derive_variant(data, (320, 213), "webp", 40_000_000)
    media.add(digest, 320, "webp", webp)
    assert kept(media, data)[1] == first + len(webp) == media.total
