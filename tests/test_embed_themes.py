"""Themes: list, cards and ticker over the same items; light/dark/auto per widget or per
request; a site theme that extends a built-in one and replaces a single block."""

from __future__ import annotations

import re

from tests.conftest import fixture_bytes, make_config


async def started(tmp_path, upstream, feedhub_service, **server):
    upstream.set("/rss", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    config = make_config(
        tmp_path,
        {
            "server": server,
            "sources": {"blog": {"type": "feed", "url": upstream.url("/rss")}},
            "widgets": {
                name: {"title": "Blog", "sources": ["blog"], "theme": theme, "locale": "fr"}
                for name, theme in (
                    ("side", "sidebar"),
                    ("compact", "list"),
                    ("grid", "cards"),
                    ("strip", "ticker"),
                )
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


def classes(html: str) -> list[str]:
    return re.search(r'<section class="([^"]+)"', html).group(1).split()


async def test_each_theme_renders_the_same_items_its_own_way(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    pages = {
        name: (await running.get(f"/w/{name}.html"))[1]
        for name in ("side", "compact", "grid", "strip")
    }
    for name, html in pages.items():
        assert html.count("<article") == 2, name
        assert 'role="feed"' in html and 'lang="fr"' in html, name
        assert '<time datetime="2026-11-24T10:00:00Z">' in html, name
        assert "Second post: images &amp; links" in html, name
    assert classes(pages["side"]) == ["fh", "fh-theme-sidebar"]
    assert classes(pages["compact"]) == ["fh", "fh-theme-list", "fh-list"]
    assert classes(pages["grid"]) == ["fh", "fh-theme-cards", "fh-cards"]
    # ticker extends list: its lines, and list's styles before its own
    assert classes(pages["strip"]) == ["fh", "fh-theme-ticker", "fh-list", "fh-ticker"]
    css = pages["strip"].split("</style>")[0]
    assert css.index(".fh-list .fh-line") < css.index(".fh-ticker .fh-items")
    # list and ticker are text only; cards keep the picture, first by CSS order
    for name in ("compact", "strip"):
        assert "<img" not in pages[name] and 'class="fh-line"' in pages[name]
    assert (
        "second-thumb.jpg" in pages["grid"] and ".fh-cards .fh-media { order: -1;" in pages["grid"]
    )
    # every image: alt text, lazy, no referrer
    for img in re.findall(r"<img [^>]+>", pages["grid"] + pages["side"]):
        assert ' alt="' in img and 'loading="lazy"' in img, img
        assert 'referrerpolicy="no-referrer"' in img, img


async def test_theme_and_scheme_per_request(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    _, html, _ = await running.get("/w/side.html?theme=cards&scheme=dark")
    assert classes(html)[1:] == ["fh-theme-cards", "fh-cards"]
    assert 'data-scheme="dark"' in html
    _, html, _ = await running.get("/w/side")
    assert 'data-scheme="auto"' in html
    status, text, _ = await running.get("/w/side?scheme=purple")
    assert (status, text) == (400, "scheme must be one of: auto, dark, light\n")
    # feeds do not depend on theme or scheme: one cached copy
    _, a, ha = await running.get("/w/side.json?scheme=dark&theme=list")
    _, b, hb = await running.get("/w/side.json")
    assert a == b and ha["ETag"] == hb["ETag"]


async def test_site_theme_extends_a_builtin_and_replaces_one_block(
    tmp_path, upstream, feedhub_service
):
    site = tmp_path / "themes" / "brand"
    site.mkdir(parents=True)
    (site / "widget.html").write_text(
        '{% extends "default:cards/widget.html" %}\n'
        '{% block footer %}<p class="brand-foot">Made by us</p>{% endblock %}\n'
    )
    (site / "style.css").write_text(".brand-foot { color: var(--fh-muted); }\n")
    running = await started(tmp_path, upstream, feedhub_service, widgets_dir="themes")
    _, html, _ = await running.get("/w/grid.html?theme=brand")
    assert classes(html) == ["fh", "fh-theme-brand", "fh-cards"]
    assert '<p class="brand-foot">Made by us</p>' in html
    assert html.count("<article") == 2 and "second-thumb.jpg" in html
    css = html.split("</style>")[0]
    base, cards, brand = (
        css.index(s) for s in (".fh[data-scheme=", ".fh-cards .fh-items", ".brand-foot")
    )
    assert base < cards < brand
    # the framed page allows exactly this stylesheet
    _, page, headers = await running.get("/w/grid?theme=brand")
    assert "brand-foot" in page and "style-src 'sha256-" in headers["Content-Security-Policy"]


async def test_a_site_theme_runs_in_the_sandbox(tmp_path, upstream, feedhub_service):
    """A template that walks from a string to the interpreter's classes (the classic way to
    reach os.popen) gets a 500 for its widget, and runs nothing."""
    marker = tmp_path / "ran"
    site = tmp_path / "themes" / "evil"
    site.mkdir(parents=True)
    walk = (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
        "{% if c.__name__ == 'catch_warnings' %}"
        "{{ c()._module.__builtins__['__import__']('os').system('touch "
        + str(marker)
        + "') }}{% endif %}{% endfor %}"
    )
    (site / "widget.html").write_text(
        '{% extends "_base/widget.html" %}{% block footer %}' + walk + "{% endblock %}\n"
    )
    running = await started(tmp_path, upstream, feedhub_service, widgets_dir="themes")
    status, body, _ = await running.get("/w/side.html?theme=evil")
    assert status == 500 and "Traceback" not in body
    assert not marker.exists()
    assert (await running.get("/w/side.html"))[0] == 200  # the other themes are unharmed


async def test_site_themes_do_not_follow_symbolic_links(tmp_path, upstream, feedhub_service):
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "widget.html").write_text("{% extends '_base/widget.html' %}")
    themes = tmp_path / "themes"
    (themes / "linked").mkdir(parents=True)
    (themes / "linked" / "widget.html").write_text(
        '{% extends "_base/widget.html" %}{% block footer %}'
        '{% include "linked/leak.html" %}{% endblock %}\n'
    )
    (themes / "linked" / "leak.html").symlink_to(secret)
    (themes / "aliased").symlink_to(outside, target_is_directory=True)
    running = await started(tmp_path, upstream, feedhub_service, widgets_dir="themes")
    status, body, _ = await running.get("/w/side.html?theme=linked")
    assert "database password" not in body and status == 500
    status, body, _ = await running.get("/w/side.html?theme=aliased")
    assert status == 400 and "aliased" not in body.split(":", 1)[1]  # not a theme at all
