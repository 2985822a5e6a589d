"""Shared test harness: a local upstream server, configs, and the real service over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from feedhub.config import Config, parse_config
from feedhub.service import Service
from feedhub.web.app import SERVICE, create_app

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Route:
    body: bytes
    content_type: str = "application/xml"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # answer If-None-Match with 304


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int


class Upstream:
    """A local stand-in for the internet: serves routes that tests set and change."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}
        self.seen: list[Seen] = []
        self.server: TestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    @property
    def base_url(self) -> str:
        return self.url("").rstrip("/")

    def set(
        self, path: str, body: bytes | str, content_type: str = "application/xml", **kw: Any
    ) -> None:
        self.routes[path] = Route(
            body.encode() if isinstance(body, str) else body, content_type, **kw
        )

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.path)
        if route is None:
            resp: web.StreamResponse = web.Response(status=404, text="not found")
        elif callable(route):
            resp = await route(request)
        else:
            tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            headers = dict(route.headers)
            if route.etag:
                headers["ETag"] = tag
            if route.etag and request.headers.get("If-None-Match") == tag:
                resp = web.Response(status=304, headers=headers)
            else:
                resp = web.Response(
                    status=route.status,
                    body=route.body,
                    headers=headers,
                    content_type=route.content_type,
                )
        self.seen.append(
            Seen(request.path, dict(request.query), dict(request.headers), resp.status)
        )
        return resp


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    up = Upstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", up.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    up.server = server
    yield up
    await server.close()


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel, built once per session as `make dist` builds them."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {"wheel": next(out.glob("feedhub-*.whl")), "sdist": next(out.glob("feedhub-*.tar.gz"))}


def make_config(tmp_path: Path, data: dict[str, Any], env: dict[str, str] | None = None) -> Config:
    """A config from a dict, with test-friendly defaults (loopback allowed, sqlite in tmp)."""
    data = {
        "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
        **data,
    }
    fetch = {"allow_private_addresses": True, "interval": "1h", **data.get("fetch", {})}
    data["fetch"] = fetch
    # The fixtures' images are on the platforms' CDNs, which no test may reach: tests of the
    # media cache serve them locally and turn it on (tests/media_support.py).
    data["media"] = {"proxy": False, "dir": str(tmp_path / "media"), **data.get("media", {})}
    return parse_config(data, base_dir=str(tmp_path), env=env or {})


def write_config(tmp_path: Path, data: dict[str, Any], name: str = "config.yaml") -> Path:
    """A config file for `feedhub serve`; the media cache off unless `data` says (as in
    `make_config`)."""
    path = tmp_path / name
    data = {**data, "media": {"proxy": False, **data.get("media", {})}}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@dataclass
class Running:
    client: TestClient
    service: Service

    async def get(self, path: str, **kw: Any) -> tuple[int, str, Mapping[str, str]]:
        """Status, text and (case-insensitive) headers of a GET."""
        resp = await self.client.get(path, **kw)
        return resp.status, await resp.text(), resp.headers

    async def poll_all(self) -> None:
        """Poll every source, then wait for their images to settle (in the background)."""
        for sid in self.service.config.sources:
            await self.service.polling.poll(sid)
        await self.service.media.idle()


@pytest.fixture
async def feedhub_service(aiohttp_client: Any) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    """Start the real app over HTTP: `await feedhub_service(config, poll=False)`."""

    async def start(
        config: Config, *, poll: bool = False, config_path: Path | None = None
    ) -> Running:
        app = create_app(config, poll=poll, config_path=config_path)
        client = await aiohttp_client(app)
        return Running(client, app[SERVICE])

    yield start


@pytest.fixture
async def feedhub_at() -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    """Start the real app on a port chosen first, so that its config's `server.public_url`
    is its real address (absolute `/m/` URLs): `await feedhub_at(lambda url: config)`."""
    clients: list[TestClient] = []

    async def start(make: Callable[[str], Config], *, poll: bool = False) -> Running:
        port = free_port()
        app = create_app(make(f"http://127.0.0.1:{port}"), poll=poll)
        client = TestClient(TestServer(app, host="127.0.0.1", port=port))
        await client.start_server()
        clients.append(client)
        return Running(client, app[SERVICE])

    yield start
    for client in clients:
        await client.close()


async def wait_until(
    predicate: Callable[[], Any], timeout: float = 10.0, every: float = 0.05
) -> Any:
    """Poll a (sync or async) predicate until it is truthy; fail with a clear message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Daemon:
    """`feedhub serve` in its own process, as a user runs it."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(config_path: Path, port: int, *extra: str) -> Daemon:
        log = tmp_path / f"daemon-{len(started)}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "feedhub", *extra, "serve", "-c", str(config_path)],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        )
        d = Daemon(proc, port, log)
        started.append(d)
        _wait_port(port, proc, log)
        return d

    yield start
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"feedhub exited early:\n{log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"feedhub did not listen on {port}:\n{log.read_text()}")


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Tests never reach the internet: only loopback resolves in the browser.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium driven by Playwright's async API (never a downloaded browser).

    Use it from async tests, next to `upstream`/`feedhub_service` servers on the same loop.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
def nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: `make test` installs Debian's nginx-light")
        pytest.skip("nginx is missing (apt-get install nginx-light)")
    return path
