"""The cached images on disk: content-addressed files, their sizes and when each was last used.

Files live at `<dir>/<2 hex>/<digest>-<width>.<webp|jpg|png>`, beside the original as fetched
(`<digest>-0.src`, never served), written atomically (a temporary
file renamed into place), so a reader never sees half an image and a crash leaves no torn one.
What to delete is decided by pure functions (`to_evict`, `expired`); this class only does it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cachetools import LRUCache

if TYPE_CHECKING:  # Pillow is for the workers: the serving process never loads it
    from feedhub.media.images import Processed

NAME_RE = re.compile(r"^([0-9a-f]{24})-([1-9][0-9]{0,4})$")  # one spelling per width: no 0320
_FILE_RE = re.compile(r"^([0-9a-f]{24})-([0-9]{1,5})\.(webp|jpg|png|src)$")
# An image's original as fetched, from which its variants are made: width 0 and a type of
# its own, so no `/m/` name can ever ask for it (NAME_RE, CONTENT_TYPES).
ORIGINAL = (0, "src")
INCOMING = ".in-"  # a fetched image's bytes before the worker has checked them
# Older than this, an incoming file is one a stop cut short (a fetch's lives for seconds at
# most), not one a replica sharing the folder is checking now: the next start deletes it.
STALE_INCOMING = 3600.0
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
# Small files are also kept in memory: a wall's thumbnails and avatars are asked for by every
# page view, and answering them from memory skips an open/stat/read per request.
MEMORY_BYTES = 32 * 1024 * 1024
MEMORY_FILE_MAX = 256 * 1024


@dataclass(slots=True)
class DiskEntry:
    """One original's files: their total size and when one was last served or written."""

    size: int
    last_used: float


def to_evict(entries: Mapping[str, DiskEntry], protected: set[str], budget: int) -> list[str]:
    """The digests to delete, least recently used first, until the total fits `budget`;
    never a protected one (an image a current widget version shows)."""
    total = sum(e.size for e in entries.values())
    chosen = []
    for digest, entry in sorted(entries.items(), key=lambda kv: kv[1].last_used):
        if total <= budget:
            break
        if digest in protected:
            continue
        chosen.append(digest)
        total -= entry.size
    return chosen


def expired(unused_since: Mapping[str, float], grace: float, now: float) -> list[str]:
    """The digests no stored item has used for longer than the grace period."""
    return [d for d, since in unused_since.items() if now - since >= grace]


