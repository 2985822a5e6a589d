"""The on-disk image cache: atomic files, what a restart finds, and what the budget deletes."""

from __future__ import annotations

from pathlib import Path

from feedhub.media.disk import DiskEntry, MediaDir, expired, to_evict
from feedhub.media.images import process_image
from tests import images

WIDTHS = (320, 640, 1280)


def test_write_read_and_find_again_after_a_restart(tmp_path: Path):
    done = process_image(images.photo(900, 600), WIDTHS, 40_000_000)
    media = MediaDir(tmp_path / "media")
    media.scan()
    written = media.write(done)
    assert written == sum(len(v.webp) + len(v.fallback) for v in done.variants)
    assert media.has(done.digest, [320, 640, 900], "jpg")
    assert media.read(done.digest, 640, "webp") == done.variants[1].webp
    assert media.read(done.digest, 641, "webp") is None
    assert not list((tmp_path / "media").rglob(".tmp-*"))
    again = MediaDir(tmp_path / "media")
    again.scan()
    assert again.entries[done.digest].size == written == again.total
    assert again.read(done.digest, 900, "jpg") == done.variants[2].fallback


def test_remove_frees_the_files_and_the_memory_copy(tmp_path: Path):
    done = process_image(images.photo(400, 300), WIDTHS, 40_000_000)
    media = MediaDir(tmp_path)
    media.scan()
    size = media.write(done)
    assert media.read(done.digest, 320, "webp") is not None  # now also in memory
    assert media.remove(done.digest) == size
    assert media.read(done.digest, 320, "webp") is None
    assert media.total == 0 and not list(tmp_path.rglob(f"{done.digest}*"))


def test_eviction_goes_least_recently_used_first_and_spares_protected_images():
    entries = {
        "old": DiskEntry(400, 1.0),
        "shown": DiskEntry(400, 2.0),
        "mid": DiskEntry(400, 3.0),
        "new": DiskEntry(400, 4.0),
    }
    assert to_evict(entries, set(), 1600) == []
    assert to_evict(entries, set(), 1000) == ["old", "shown"]
    assert to_evict(entries, {"shown"}, 1000) == ["old", "mid"]
    # Everything left is shown: the budget cannot be met, and nothing shown goes.
    assert to_evict(entries, {"shown", "mid", "new"}, 100) == ["old"]


def test_grace_period():
    assert expired({"a": 100.0, "b": 900.0}, grace=500.0, now=1000.0) == ["a"]
    assert expired({"a": 100.0}, grace=5000.0, now=1000.0) == []
