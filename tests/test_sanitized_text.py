"""`sanitized_text`: the words of what `sanitize_html` wrote, read without a second parse, as
`html_to_text` reads the upstream HTML itself."""

from __future__ import annotations

import html
import re

import pytest

from feedhub.content.sanitize import html_to_text, sanitize_html, sanitized_text
from tests.xss_corpus import HTML_VECTORS

UPSTREAM = [
    "<p>One</p><p>Two<br>three</p>",
    '<p>A <a href="https://example.org/a?x=1&amp;y=2" title="a > b">link</a> &amp; more</p>',
    '<img src="https://example.org/p.jpg" alt="a &quot;quoted&quot; > picture">after',
    "<ul><li>first</li><li>second</li></ul><blockquote>quoted <em>words</em></blockquote>",
    "caf&eacute; &lt;not a tag&gt; &#x1F600; &nbsp;spaced",
    "<table><tr><td>a</td><td>b</td></tr></table><pre>  code\n  block</pre>",
    "<math><mi>a</mi><mo>+</mo><mi>b</mi></math> and <svg><title>a drawing</title></svg>",
    "<p>&lt;!DOCTYPE html&gt; is how a page starts</p><!-- a comment -->",
    "<div><div><div>" * 12 + "deep" + "</div></div></div>" * 12,
    "<script>alert(1)</script><style>p{}</style>visible <unknown>kept</unknown>",
]


@pytest.mark.parametrize("upstream", UPSTREAM + HTML_VECTORS)
@pytest.mark.parametrize("limit", [0, 12, 280])
def test_the_text_of_sanitized_html_is_the_text_of_the_upstream_html(upstream, limit):
    assert sanitized_text(sanitize_html(upstream, "https://example.org/"), limit) == html_to_text(
        upstream, limit
    )


def test_a_players_raw_content_is_not_text():
    # `<iframe … />` does not close it: the rest is raw text a browser never shows.
    upstream = '<p>Watch</p><iframe src="https://www.youtube.com/embed/x" /><p>more</p>'
    assert "<p>" in html_to_text(upstream)
    assert sanitized_text(sanitize_html(upstream)) == "Watch"


def test_runs_of_any_unicode_whitespace_become_one_space():
    # The words are joined by str.split, not `\s+`: the two must agree on every character.
    spaces = "".join(chr(c) for c in range(0x3001) if re.fullmatch(r"\s", chr(c)))
    assert len(spaces) > 20  # \t\n\v\f\r, \x1c-\x1f, NBSP, the U+2000 spaces, …
    text = f"{spaces}a{spaces[::-1]}b\u3000c{spaces}"
    assert html_to_text(html.escape(text)) == "a b c"
    assert sanitized_text(sanitize_html(html.escape(text))) == "a b c"
    assert html_to_text("a\u200bb") == "a\u200bb"  # a zero-width space is no whitespace
