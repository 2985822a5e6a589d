"""Durations ("90s", "15m", "2h", "1d") and sizes ("512KB", "10MB") as written in the config."""

from __future__ import annotations

import re

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
    None: 1,
}


def parse_duration(value: object) -> float:
    """Seconds from a number or a string like "15m"; ValueError with a readable message."""
    if isinstance(value, bool):
        raise ValueError(f"must be a duration like 90s, 15m, 2h or 1d, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION_RE.match(value)):
        seconds = float(m.group(1)) * _DURATION_UNITS[m.group(2)]
    else:
        raise ValueError(f"must be a duration like 90s, 15m, 2h or 1d, got {value!r}")
    if seconds <= 0:
        raise ValueError(f"must be longer than zero, got {value!r}")
    return seconds


def parse_size(value: object) -> int:
    """Bytes from a number or a string like "10MB"."""
    if isinstance(value, bool):
        raise ValueError(f"must be a size like 512KB or 10MB, got {value!r}")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str) and (m := _SIZE_RE.match(value)):
        unit = m.group(2).lower() if m.group(2) else None
        size = int(float(m.group(1)) * _SIZE_UNITS[unit])
    else:
        raise ValueError(f"must be a size like 512KB or 10MB, got {value!r}")
    if size <= 0:
        raise ValueError(f"must be larger than zero, got {value!r}")
    return size
