"""axe-core (issue 23) through `feedhub serve`, in Chromium: no serious or critical violation in
any built-in theme, light or dark, with the account header, the counts, clamped posts, folded
pictures and an open picture viewer; on the framed page and in the script embed on a host
page. axe-core comes from the npm registry (`scripts/system-deps.sh test` puts it in
`.test-deps/`, or AXE_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.extras_support import host_page, serve_widgets

pytestmark = pytest.mark.browser

AXE = Path(os.environ.get("AXE_DIR", ROOT / ".test-deps")) / "node_modules/axe-core/axe.min.js"
THEMES = ["sidebar", "list", "cards", "ticker", "carousel", "masonry", "wall"]
WIDGET = {"header": "full", "clamp": 3, "require_alt": "fold", "title": "Le tram"}
# The violations that stop a visitor, by rule: (impact, where, what).
CHECK = """async () => {
  const r = await axe.run(document);
  return {passed: r.passes.map(p => p.id), bad: r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])};
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: `scripts/system-deps.sh test` installs axe-core")
        pytest.skip(f"{AXE} is missing: run scripts/system-deps.sh test")
    return AXE.read_text()


async def check(page, axe_source: str) -> list:
    """The serious and critical violations axe finds in the page (it did check: the rules
    it passed include those on contrast and ARIA)."""
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.evaluate(axe_source)
    result = await page.evaluate(CHECK)
    assert {"color-contrast", "aria-allowed-attr"} <= set(result["passed"]), result["passed"]
    return list(result["bad"])


async def test_no_serious_violation_in_any_theme_light_or_dark(
    tmp_path, upstream, daemon, browser, axe_source
):
    widgets = {
        f"{theme}-{scheme}": {**WIDGET, "theme": theme, "scheme": scheme}
        for theme in THEMES
        for scheme in ("light", "dark")
    }
    d = await serve_widgets(daemon, tmp_path, upstream, widgets)
    found = {}
    for name, cfg in widgets.items():
        for embedded in (False, True):
            url = host_page(upstream, d.url, name) if embedded else f"{d.url}/w/{name}"
            # The checker is a script of its own: the pages' policies would refuse it.
            page = await browser.new_page(bypass_csp=True, viewport={"width": 760, "height": 900})
            await page.goto(url)
            section = page.locator(".fh").first
            await section.wait_for()
            found[(name, embedded, "page")] = await check(page, axe_source)
            zoom = section.locator("a.fh-zoom").first
            if await zoom.count():
                await zoom.click()
                assert await section.locator("dialog.fh-lightbox").evaluate("e => e.open")
                found[(name, embedded, "viewer")] = await check(page, axe_source)
                assert "button-name" in await page.evaluate(
                    "async () => (await axe.run(document)).passes.map(p => p.id)"
                ), "the viewer's buttons were checked"
            elif cfg["theme"] not in ("list", "ticker"):  # text only: no pictures to open
                raise AssertionError(f"{name}: no picture to open")
            await page.close()
    assert sum(1 for key in found if key[2] == "viewer") == 20
    bad = {key: v for key, v in found.items() if v}
    assert bad == {}, bad