class MediaDir:
    """Reads and writes the files of `root`; keeps their sizes and last use in memory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, DiskEntry] = {}
        self._total = 0  # kept as entries change: a settled image asks for it every time
        self._memory: LRUCache[tuple[str, str], bytes] = LRUCache(MEMORY_BYTES, getsizeof=len)

    @property
    def total(self) -> int:
        return self._total

    def scan(self) -> None:
        """Learn what is on disk (at start; blocking: call it in a thread)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for left in self.root.glob(f"{INCOMING}*"):
            with contextlib.suppress(OSError):  # gone meanwhile
                if time.time() - left.stat().st_mtime > STALE_INCOMING:
                    left.unlink()
        entries: dict[str, DiskEntry] = {}
        for sub in self.root.iterdir():
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for path in sub.iterdir():
                m = _FILE_RE.match(path.name)
                if m is None:
                    continue
                st = path.stat()
                entry = entries.setdefault(m[1], DiskEntry(0, 0.0))
                entry.size += st.st_size
                entry.last_used = max(entry.last_used, st.st_mtime)
        self.entries = entries
        self._total = sum(e.size for e in entries.values())

    def path(self, digest: str, width: int, ext: str) -> Path:
        return self.root / digest[:2] / f"{digest}-{width}.{ext}"

    def has(self, digest: str, widths: Iterable[int], fallback: str) -> bool:
        """True when every file of these variants is on disk."""
        return digest in self.entries and all(
            self.path(digest, w, ext).exists() for w in widths for ext in ("webp", fallback)
        )

    def write(self, processed: Processed) -> int:
        """Write an image's variants (blocking: in a thread); the bytes now on disk for it."""
        folder = self.root / processed.digest[:2]
        folder.mkdir(parents=True, exist_ok=True)
        size = 0
        for v in processed.variants:
            for ext, data in (("webp", v.webp), (processed.fallback, v.fallback)):
                if data:  # empty: made when first asked for (`add`)
                    _write_atomic(self.path(processed.digest, v.width, ext), data)
                    size += len(data)
        return self._settled(processed.digest, size)

    def incoming(self, data: bytes) -> Path:
        """Save a fetched image's bytes for a worker to read by path (blocking)."""
        fd, name = tempfile.mkstemp(dir=self.root, prefix=INCOMING)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return Path(name)

    def keep(self, processed: Processed, incoming: Path) -> int:
        """Keep a checked image (blocking): the `incoming` file as its original, or the
        largest fallback the check made in its place (an original too big to keep)."""
        if any(v.fallback for v in processed.variants):
            incoming.unlink(missing_ok=True)
            return self.write(processed)
        return self.keep_original(processed.digest, incoming)

    def keep_original(self, digest: str, incoming: Path) -> int:
        """Keep a checked `incoming` file as the original of `digest` (blocking); the bytes
        now on disk for it."""
        path = self.path(digest, *ORIGINAL)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming, path)
        return self._settled(digest, path.stat().st_size)

    def _settled(self, digest: str, size: int) -> int:
        if digest in self.entries:  # fetched again (or under another URL): the files made
            size = _size_of((self.root / digest[:2]).glob(f"{digest}-*"))  # since count
        old = self.entries.get(digest)
        self._total += size - (old.size if old else 0)
        self.entries[digest] = DiskEntry(size, time.time())
        return size

    def add(self, digest: str, width: int, ext: str, data: bytes) -> int:
        """Write one variant made after the others (blocking); the bytes it adds, 0 when the
        image left the cache meanwhile (nothing is written then: no file outside the budget)."""
        entry = self.entries.get(digest)
        if entry is None:
            return 0
        path = self.path(digest, width, ext)
        try:
            replaced = path.stat().st_size  # two replicas' workers made it at once
        except OSError:
            replaced = 0
        _write_atomic(path, data)
        if self.entries.get(digest) is not entry:  # removed while it was written
            path.unlink(missing_ok=True)
            return 0
        entry.size += len(data) - replaced
        self._total += len(data) - replaced
        entry.last_used = time.time()
        return len(data) - replaced

    def read(self, digest: str, width: int, ext: str) -> bytes | Path | None:
        """A small file's bytes (from memory when recently served), a large file's path (to
        be sent from disk), or None when it is not on disk."""
        key = (f"{digest}-{width}", ext)
        found: bytes | Path | None = self._memory.get(key)
        if found is None:
            path = self.path(digest, width, ext)
            try:
                size = path.stat().st_size
                found = path.read_bytes() if size <= MEMORY_FILE_MAX else path
            except OSError:
                return None
            if isinstance(found, bytes):
                self._memory[key] = found
        entry = self.entries.get(digest)
        if entry is not None:
            entry.last_used = time.time()
        return found

    def remove(self, digest: str) -> int:
        """Delete an original's files (blocking); the bytes freed."""
        entry = self.entries.pop(digest, None)
        if entry is not None:
            self._total -= entry.size
        folder = self.root / digest[:2]
        for path in folder.glob(f"{digest}-*"):
            path.unlink(missing_ok=True)
        for key in [k for k in self._memory if k[0].startswith(digest)]:
            self._memory.pop(key, None)
        return entry.size if entry else 0


def _size_of(paths: Iterable[Path]) -> int:
    size = 0
    for path in paths:
        with contextlib.suppress(OSError):  # removed meanwhile
            size += path.stat().st_size
    return size


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
