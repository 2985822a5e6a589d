"""Accessibility beyond the basics: the ARIA feed pattern (focusable, labelled articles in
reading order), a `lang` on every item (a source's `lang` where the platform gives none),
`dir` for right-to-left text, and the widget's own words in the visitor's language from the
gettext catalogue (at least 20 locales, compiled with Babel, shipped in the wheel)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT, make_config
from tests.widget_cases import CASES

LOCALES = ROOT / "feedhub" / "publish" / "locales"
# The languages most used on the web (W3Techs' content-language ranking), at least 20.
WEB_TOP_20 = [
    "en",
    "es",
    "de",
    "ja",
    "fr",
    "ru",
    "pt",
    "it",
    "nl",
    "pl",
    "tr",
    "fa",
    "zh_Hans",
    "vi",
    "id",
    "cs",
    "ko",
    "uk",
    "ar",
    "hu",
]


def articles(html: str) -> list[str]:
    return re.findall(r"<article\b[^>]*>", html)


async def wall(tmp_path, upstream, feedhub_service, names, **widget):
    sources = {n: {**CASES[n].source, "base_url": upstream.base_url} for n in names}
    sources.get("reddit", {})["lang"] = "en"
    sources.get("youtube", {})["lang"] = "fr"
    for n in names:
        CASES[n].serve(upstream)
    config = make_config(
        tmp_path,
        {
            "sources": sources,
            "widgets": {
                "wall": {"title": "Partout", "sources": names, "limit": 30, **widget},
                "ar": {"sources": names, "locale": "ar", "limit": 2},
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def test_feed_pattern_lang_and_dir(tmp_path, upstream, feedhub_service):
    running = await wall(
        tmp_path,
        upstream,
        feedhub_service,
        ["reddit", "youtube", "mastodon"],
        more={"url": "https://e.org/"},
    )
    _, html, _ = await running.get("/w/wall.html")
    tags = articles(html)
    assert len(tags) > 5
    for i, tag in enumerate(tags, 1):
        assert 'tabindex="0"' in tag and f'aria-posinset="{i}"' in tag, tag
        label = re.search(r'aria-labelledby="([^"]+)"', tag).group(1)
        assert html.count(f'id="{label}"') == 1, f"{label} labels exactly one element"
        assert re.search(r'\blang="[a-z]{2}', tag), f"every item has a lang: {tag}"
    assert 'class="fh-item fh-net-reddit' in html and 'lang="en"' in html
    assert re.search(r'<article class="fh-item fh-net-youtube[^>]*lang="fr"', html)
    assert 'dir="auto"' in html  # user text decides its own direction
    _, arabic, _ = await running.get("/w/ar.html")
    assert re.search(r'<section class="fh [^>]*dir="rtl"', arabic)


@pytest.mark.parametrize(
    "locale, words",
    [
        ("ja", ["固定", "その他の投稿"]),
        ("ko", ["고정됨"]),
        ("zh_TW", ["已置頂"]),
        ("zh", ["已置顶"]),
        ("pt_BR", ["Fixado"]),
        ("tr", ["Sabitlendi"]),
    ],
)
async def test_widget_words_in_the_visitors_language(
    tmp_path, upstream, feedhub_service, locale, words
):
    # A widget answers `?locale=` in the locales it lists (a fixed set of prepared variants).
    running = await wall(
        tmp_path,
        upstream,
        feedhub_service,
        ["mastodon"],
        more={"url": "https://toot.example/@hubservateur"},
        locales=["ja", "ko", "zh_TW", "zh", "pt_BR", "tr"],
    )
    _, html, _ = await running.get(f"/w/wall.html?locale={locale}")
    for word in words:
        assert word in html, (locale, word)
    assert "Pinned" not in html and "More posts" not in html


def test_catalogue_complete_in_20_web_languages_and_compiled():
    template = read_po((LOCALES / "feedhub.pot").open("rb"))
    ids = {m.id for m in template if m.id}
    found = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/feedhub.po"))
    assert set(WEB_TOP_20) - {"en"} <= set(found) and len(found) >= 20
    for name in found:
        po = read_po((LOCALES / name / "LC_MESSAGES" / "feedhub.po").open("rb"))
        assert {m.id for m in po if m.id} == ids, name
        assert all(m.string and not m.fuzzy for m in po if m.id), f"{name}: untranslated"
        for m in po:
            if m.id and "{name}" in m.id:
                assert "{name}" in m.string, f"{name}: {m.id!r} lost its placeholder"
        # The shipped .mo is what Babel compiles from the .po today.
        mo = read_mo((LOCALES / name / "LC_MESSAGES" / "feedhub.mo").open("rb"))
        assert {m.id: m.string for m in mo if m.id} == {m.id: m.string for m in po if m.id}
        fresh = io.BytesIO()
        write_mo(fresh, po)
        assert fresh.getvalue() == (LOCALES / name / "LC_MESSAGES" / "feedhub.mo").read_bytes()


def test_wheel_ships_the_compiled_catalogue(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    assert "feedhub/publish/locales/ja/LC_MESSAGES/feedhub.mo" in names
    assert len([n for n in names if n.endswith("/feedhub.mo")]) >= 20
