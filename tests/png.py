"""Tiny PNGs made on the spot: what the browser tests serve in place of internet images."""

from __future__ import annotations

import hashlib
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def placeholder_png(seed: str, width: int = 96, height: int = 64) -> bytes:
    """A soft two-colour gradient whose colours derive from `seed` (e.g. the image URL)."""
    d = hashlib.sha256(seed.encode()).digest()
    a, b = (d[0], d[1], d[2]), (d[3], d[4], d[5])
    rows = []
    for y in range(height):
        t = y / max(1, height - 1)
        pixel = bytes(int(a[i] * (1 - t) + b[i] * t) // 2 + 96 for i in range(3))
        rows.append(b"\x00" + pixel * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )
