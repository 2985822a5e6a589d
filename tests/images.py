"""Real image files made on the spot, the good and the hostile, for the media cache tests."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import ExifTags, Image, ImageDraw

SERIAL = "SN-0042-1337"
GPS = {1: "N", 2: (45.0, 45.0, 30.0), 3: "E", 4: (4.0, 50.0, 10.0)}


def photo(width: int, height: int, fmt: str = "JPEG", seed: int = 0, **save: object) -> bytes:
    """A picture with some structure (a gradient and shapes), so encoders have work to do."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y = (seed * 37 + i * 97) % width, (seed * 53 + i * 61) % height
        r = max(4, min(width, height) // (4 + i))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=((seed * 40 + i * 50) % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def noise_jpeg(width: int, height: int, seed: int = 0) -> bytes:
    """A JPEG of random pixels with the camera's EXIF: megabytes, like a camera's photo at
    full size (random pixels barely compress)."""
    pixels = random.Random(seed).randbytes(width * height * 3)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def camera_jpeg(width: int = 2400, height: int = 1600, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS position, camera serial number, maker,
    orientation, plus an XMP packet and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x0112] = orientation
    exif[ExifTags.IFD.Exif] = {0xA431: SERIAL, 0x9003: "2026:11:30 10:00:00"}
    exif[ExifTags.IFD.GPSInfo] = GPS
    return photo(
        width,
        height,
        "JPEG",
        exif=exif,
        comment=b"taken at home",
        xmp=b"<x:xmpmeta>home address</x:xmpmeta>",
    )


def transparent_png(width: int = 400, height: int = 300) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, width - 10, height - 10), fill=(30, 160, 90, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def animated_gif(frames: int = 4, size: int = 120) -> bytes:
    images = [Image.new("RGB", (size, size), (60 * i % 256, 80, 160)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(side: int = 30_000) -> bytes:
    """A few KB of PNG that declare side × side pixels (900 megapixels at the default): the
    compressed rows of zeros would inflate to gigabytes if anything decoded them."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side * 3 + 1) * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" '
    b'height="100"><script>alert(document.cookie)</script>'
    b'<circle cx="50" cy="50" r="40"/></svg>'
)
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Not found</h1><img src=x></body></html>"


def truncated_jpeg() -> bytes:
    whole = photo(800, 600, "JPEG", seed=3)
    return whole[: len(whole) // 2]


def huge_file(megabytes: int = 50) -> bytes:
    """A real JPEG header followed by `megabytes` MB: what a mistaken or hostile CDN sends."""
    head = photo(64, 64, "JPEG")
    return head + b"\x00" * (megabytes * 1024 * 1024)
