"""`feedhub fetch` and `feedhub render` end without a traceback: the parse workers' pool is
shut down and waited for, so no thread of it races the interpreter's exit (the "Bad file
descriptor" seen in about one run in twenty, made to happen every time here)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, fixture_bytes, write_config

RACE = ROOT / "tests" / "exit_race"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(RACE), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "feedhub", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize("command", [["fetch", "blog"], ["render", "side", "--fetch"]])
async def test_one_shot_commands_exit_cleanly(tmp_path, upstream, command):
    upstream.set("/feed", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    path = write_config(
        tmp_path,
        {
            "storage": {"backend": "sqlite", "path": str(tmp_path / "db.sqlite3")},
            "fetch": {"allow_private_addresses": True},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    result = await asyncio.to_thread(run, *command, "-c", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Bad file descriptor" not in result.stderr, (
        result.stderr
    )
    assert upstream.requests_to("/feed"), "the command did fetch over HTTP"
