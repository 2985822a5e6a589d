"""Hostile or broken config files: refused by `feedhub check` with a message, refused by a
running server's reload without killing its file watcher, and never echoing secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.conftest import ROOT, free_port, make_config, wait_until, write_config
from tests.fault_upstream import good_feed
from tests.serve_support import base_config


def check(path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feedhub", "check", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def laughs(levels: int = 9) -> str:
    """A 'billion laughs' of YAML aliases: about a kilobyte that expands to 9**levels."""
    lines = ['l0: &l0 "ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha ha"']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join("x" + line for line in lines) + (
        "\nwidgets:\n  side:\n    sources: [blog]\n    title: *l9\n"
    )


BAD_FILES = {
    "bomb.yaml": (laughs().encode(), "aliases are expanded"),
    "deep.yaml": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested deeper than"),
    "latin1.yaml": (
        "server:\n  public_url: https://caf\xe9.example\n".encode("latin-1"),
        "not UTF-8",
    ),
    "twice.yaml": (
        b"admin:\n  token: long-and-secret\nsources: {}\nadmin:\n  token: ''\n",
        "given twice",
    ),
    "quoted.yaml": (b'sources: {}\n"sources": {}\n', "given twice"),
    "numbers.yaml": (b"server: {}\nx:\n  1: a\n  0x1: b\n", "given twice"),
    "huge.yaml": (b"# " + b"x" * (2 * 1024 * 1024) + b"\n", "larger than"),
}


def test_check_refuses_hostile_files_with_a_message(tmp_path):
    for name, (body, message) in BAD_FILES.items():
        path = tmp_path / name
        path.write_bytes(body)
        proc = check(path)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert message in proc.stderr, (name, proc.stderr)
        assert "Traceback" not in proc.stderr, (name, proc.stderr)
        assert len(proc.stderr) < 2000, name


def test_refused_config_messages_mask_values_from_the_environment(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "server:\n  port: ${FEEDHUB_PORT}\n  public_url: ${PUBLIC}\n"
        "admin:\n  token: ${TOKEN}\nsources: {}\nwidgets: {}\n"
    )
    proc = check(
        path, {"FEEDHUB_PORT": "hunter2-port", "PUBLIC": "not a url s3cr3t", "TOKEN": "fine"}
    )
    assert proc.returncode == 1
    assert "hunter2" not in proc.stderr and "s3cr3t" not in proc.stderr, proc.stderr
    assert "${FEEDHUB_PORT}" in proc.stderr and "${PUBLIC}" in proc.stderr, proc.stderr


async def test_a_broken_edit_leaves_the_watcher_watching(tmp_path, upstream, daemon):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    port = free_port()
    side = {"side": {"sources": ["blog"], "limit": 5}}
    path = write_config(tmp_path, base_config(tmp_path, upstream, port, side))
    proc = daemon(path, port)
    async with aiohttp.ClientSession() as http:

        async def shows(p: str, text: str) -> bool:
            async with http.get(proc.url + p) as resp:
                return resp.status == 200 and text in await resp.text()

        await wait_until(lambda: shows("/w/side.html", "post 0"))
        for name in ("latin1.yaml", "deep.yaml"):
            path.write_bytes(BAD_FILES[name][0])
            await wait_until(lambda name=name: shows("/admin", BAD_FILES[name][1]), timeout=15)
        # Still watching: a good edit after the bad ones is picked up from the file.
        good = base_config(
            tmp_path, upstream, port, {**side, "more": {"sources": ["blog"], "title": "Encore"}}
        )
        write_config(tmp_path, good)
        await wait_until(lambda: shows("/w/more.html", "Encore"), timeout=15)
    assert proc.proc.poll() is None


async def test_upstream_errors_quoting_a_secret_url_are_masked(tmp_path, upstream, feedhub_service):
    """A feed URL that carries a key from the environment: its errors, as /admin and the
    log show them, name the variable, never the key."""
    cfg = make_config(
        tmp_path,
        {
            "sources": {"keyed": {"type": "feed", "url": upstream.url("/gone") + "?key=${KEY}"}},
            "widgets": {"side": {"sources": ["keyed"]}},
        },
        env={"KEY": "sup3r-s3cret-key"},
    )
    running = await feedhub_service(cfg)
    await running.poll_all()
    state = running.service.states["keyed"]
    assert state.errors == 1 and "HTTP 404" in state.last_error
    assert "sup3r-s3cret-key" not in state.last_error and "${KEY}" in state.last_error
    _, admin, _ = await running.get("/admin")
    assert "sup3r-s3cret-key" not in admin and "${KEY}" in admin
