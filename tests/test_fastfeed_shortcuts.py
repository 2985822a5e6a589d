"""The fast reader's shortcuts give feedparser's own helpers' answers: `parse_date` what
`_parse_date` gives, `urljoin` what `_urljoin` gives, for the forms they take on and for
the look-alikes they must hand over."""

from __future__ import annotations

import itertools
from email.utils import formatdate

import pytest
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin

from feedhub.sources.fastfeed.shortcuts import _RFC822, parse_date, urljoin

DATES = [
    *(formatdate(stamp, usegmt=True) for stamp in range(-2_000_000_000, 4_200_000_000, 86_399_999)),
    *(formatdate(stamp, localtime=False) for stamp in range(0, 2_000_000_000, 123_456_789)),
    "Tue, 14 Nov 2023 22:13:20 GMT",
    "Tue, 14 Nov 2023 22:13:20 +0530",
    "Tue, 14 Nov 2023 22:13:20 -1130",
    "Sun, 31 Dec 9999 23:59:59 -0100",  # past datetime's range: feedparser's other handlers
    "Mon, 01 Jan 0001 00:00:00 +0100",
    "Mon, 01 Jan 0000 00:00:00 GMT",
    "Wed, 31 Feb 2024 10:00:00 GMT",  # no such day
    "Wed, 29 Feb 2024 24:00:00 GMT",
    "Wed, 29 Feb 2024 23:60:61 GMT",
    "Wed, 29 Feb 2024 23:59:59 +9999",
    "Thu, 07 Oct 2021 08:09:10 -0000",
    "Fri, 5 Nov 2021 08:09:10 GMT",
    "Fri, 05 nov 2021 08:09:10 GMT",
    "Fri, 05 Nov 21 08:09:10 GMT",
    "Fri, 05 Nov 2021 08:09 GMT",
    "Fri, 05 Nov 2021 08:09:10 UTC",
    "Fri, 05 Nov 2021 08:09:10 EST",
    "Fri, 05 Nov 2021 08:09:10 +05:30",
    "Fri, 05 Nov 2021 08:09:10 GMT ",
    "Fri, ٠٥ Nov 2021 08:09:10 GMT",
    "Fri 05 Nov 2021 08:09:10 GMT",
    "05 Nov 2021 08:09:10 GMT",
    "2021-11-05T08:09:10Z",
    "",
]
BASES = [
    "",
    "https://blog.example.org/feed",
    "http://a.example/x/y?q#f",
    "http://[bad",
    "file:///f",
]
URIS = [
    "https://blog.example.org/posts/7",
    "http://example.org",
    "https://example.org/a//b/./../c~d_e.f",
    "https:///example.org/x",
    "HTTPS://example.org/x",
    "https://example.org/x?y",
    "https://example.org/x#y",
    "https://example.org/x;y",
    "https://example.org:8080/x",
    "https://user@example.org/x",
    "https://exämple.org/x",
    "https://[::1]/x",
    "https://example.org/x y",
    " https://example.org/x",
    "https://example.org/x\n",
    "//example.org/x",
    "/x",
    "x",
    "mailto:a@b.c",
]


@pytest.mark.parametrize("text", DATES)
def test_parse_date_is_feedparsers(text):
    assert parse_date(text) == _parse_date(text)


def test_the_usual_dates_take_the_shortcut():
    assert sum(1 for text in DATES if _RFC822.fullmatch(text)) > 50
    assert parse_date("Tue, 14 Nov 2023 22:13:20 +0530") == _parse_date("2023-11-14T16:43:20Z")


@pytest.mark.parametrize(("base", "uri"), list(itertools.product(BASES, URIS)))
def test_urljoin_is_feedparsers(base, uri):
    assert urljoin(base, uri) == _urljoin(base, uri)
