"""Re-encoding one image: metadata gone, sizes right, hostile files refused before decoding."""

from __future__ import annotations

import io
import resource

import pytest
from PIL import Image

from feedhub.media.images import ImageRefused, process_image, target_widths
from tests import images

WIDTHS = (320, 640, 1280)
MAX_PIXELS = 40_000_000


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_camera_jpeg_loses_every_metadata_block():
    original = images.camera_jpeg()
    assert images.SERIAL.encode() in original and b"home address" in original
    done = process_image(original, WIDTHS, MAX_PIXELS)
    assert [v.width for v in done.variants] == [320, 640, 1280]
    for v in done.variants:
        for data in (v.webp, v.fallback):
            assert images.SERIAL.encode() not in data
            assert b"Exif" not in data and b"home address" not in data
            assert b"taken at home" not in data
            image = opened(data)
            assert dict(image.getexif()) == {}
            assert "icc_profile" not in image.info and "xmp" not in image.info
            assert image.width == v.width <= max(WIDTHS)
    assert opened(done.variants[0].webp).format == "WEBP"
    assert opened(done.variants[0].fallback).format == "JPEG"


def test_orientation_is_applied():
    # Orientation 6: stored 300×200 sideways, shown 200×300 upright.
    done = process_image(images.camera_jpeg(300, 200, orientation=6), WIDTHS, MAX_PIXELS)
    assert [(v.width, v.height) for v in done.variants] == [(200, 300)]
    assert opened(done.variants[0].fallback).size == (200, 300)


def test_a_5000px_photo_becomes_the_configured_widths():
    done = process_image(images.photo(5000, 3000, quality=90), WIDTHS, MAX_PIXELS)
    assert [(v.width, v.height) for v in done.variants] == [(320, 192), (640, 384), (1280, 768)]
    for v in done.variants:
        assert opened(v.webp).size == (v.width, v.height)


def test_never_enlarged():
    assert target_widths(500, WIDTHS) == [320, 500]
    assert target_widths(200, WIDTHS) == [200]
    assert target_widths(1280, WIDTHS) == [320, 640, 1280]
    assert target_widths(4000, WIDTHS) == [320, 640, 1280]
    done = process_image(images.photo(200, 150, "PNG"), WIDTHS, MAX_PIXELS)
    assert [(v.width, v.height) for v in done.variants] == [(200, 150)]


def test_transparency_falls_back_to_png():
    done = process_image(images.transparent_png(), WIDTHS, MAX_PIXELS)
    assert done.fallback == "png"
    assert opened(done.variants[-1].fallback).mode == "RGBA"
    assert opened(done.variants[-1].webp).mode == "RGBA"


def test_animated_gif_becomes_its_first_frame():
    done = process_image(images.animated_gif(), WIDTHS, MAX_PIXELS)
    still = Image.open(io.BytesIO(done.variants[0].webp))
    assert getattr(still, "n_frames", 1) == 1 and still.size == (120, 120)


def test_same_bytes_same_name():
    data = images.photo(100, 80)
    assert (
        process_image(data, WIDTHS, MAX_PIXELS).digest
        == process_image(data, WIDTHS, MAX_PIXELS).digest
        != process_image(images.photo(100, 80, seed=2), WIDTHS, MAX_PIXELS).digest
    )


def test_decompression_bomb_refused_before_decoding():
    bomb = images.png_bomb()
    assert len(bomb) < 64 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageRefused, match="900000000 pixels, over the 40000000-pixel limit"):
        process_image(bomb, WIDTHS, MAX_PIXELS)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024  # 900 megapixels decoded would be 2.7 GB


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (images.SVG_WITH_SCRIPT, "SVG is not served"),
        (images.HTML_PAGE, "the answer is an HTML page"),
        (b"", "the answer is empty"),
        (b"GIF89a\x01", "unreadable image header|not a raster image"),
    ],
)
def test_not_a_raster_image(data, reason):
    with pytest.raises(ImageRefused, match=reason):
        process_image(data, WIDTHS, MAX_PIXELS)


def test_truncated_jpeg_is_an_error():
    with pytest.raises(ImageRefused, match="JPEG data is broken"):
        process_image(images.truncated_jpeg(), WIDTHS, MAX_PIXELS)
