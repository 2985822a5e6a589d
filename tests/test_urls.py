"""The URL model read directly: what a browser would load, in the form it would load it."""

from __future__ import annotations

import pytest

from feedhub.content.urls import parse_url, web_url


@pytest.mark.parametrize(
    ("text", "href", "host"),
    [
        (
            "HTTPS://Blog.Example.ORG/a/../b?q=1#f",
            "https://blog.example.org/b?q=1#f",
            "blog.example.org",
        ),
        ("https://evil\\.example.org/x", "https://evil/.example.org/x", "evil"),
        ("https://evil\\@www.youtube.com/", "https://evil/@www.youtube.com/", "evil"),
        ("ht\ttps://exa\nmple.org/", "https://example.org/", "example.org"),
        ("http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1"),
        (
            "https://xn--bcher-kva.example/",
            "https://xn--bcher-kva.example/",
            "xn--bcher-kva.example",
        ),
        ("https://bücher.example/", "https://xn--bcher-kva.example/", "xn--bcher-kva.example"),
    ],
)
def test_urls_read_as_a_browser_reads_them(text: str, href: str, host: str) -> None:
    url = web_url(text)
    assert url is not None
    assert (url.href, url.host) == (href, host)


@pytest.mark.parametrize(
    "text",
    [
        "https://user:pass@example.org/",
        "https://user@www.youtube.com/",
        "javascript:alert(1)",
        "https:///",
        "http://[::1/",
        "",
        None,
        "https://example.org/\ud800",  # a lone surrogate cannot be encoded, nor loaded
    ],
)
def test_refused(text: str | None) -> None:
    assert web_url(text) is None


def test_relative_urls_resolve_against_web_pages_only() -> None:
    url = web_url("../img/a.png", "https://blog.example.org/posts/1/")
    assert url is not None and url.href == "https://blog.example.org/posts/img/a.png"
    assert web_url("img/a.png", "file:///etc/feed.xml") is None
    assert web_url("img/a.png", "about:blank") is None


def test_other_schemes_when_asked_for() -> None:
    url = web_url("mailto:editor@example.org", schemes=frozenset({"mailto"}))
    assert url is not None and (url.scheme, url.host) == ("mailto", "")
    assert web_url("mailto:editor@example.org") is None


def test_a_repeated_url_is_read_once() -> None:
    parse_url.cache_clear()
    first = parse_url("https://example.org/feed")
    assert parse_url("https://example.org/feed") is first
    assert parse_url.cache_info().hits == 1
