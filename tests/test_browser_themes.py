"""Every theme in Chromium, light and dark: WCAG AA contrast measured on the computed colors
of every piece of text, a visible keyboard focus, `auto` following the system's scheme.

With FEEDHUB_WRITE_DOCS=1 the screenshots in docs/themes/ are written from these pages.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import ROOT
from tests.png import placeholder_png
from tests.widget_cases import CASES, config

pytestmark = pytest.mark.browser

THEMES = {  # theme: viewport width
    "sidebar": 380,
    "list": 380,
    "cards": 760,
    "ticker": 760,
    "carousel": 380,
    "masonry": 760,
    "wall": 1280,
}
NETWORKS = ["mastodon", "bluesky", "youtube"]

# Every element with text of its own: its color, the first opaque background behind it,
# and whether it counts as large text.
TEXT_COLORS = """root => {
  const bg = el => { for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; }
    return 'rgb(255, 255, 255)'; };
  return [...root.querySelectorAll('*')].filter(el => [...el.childNodes].some(
      n => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length)
    .map(el => { const s = getComputedStyle(el);
      return {text: el.textContent.trim().slice(0, 30), color: s.color, bg: bg(el),
              large: parseFloat(s.fontSize) >= 24 ||
                     (parseFloat(s.fontSize) >= 18.66 && +s.fontWeight >= 700)}; });
}"""


def rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return r, g, b


def luminance(color: tuple[float, float, float]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two CSS rgb() colors."""
    la, lb = sorted((luminance(rgb(a)), luminance(rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54
    assert contrast("rgb(255, 0, 0)", "rgb(255, 0, 0)") == 1.0


@pytest.fixture
async def wall(tmp_path, upstream, feedhub_service):
    for name in NETWORKS:
        CASES[name].serve(upstream)
    running = await feedhub_service(config(tmp_path, upstream, NETWORKS))
    await running.poll_all()
    return str(running.client.make_url("/w/wall"))


async def open_widget(browser, url: str, width: int, color_scheme: str = "light"):
    page = await browser.new_page(
        viewport={"width": width, "height": 900}, color_scheme=color_scheme
    )

    async def internet(route):  # no test reaches the internet: images are made here
        await route.fulfill(body=placeholder_png(route.request.url), content_type="image/png")

    await page.route(lambda u: not u.startswith("http://127.0.0.1:"), internet)
    await page.goto(url)
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_theme_passes_aa_and_shows_focus(wall, browser, scheme):
    for theme, width in THEMES.items():
        page = await open_widget(browser, f"{wall}?theme={theme}&scheme={scheme}&limit=4", width)
        widget = page.locator("section.fh")
        texts = await widget.evaluate(TEXT_COLORS)
        assert len(texts) > 8, theme
        for t in texts:
            need = 3.0 if t["large"] else 4.5
            assert contrast(t["color"], t["bg"]) >= need, (theme, scheme, t)
        # keyboard focus: the first post, then its first link, each get an outline that
        # stands out from its background
        for tag in ("ARTICLE", "A"):
            await page.keyboard.press("Tab")
            focus = await page.evaluate("""() => {
                const s = getComputedStyle(document.activeElement);
                return {tag: document.activeElement.tagName, style: s.outlineStyle,
                        width: s.outlineWidth, color: s.outlineColor}; }""")
            assert focus["tag"] == tag and focus["style"] == "solid", (theme, focus)
            assert float(focus["width"][:-2]) >= 2
            background = texts[0]["bg"]
            assert contrast(focus["color"], background) >= 3.0, (theme, scheme, focus)
        if os.environ.get("FEEDHUB_WRITE_DOCS") == "1":
            await page.wait_for_load_state("networkidle")
            await page.keyboard.press("Shift+Tab")
            out = ROOT / "docs" / "themes" / f"{theme}-{scheme}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            await widget.screenshot(path=str(out))
        await page.close()


async def test_auto_follows_the_system_scheme(wall, browser):
    colors = {}
    for system in ("light", "dark"):
        page = await open_widget(browser, f"{wall}?theme=cards&scheme=auto", 760, system)
        colors[system] = await page.locator("section.fh").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        await page.close()
    assert colors == {"light": "rgb(255, 255, 255)", "dark": "rgb(13, 17, 23)"}
