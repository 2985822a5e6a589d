"""With fetch.allow_private_addresses false, nothing private is ever asked: not a source, not a
redirect target, whatever way its address is written, checked after DNS resolution."""

from __future__ import annotations

import socket

import pytest

import feedhub.fetch.fetcher
from feedhub.fetch.fetcher import PublicOnlyResolver, is_public_address
from tests.conftest import make_config
from tests.fault_upstream import good_feed, redirect_to

PUBLIC_NAME = "feeds.test"


def refusing(tmp_path, sources: dict[str, str]):
    return make_config(
        tmp_path,
        {
            "fetch": {"allow_private_addresses": False, "timeout": "3s"},
            "sources": {sid: {"type": "feed", "url": url} for sid, url in sources.items()},
            "widgets": {"w": {"sources": sorted(sources)}},
        },
    )


async def test_private_sources_are_refused_before_any_connection(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/feed", good_feed("secret"), "application/rss+xml")
    port = upstream.server.port
    sources = {
        "loopback": f"http://127.0.0.1:{port}/feed",
        "loopback_short": f"http://127.1:{port}/feed",  # resolves to 127.0.0.1
        "loopback_decimal": f"http://2130706433:{port}/feed",  # 127.0.0.1 as one number
        "localhost": f"http://localhost:{port}/feed",  # a name: refused after resolution
        "ipv6_loopback": f"http://[::1]:{port}/feed",
        "ipv4_mapped": f"http://[::ffff:127.0.0.1]:{port}/feed",
        "unspecified": f"http://0.0.0.0:{port}/feed",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private_10": "http://10.1.2.3/feed",
        "private_192": "http://192.168.1.1/feed",
        "ula_v6": "http://[fd00::1]/feed",
        # IPv6 transition addresses leading to loopback or private IPv4 ones.
        "nat64": f"http://[64:ff9b::7f00:1]:{port}/feed",
        "nat64_private": "http://[64:ff9b::a00:1]/feed",
        "sixtofour": f"http://[2002:7f00:1::1]:{port}/feed",
        "ipv4_compatible": f"http://[::127.0.0.1]:{port}/feed",
        "siit": f"http://[::ffff:0:7f00:1]:{port}/feed",
        "teredo": "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/feed",  # client 10.0.0.1
        "not_http": "ftp://example.org/feed.xml",
    }
    running = await feedhub_service(refusing(tmp_path, sources))
    await running.poll_all()
    for sid in sources:
        state = running.service.states[sid]
        # yarl itself rejects the odd spellings of 127.0.0.1 before any resolution.
        why = "not a canonical IPv4" if sid in ("loopback_short", "loopback_decimal") else "refused"
        assert state.errors == 1 and why in state.last_error, (sid, state.last_error)
    assert upstream.seen == []  # not one request reached the local server


@pytest.fixture
def public_test_name(monkeypatch):
    """Let one test name count as public and resolve to the local upstream (127.0.0.1).

    Everything else goes through the real PublicOnlyResolver: the only pretence is that
    `feeds.test` is a public host on the internet.
    """

    class Resolver(PublicOnlyResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):
            if host == PUBLIC_NAME:
                return [
                    {
                        "hostname": host,
                        "host": "127.0.0.1",
                        "port": port,
                        "family": socket.AF_INET,
                        "proto": 0,
                        "flags": 0,
                    }
                ]
            return await super().resolve(host, port, family)

    monkeypatch.setattr(feedhub.fetch.fetcher, "PublicOnlyResolver", Resolver)


async def test_redirects_to_private_addresses_are_refused(
    tmp_path, upstream, feedhub_service, public_test_name
):
    port = upstream.server.port
    upstream.set("/ok", good_feed("public"), "application/rss+xml")
    upstream.set("/secret", good_feed("secret"), "application/rss+xml")
    targets = {
        "to_localhost": f"http://localhost:{port}/secret",
        "to_loopback": f"http://127.0.0.1:{port}/secret",
        "to_metadata": "http://169.254.169.254/latest/meta-data/",
        "to_mapped": f"http://[::ffff:7f00:1]:{port}/secret",
        "to_file": "file:///etc/passwd",
    }
    for sid, target in targets.items():
        upstream.routes[f"/{sid}"] = redirect_to(target)
    sources = {sid: f"http://{PUBLIC_NAME}:{port}/{sid}" for sid in targets}
    sources["allowed"] = f"http://{PUBLIC_NAME}:{port}/ok"
    running = await feedhub_service(refusing(tmp_path, sources))
    await running.poll_all()

    assert running.service.states["allowed"].errors == 0  # the public host itself is fine
    assert running.service.states["allowed"].item_count == 3
    for sid in targets:
        state = running.service.states[sid]
        assert state.errors == 1 and "refused" in state.last_error, (sid, state.last_error)
        assert len(upstream.requests_to(f"/{sid}")) == 1
    assert upstream.requests_to("/secret") == []


def test_is_public_address():
    for private in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1%eth0",
        "fd00::2",
        "::ffff:10.0.0.1",
        "[::1]",
        "224.0.0.1",
        "ff02::1",
        "192.0.2.1",
        "198.18.0.1",
        "64:ff9b::127.0.0.1",
        "64:ff9b::169.254.169.254",
        "64:ff9b:1::8.8.8.8",
        "2002:a9fe:a9fe::1",
        "2002:c0a8:101::",
        "::10.0.0.1",
        "::127.0.0.1",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",
        # SIIT (::ffff:0:0:0/96), in both spellings, and a mapped address spelt in hex.
        "::ffff:0:7f00:1",
        "::ffff:0:127.0.0.1",
        "::ffff:0:a9fe:a9fe",
        "::ffff:7f00:1",
        "64:ff9b::a00:1",
        "64:ff9b:1:7f00:1::",
        "2002:7f00:1::",
        # Teredo: a private server, or a client 127.0.0.1 (obfuscated as 80ff:fffe).
        "2001:0:a00:1::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
    ):
        assert not is_public_address(private), private
    for public in (
        "93.184.216.34",
        "2606:4700::1111",
        "1.1.1.1",
        "example.org",
        "64:ff9b::1.1.1.1",
        "2002:101:101::1",
        "::ffff:0:101:101",
        "::ffff:1.1.1.1",
        "2001:0:4136:e378:8000:63bf:fefe:fefe",
    ):
        assert is_public_address(public), public
