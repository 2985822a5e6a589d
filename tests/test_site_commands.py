"""The commands a site owner starts with: `feedhub init`, where a command finds its config,
`feedhub themes` and `feedhub themes copy` (with the running daemon picking the copy up)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from feedhub.cli.common import find_config
from tests.conftest import ROOT, free_port

NEWS = ROOT / "examples" / "news.xml"


def feedhub(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "FEEDHUB_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "feedhub", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={**environ, **env},
    )


def test_init_writes_the_example_and_refuses_to_overwrite_without_force(tmp_path):
    first = feedhub(tmp_path, "init", "site")
    assert first.returncode == 0, first.stderr
    site = tmp_path / "site"
    assert (site / "config.yaml").read_bytes() == (ROOT / "config.yaml").read_bytes()
    assert (site / "examples" / "news.xml").read_bytes() == NEWS.read_bytes()
    assert first.stdout.splitlines()[-3:] == [
        "next:",
        "  feedhub check -c site/config.yaml",
        "  feedhub serve -c site/config.yaml",
    ]
    (site / "config.yaml").write_text("# mine\n")
    second = feedhub(tmp_path, "init", "site")
    assert second.returncode == 1
    assert "site/config.yaml, site/examples/news.xml already there" in second.stderr
    assert "--force" in second.stderr
    assert (site / "config.yaml").read_text() == "# mine\n"  # nothing changed
    assert (site / "examples" / "news.xml").read_bytes() == NEWS.read_bytes()
    forced = feedhub(tmp_path, "init", "site", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (site / "config.yaml").read_bytes() == (ROOT / "config.yaml").read_bytes()


def test_init_in_the_current_folder_gives_commands_without_c(tmp_path):
    result = feedhub(tmp_path, "init")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["  feedhub check", "  feedhub serve"]
    check = feedhub(tmp_path, "check")
    assert check.returncode == 0 and "config.yaml: ok (1 sources, 2 widgets)" in check.stdout
    assert "reading config.yaml (in the current folder)" in check.stderr


def test_without_c_the_current_folder_then_feedhub_config_then_the_system_file(tmp_path):
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    (elsewhere / "site.yaml").write_text("widgets: {}\n")
    named = str(elsewhere / "site.yaml")
    result = feedhub(here, "check", FEEDHUB_CONFIG=named)
    assert result.returncode == 0, result.stderr
    assert f"reading {named} (named by $FEEDHUB_CONFIG)" in result.stderr
    (here / "config.yaml").write_text("sources: {}\n")
    result = feedhub(here, "check", FEEDHUB_CONFIG=named)
    assert "reading config.yaml (in the current folder)" in result.stderr
    (here / "config.yaml").unlink()
    wrong = feedhub(here, "check", FEEDHUB_CONFIG=str(tmp_path / "nope.yaml"))
    assert wrong.returncode == 1
    assert f"$FEEDHUB_CONFIG names {tmp_path / 'nope.yaml'}, which is not a file" in wrong.stderr
    # The system-wide file is /etc/feedhub/config.yaml; here one in a folder of the test.
    system = tmp_path / "etc-feedhub.yaml"
    os.chdir(here)
    try:
        path, why = find_config(env={}, system=system)
        assert path is None and f"there is no {system}" in why and "feedhub init" in why
        system.write_text("widgets: {}\n")
        assert find_config(env={}, system=system) == (str(system), "the system-wide config")
        assert find_config(env={"FEEDHUB_CONFIG": named}, system=system)[0] == named
    finally:
        os.chdir(ROOT)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode()


def wait_for(predicate, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"condition not met; daemon log:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_copied_theme_overrides_the_built_in_one_after_a_reload(tmp_path):
    port = free_port()
    shutil.copyfile(NEWS, tmp_path / "news.xml")
    (tmp_path / "themes").mkdir()
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "server": {"port": port, "widgets_dir": "themes"},
                "sources": {"news": {"type": "feed", "url": "news.xml"}},
                "widgets": {
                    "side": {
                        "title": "News",
                        "sources": ["news"],
                        "theme": "sidebar",
                        "more": {"label": "all posts", "url": "https://example.org/"},
                    }
                },
            }
        )
    )
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedhub", "serve"],
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/w/side"
    try:
        wait_for(lambda: "feedhub est en ligne" in get(url), proc, log)
        assert "reading config.yaml (in the current folder)" in log.read_text()
        before = get(url)
        copied = feedhub(tmp_path, "themes", "copy", "sidebar", "themes")
        assert copied.returncode == 0, copied.stderr
        assert "server.widgets_dir: themes" in copied.stdout
        listed = feedhub(tmp_path, "themes").stdout
        assert re.search(
            r"^sidebar\s+site\s+\S+/themes/sidebar  \(in place of the built-in", listed, re.M
        ), listed
        assert re.search(r"^cards\s+built-in\s+", listed, re.M)
        template = tmp_path / "themes" / "sidebar" / "widget.html"
        template.write_text(
            template.read_text()
            + (
                '{% block header %}<h2 class="fh-title">Ours: {{ widget.title }}</h2>'
                "{% endblock %}\n"
            )
        )
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "Ours: News" in get(url), proc, log)
        after = get(url)
        assert '<h2 class="fh-title">News</h2>' in before and "Ours" not in before
        # the rest is the built-in theme's: base markup, items, the "more" link, both styles
        for kept in (
            "fh-theme-sidebar",
            "feedhub est en ligne",
            ">all posts</a>",
            (ROOT / "widgets" / "sidebar" / "style.css").read_text().strip()[:60],
            (ROOT / "widgets" / "_base" / "style.css").read_text().strip()[:60],
        ):
            assert kept in before and kept in after, kept
        again = feedhub(tmp_path, "themes", "copy", "sidebar", "themes")
        assert again.returncode == 1 and "exists" in again.stderr
        assert "Ours" in template.read_text()
        unknown = feedhub(tmp_path, "themes", "copy", "nope", "themes")
        assert (
            unknown.returncode == 2
            and "have: cards, carousel, list, masonry, sidebar, ticker, wall" in unknown.stderr
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text()
