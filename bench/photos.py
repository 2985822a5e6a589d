"""Photos for the benchmarks' upstream: a few real JPEGs made once, each URL's bytes unique.

Every URL gets its own bytes (a distinct trailer after the JPEG's end marker, which decoders
ignore), so the media cache fetches and processes each one as it would a platform's photos.

Two kinds: textured (the default), like a camera's photo, shapes with sharp edges under a
surface texture at several scales and sensor grain, about 250 KB at 1200×800; and smooth
(names starting with `smooth-`), gradients and flat shapes, about 50 KB, which cost encoders
far less than real photos do.
"""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageOps

POOL = 8
SIZE = (1200, 800)
SMOOTH = "smooth-"


def _smooth(seed: int) -> Image.Image:
    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (seed * 131 + i * 211) % SIZE[0], (seed * 71 + i * 97) % SIZE[1]
        r = 40 + (seed * 17 + i * 29) % 160
        draw.ellipse(
            (x - r, y - r, x + r, y + r), fill=((seed * 40 + i * 50) % 256, (i * 70) % 256, 180)
        )
    return image


def _texture(width: int, height: int) -> Image.Image:
    """Noise at several scales, from soft blotches to single pixels, full contrast."""
    out: Image.Image | None = None
    for scale, weight in ((50, 1.0), (12, 0.3), (3, 0.2), (1, 0.15)):
        noise = Image.effect_noise((max(1, width // scale), max(1, height // scale)), 64)
        noise = ImageOps.autocontrast(noise.resize((width, height), Image.Resampling.BICUBIC))
        out = noise if out is None else Image.blend(out, noise, weight)
    assert out is not None
    return ImageOps.autocontrast(out)


def _textured(seed: int) -> Image.Image:
    rnd = random.Random(seed)
    width, height = SIZE
    sky = (rnd.randrange(120, 256), rnd.randrange(120, 256), 255)
    image = ImageChops.multiply(
        Image.linear_gradient("L").resize(SIZE).convert("RGB"), Image.new("RGB", SIZE, sky)
    )
    draw = ImageDraw.Draw(image)
    for i in range(14):
        x, y, r = rnd.randrange(width), rnd.randrange(height // 3, height), rnd.randrange(30, 220)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        if i % 2:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.polygon([(x, y - r), (x + r, y + r // 2), (x - r, y + r)], fill=colour)
    surface = ImageChops.multiply(image, _texture(width, height).convert("RGB"))
    image = Image.blend(image, surface, 0.6)
    grain = Image.effect_noise(SIZE, 9).convert("RGB")  # centred on 128: added, then -128
    return ImageChops.add(image, grain, scale=1.0, offset=-128)


@cache
def _pool(smooth: bool) -> list[bytes]:
    out = []
    for seed in range(POOL):
        image = _smooth(seed) if smooth else _textured(seed)
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=88 if smooth else 85)
        out.append(buf.getvalue())
    return out


def photo(name: str) -> bytes:
    """A 1200×800 JPEG whose bytes are unique to `name`: textured, or smooth when `name`
    starts with `smooth-`."""
    pool = _pool(name.startswith(SMOOTH))
    return pool[sum(name.encode()) % POOL] + b"\xff\xfe" + name.encode()
