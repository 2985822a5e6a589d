"""Photos for the benchmarks' upstream: a few real JPEGs made once, each URL's bytes unique.

Every URL gets its own bytes (a distinct trailer after the JPEG's end marker, which decoders
ignore), so the media cache fetches and processes each one as it would a platform's photos.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw

POOL = 8
SIZE = (1200, 800)


@cache
def _pool() -> list[bytes]:
    out = []
    for seed in range(POOL):
        image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
        draw = ImageDraw.Draw(image)
        for i in range(12):
            x, y = (seed * 131 + i * 211) % SIZE[0], (seed * 71 + i * 97) % SIZE[1]
            r = 40 + (seed * 17 + i * 29) % 160
            draw.ellipse(
                (x - r, y - r, x + r, y + r), fill=((seed * 40 + i * 50) % 256, (i * 70) % 256, 180)
            )
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=88)
        out.append(buf.getvalue())
    return out


def photo(name: str) -> bytes:
    """A 1200×800 JPEG (about 100 KB) whose bytes are unique to `name`."""
    pool = _pool()
    return pool[sum(name.encode()) % POOL] + b"\xff\xfe" + name.encode()
