"""feedhub installed like any Python daemon: the built wheel in a fresh virtualenv, outside the
checkout, run from an empty folder, with no file of the checkout on any path it reads.

The wheel and the sdist are built once per session (`dist` in conftest.py: the wheel from the
sdist, as a distribution packager builds it, so a file missing from the sdist fails here too).
"""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

VERSION_RE = re.compile(r'^__version__ = "([^"]+)"', re.M)
VERSION = VERSION_RE.findall((ROOT / "feedhub" / "__init__.py").read_text())[0]
NEWS_TITLES = re.findall(
    r"<item>\s*<title>([^<]+)</title>", (ROOT / "examples" / "news.xml").read_text()
)


@pytest.fixture(scope="session")
def venv(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel (and its dependencies) alone."""
    root = tmp_path_factory.mktemp("venv")
    assert ROOT not in root.parents
    # Made by the interpreter this checkout's venv is based on, not by that venv. No pip
    # inside: the checkout's pip installs into it (`--python`), and compiles nothing ahead.
    python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(root / "bin" / "python"),
            "install",
            "-q",
            "--no-compile",
            str(dist["wheel"]),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return root


def files_of(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_every_file_the_daemon_reads(dist):
    with zipfile.ZipFile(dist["wheel"]) as whl:
        names = set(whl.namelist())
        meta = email.message_from_bytes(whl.read(f"feedhub-{VERSION}.dist-info/METADATA"))
        shipped_config = whl.read("feedhub/examples/config.yaml")
    # the message catalogues' sources stay behind: the daemon reads the compiled .mo files
    expected = {
        f"feedhub/{f}" for f in files_of(ROOT / "feedhub") if not f.endswith((".po", ".pot"))
    }
    expected |= {f"feedhub/widgets/{f}" for f in files_of(ROOT / "widgets")}
    expected |= {f"feedhub/examples/{f}" for f in files_of(ROOT / "examples")}
    assert expected - names == set()
    assert {
        "feedhub/widgets/sidebar/widget.html",
        "feedhub/static/embed.js",
        "feedhub/examples/news.xml",
        f"feedhub-{VERSION}.dist-info/licenses/LICENSE",
    } <= names
    # one example config: the one at the root of the checkout, which the README explains
    assert shipped_config == (ROOT / "config.yaml").read_bytes()
    assert meta["Version"] == VERSION and meta["License-Expression"] == "MIT"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert len(meta.get_all("Classifier")) >= 10 and len(meta.get_all("Project-URL")) >= 3
    assert meta["Requires-Python"] == ">=3.11"


def test_the_long_description_renders_as_the_index_shows_it(dist):
    from readme_renderer.markdown import render

    with zipfile.ZipFile(dist["wheel"]) as whl:
        meta = email.message_from_bytes(whl.read(f"feedhub-{VERSION}.dist-info/METADATA"))
    html = render(meta.get_payload(), variant="GFM")
    assert html is not None and ">feedhub<a " in html and "<table>" in html
    assert "<h2" in html and "<code>feedhub init [DIR]</code>" in html


def test_the_sdist_has_what_a_packager_builds_and_tests_from(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1]: m for m in sdist.getmembers() if "/" in m.name}
        example = sdist.extractfile(members["examples/config.yaml"])
        assert example is not None and example.read() == (ROOT / "config.yaml").read_bytes()
    for path in (
        "LICENSE",
        "README.md",
        "config.yaml",
        "setup.py",
        "pyproject.toml",
        "Makefile",
        "contrib/systemd/feedhub.service",
        "widgets/cards/widget.html",
        "tests/conftest.py",
        "tests/fixtures/store/v0.sqlite3",
        "scripts/run-tests.sh",
        "feedhub/publish/locales/fr/LC_MESSAGES/feedhub.po",
    ):
        assert path in members, path
    assert members["examples/config.yaml"].isfile()  # the link is a file in the sdist


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=clean_env(venv), capture_output=True, text=True, timeout=120
    )


def clean_env(venv: Path) -> dict[str, str]:
    """What a shell of a new user has: no path into the checkout, no PYTHONPATH."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(venv.parent),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def served(
    venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """`feedhub init site` then `feedhub serve -c site/config.yaml` in an empty folder."""
    work = tmp_path_factory.mktemp("empty")
    assert list(work.iterdir()) == [] and ROOT not in work.parents
    init = run(venv, work, "feedhub", "init", "site")
    assert init.returncode == 0, init.stderr
    assert "feedhub check -c site/config.yaml" in init.stdout
    check = run(venv, work, "feedhub", "check", "-c", "site/config.yaml")
    assert check.returncode == 0 and "site/config.yaml: ok" in check.stdout, check.stderr
    port = free_port()
    config = work / "site" / "config.yaml"
    text = config.read_text()
    assert "  port: 8080\n" in text
    config.write_text(text.replace("  port: 8080\n", f"  port: {port}\n"))
    log = work / "serve.log"
    proc = subprocess.Popen(
        ["feedhub", "serve", "-c", "site/config.yaml"],
        cwd=work,
        env=clean_env(venv),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: any(t in get(f"{url}/w/sidebar")[1] for t in NEWS_TITLES), proc, log)
        yield proc, url, work
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except OSError:
        return 0, ""


def wait_for(ready, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"feedhub serve did not get ready:\n{log.read_text()}")
        time.sleep(0.2)


def children(pid: int) -> list[int]:
    """Every thread's children (the workers' forkserver is started from a thread)."""
    return [
        int(c)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for c in (task / "children").read_text().split()
    ]


def mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def paths_in_use(pid: int) -> list[str]:
    """The files a process has mapped or open, and those of all its descendants (the
    forkserver and the parse workers)."""
    pids, todo = [], [pid]
    while todo:
        pids.append(todo.pop())
        todo += children(pids[-1])
    found = []
    for p in pids:
        found += [
            line.split(None, 5)[5]
            for line in mapped(p).splitlines()
            if len(line.split(None, 5)) == 6
        ]
        for fd in Path(f"/proc/{p}/fd").iterdir():
            try:
                found.append(os.readlink(fd))
            except OSError:
                continue  # closed meanwhile
    return found


def test_parse_workers_of_the_feedhub_command_load_no_more_than_parsing_needs(served):
    """A worker starts by importing the module its parent ran as main, here the `feedhub`
    script: that must not bring the web app and its templates into every worker."""
    proc, _, _ = served
    # daemon → forkserver (and resource tracker) → the parse workers, started at start-up
    workers = [w for c in children(proc.pid) for w in children(c)]
    assert workers, "no parse worker found"
    templates = "markupsafe/_speedups"  # Jinja's compiled helper: the web app loads it
    assert templates in mapped(proc.pid)
    for worker in workers:
        assert templates not in mapped(worker), f"worker {worker} loaded the web app"


def test_the_wheel_serves_a_new_site_with_nothing_from_the_checkout(venv, served):
    proc, url, work = served
    assert run(venv, work, "feedhub", "--version").stdout.strip() == f"feedhub {VERSION}"
    assert (
        run(venv, work, "python", "-m", "feedhub", "--version").stdout.strip()
        == f"feedhub {VERSION}"
    )
    status, page = get(f"{url}/")
    assert status == 200 and "/w/sidebar" in page and "/w/headlines" in page
    status, sidebar = get(f"{url}/w/sidebar")
    assert status == 200 and all(title in sidebar for title in NEWS_TITLES[:5])
    themes = run(venv, work, "feedhub", "themes", "-c", "site/config.yaml")
    assert themes.returncode == 0, themes.stderr
    builtin = re.findall(r"^(\w+)\s+built-in\s+(\S+)$", themes.stdout, re.M)
    assert [name for name, _ in builtin] == [
        "cards",
        "carousel",
        "list",
        "masonry",
        "sidebar",
        "ticker",
        "wall",
    ]
    assert all(folder.startswith(str(venv)) for _, folder in builtin)
    for name, _ in builtin:
        status, body = get(f"{url}/w/sidebar?theme={name}")
        assert status == 200 and f"fh-theme-{name}" in body and NEWS_TITLES[0] in body, name
    in_use = paths_in_use(proc.pid)
    assert any(p.startswith(str(venv)) and p.endswith(".so") for p in in_use)  # it does look
    assert str(work / "site" / "var" / "feedhub.sqlite3") in in_use
    from_checkout = [p for p in in_use if str(ROOT) in p]
    assert from_checkout == []
    assert str(ROOT) not in themes.stdout + themes.stderr
