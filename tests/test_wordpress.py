"""The WordPress plugin on a real WordPress: Debian's WordPress on PHP's server and MariaDB,
the plugin uploaded as its built zip and activated, a real `feedhub serve`, and a visitor's
Chromium. One install for the whole module; each test checks one thing against it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, _wait_port, free_port, write_config
from tests.feeds_support import post, rss
from tests.serve_support import base_config
from tests.wordpress_support import (
    ADMIN,
    PASSWORD,
    PLUGIN,
    WordPress,
    build_zip,
    install,
    remove,
    require_components,
    serve,
)

pytestmark = pytest.mark.browser
TITLES = [f"Notes from the harbour {n}" for n in range(1, 6)]
HOSTILE = (
    "<style>@import url(http://127.0.0.1:{port}/import.css); .fh {{ color: red }}</style>\n"
    '<section class="fh" data-fh-live="60" onmouseover="window.__pwned=\'section\'">'
    '<h2 class="fh-title">Hostile<script>window.__pwned="script"</script></h2>'
    '<article class="fh-item"><p class="fh-content">harmless words</p>'
    '<img src="/x.png" onerror="window.__pwned=\'img\'">'
    '<a id="bad" href="javascript:window.__pwned=\'link\'">open</a>'
    "<svg onload=\"window.__pwned='svg'\"></svg>"
    "<iframe src=\"javascript:parent.__pwned='frame'\"></iframe>"
    "<details open ontoggle=\"window.__pwned='toggle'\"><summary>more</summary></details>"
    "</article></section>"
)


@dataclass
class Scene:
    site: WordPress
    tmp: Path
    config: dict[str, Any]
    config_path: Path
    feedhub: subprocess.Popen[bytes]
    feedhub_port: int
    admin: Any  # a logged-in Playwright page
    browser: Any
    posts: dict[str, int] = field(default_factory=dict)

    @property
    def feedhub_url(self) -> str:
        return f"http://127.0.0.1:{self.feedhub_port}"

    def visit(self, path: str, seen: list[str] | None = None) -> Any:
        """A visitor's page (no cookies), every request it makes added to `seen`."""
        context = self.browser.new_context()
        page = context.new_page()
        if seen is not None:
            page.on("request", lambda r: seen.append(r.url))
        page.goto(self.site.url + path, wait_until="load")
        return page

    def reload_feedhub(self, **server: Any) -> None:
        """Rewrites feedhub's config with these `server` keys and has it reload (SIGHUP)."""
        self.config["server"].update(server)
        self.config_path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        self.feedhub.send_signal(signal.SIGHUP)


def get_json(url: str, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read()), resp.headers


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


class FeedUpstream(BaseHTTPRequestHandler):
    """The blog feedhub follows: its RSS at /feed, over HTTP on this machine."""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = rss(*(post(t, slug=str(i)) for i, t in enumerate(TITLES)))
        self.send_response(200 if self.path == "/feed" else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(body if self.path == "/feed" else b"")

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Local:
    """A server on a thread of the test process: `url(path)`, as tests' upstreams have."""

    server: ThreadingHTTPServer

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@contextlib.contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[Local]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Local(server)
    finally:
        server.shutdown()
        server.server_close()


def start_feedhub(
    tmp: Path, upstream: Local
) -> tuple[dict[str, Any], Path, subprocess.Popen[bytes], int]:
    port = free_port()
    config = base_config(
        tmp,
        upstream,
        port,
        {
            "sidebar": {"title": "Harbour notes", "sources": ["blog"], "limit": 5},
            "quiet": {"title": "Quiet list", "sources": ["blog"], "limit": 3, "live": False},
        },
    )
    config["server"]["public_url"] = f"http://127.0.0.1:{port}"
    config["fetch"]["max_items"] = 300
    path = write_config(tmp, config)
    config = yaml.safe_load(path.read_text())
    log = tmp / "feedhub.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedhub", "serve", "-c", str(path)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    _wait_port(port, proc, log)
    wait_for(lambda: get_json(f"http://127.0.0.1:{port}/w/sidebar.json")[0]["items"])
    return config, path, proc, port


def install_plugin(page: Any, site: WordPress, zip_path: Path, feedhub_url: str) -> None:
    """Log in, upload the zip (Plugins → Add New → Upload), activate, set feedhub's address."""
    page.goto(site.url + "/wp-login.php")
    page.fill("#user_login", ADMIN)
    page.fill("#user_pass", PASSWORD)
    page.click("#wp-submit")
    page.wait_for_url(re.compile(r"/wp-admin/"))
    page.goto(site.url + "/wp-admin/plugin-install.php?tab=upload")
    page.set_input_files("#pluginzip", str(zip_path))
    if not page.is_visible("#install-plugin-submit"):
        page.click(".upload-view-toggle")
    page.click("#install-plugin-submit")
    page.get_by_text("Plugin installed successfully.").wait_for()
    page.get_by_role("link", name="Activate Plugin").click()
    page.get_by_text("Plugin activated.").wait_for()
    set_feedhub_url(page, site, feedhub_url)


def set_feedhub_url(page: Any, site: WordPress, url: str) -> None:
    page.goto(site.url + "/wp-admin/options-general.php?page=feedhub")
    page.fill("#feedhub_url", url)
    page.click("#submit")
    page.get_by_text("Settings saved.").wait_for()


def posts(feedhub: str, hostile: str) -> dict[str, tuple[str, str, str]]:
    """The site's content, by name: title, content, post type."""
    odd_block = {
        "widget": 'sidebar" onload="window.__pwned=2',
        "theme": '"><script>window.__pwned=3</script>',
    }
    return {
        "block": (
            "With the block",
            '<!-- wp:feedhub/widget {"widget":"sidebar","limit":3} /-->',
            "post",
        ),
        "quiet": ("A quiet block", '<!-- wp:feedhub/widget {"widget":"quiet"} /-->', "post"),
        "shortcode": (
            "With the shortcode",
            '[feedhub widget="sidebar" limit="5"]\n\n[feedhub widget="sidebar" limit="2"]',
            "page",
        ),
        "oembed": ("Pasted address", f"\n{feedhub}/w/sidebar\n", "post"),
        "hostile_oembed": ("Pasted hostile address", f"\n{hostile}/w/sidebar\n", "post"),
        "bad_options": (
            "Odd options",
            '[feedhub widget="sidebar" limit=\'2" onmouseover="window.__pwned=1\''
            ' scheme="<b onclick=x>"]\n\n'
            f"<!-- wp:feedhub/widget {json.dumps(odd_block)} /-->",
            "post",
        ),
    }


CONTENT = """
wp_set_current_user(1);
$ids = array();
foreach (json_decode(base64_decode('SPECS'), true) as $name => $spec) {
    $ids[$name] = wp_insert_post(array('post_title' => $spec[0], 'post_content' => $spec[1],
        'post_status' => 'publish', 'post_type' => $spec[2]));
}
// The classic widget, in Twenty Twenty-One's footer sidebar.
update_option('widget_feedhub',
    array(2 => array('widget' => 'quiet', 'limit' => '2'), '_multiwidget' => 1));
update_option('sidebars_widgets', array('wp_inactive_widgets' => array(),
    'sidebar-1' => array('feedhub-2'), 'array_version' => 3));
echo json_encode($ids);
"""


class Hostile(BaseHTTPRequestHandler):
    """The wrong server: every answer is markup that tries to run script."""

    body = b""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        port = self.server.server_address[1]
        if self.path.startswith("/oembed"):
            html = (
                HOSTILE.format(port=port) + f'<iframe src="http://127.0.0.1:{port}/w/x"></iframe>'
            )
            body = json.dumps({"version": "1.0", "type": "rich", "html": html}).encode()
            kind = "application/json"
        else:
            body, kind = HOSTILE.format(port=port).encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with local_server(Hostile) as server:
        yield server.url("")


@pytest.fixture(scope="module")
def upstream() -> Iterator[Local]:
    with local_server(FeedUpstream) as server:
        yield server


@pytest.fixture(scope="module")
def scene(
    tmp_path_factory: pytest.TempPathFactory, hostile: str, upstream: Local
) -> Iterator[Scene]:
    require_components()
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("wordpress")
    config, config_path, feedhub, port = start_feedhub(tmp, upstream)
    site: WordPress | None = None
    pw = sync_playwright().start()
    try:
        site = install(tmp, free_port())
        serve(site)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        admin = browser.new_context().new_page()
        scene = Scene(site, tmp, config, config_path, feedhub, port, admin, browser)
        install_plugin(admin, site, build_zip(tmp), scene.feedhub_url)
        specs = json.dumps(posts(scene.feedhub_url, hostile)).encode()
        code = CONTENT.replace("SPECS", base64.b64encode(specs).decode())
        scene.posts = json.loads(site.php(code))
        yield scene
        browser.close()
    finally:
        pw.stop()
        if feedhub.poll() is None:
            feedhub.kill()
            feedhub.wait()
        if site is not None:
            remove(site)


def items_in(locator: Any) -> list[str]:
    """The posts a visitor sees in `locator`: feedhub's script, where it runs, shows them in a
    shadow root and the server's copy stays behind it, unseen."""
    items = locator.locator("article.fh-item:visible")
    items.first.wait_for()
    return items.all_inner_texts()


def test_settings_test_connection_lists_the_widgets(scene):
    page = scene.admin
    page.goto(scene.site.url + "/wp-admin/options-general.php?page=feedhub")
    assert page.input_value("#feedhub_url") == scene.feedhub_url
    page.click("#feedhub_run_test")
    result = page.locator("#feedhub-test-result")
    result.wait_for()
    text = result.inner_text()
    assert "Connected: feedhub serves 2 widgets." in text
    assert "sidebar Harbour notes" in text and "quiet Quiet list" in text


def test_a_post_with_the_block_shows_the_items(scene):
    page = scene.visit(f"/?p={scene.posts['block']}")
    shown = items_in(page.locator(".entry-content .wp-block-feedhub-widget"))
    assert len(shown) == 3
    assert len({t for t in TITLES for s in shown if t in s}) == 3


def test_a_page_with_the_shortcode_shows_the_items(scene):
    page = scene.visit(f"/?page_id={scene.posts['shortcode']}")
    widgets = page.locator(".entry-content .feedhub-widget")
    assert widgets.count() == 2
    assert len(items_in(widgets.nth(0))) == 5
    assert len(items_in(widgets.nth(1))) == 2
    assert all(any(t in s for s in items_in(widgets.nth(0))) for t in TITLES)


def test_the_sidebar_shows_the_classic_widget(scene):
    page = scene.visit(f"/?p={scene.posts['oembed']}")
    shown = items_in(page.locator(".widget-area .feedhub-widget"))
    assert len(shown) == 2
    assert page.locator(".widget-area .fh-title").inner_text() == "Quiet list"


def test_the_editor_previews_the_block_live(scene):
    page = scene.admin
    page.goto(f"{scene.site.url}/wp-admin/post.php?post={scene.posts['block']}&action=edit")
    block = page.locator(".wp-block-feedhub-widget").first
    assert len(items_in(block)) == 3
    page.keyboard.press("Escape")  # the editor's welcome guide, on a first visit
    page.locator(".components-modal__screen-overlay").wait_for(state="detached")
    # The picker lists feedhub's widgets; a changed option renders again on the server.
    block.click(position={"x": 5, "y": 5})
    picker = page.get_by_label("Widget", exact=True)
    picker.wait_for()
    options = picker.locator("option").all_inner_texts()
    assert "Harbour notes (sidebar)" in options and "Quiet list (quiet)" in options
    page.get_by_label("Number of posts (empty: as feedhub says)").fill("1")
    wait_for(lambda: block.locator("article.fh-item:visible").count() == 1)


def test_a_pasted_widget_address_is_embedded_through_oembed(scene):
    page = scene.visit(f"/?p={scene.posts['oembed']}")
    frame = page.locator(f'.entry-content iframe[src^="{scene.feedhub_url}/w/sidebar"]')
    frame.wait_for()
    shown = items_in(page.frame_locator(".entry-content iframe").locator("body"))
    assert len(shown) == 5


def test_theme_css_once_per_page_and_script_only_where_live(scene):
    fragment = urllib.request.urlopen(scene.feedhub_url + "/w/sidebar.html").read().decode()
    css = re.match(r"<style>(.*?)</style>", fragment, re.S)[1]
    shortcode = scene.site.fetch(f"/?page_id={scene.posts['shortcode']}")
    # Two widgets of one theme: one stylesheet, in the head or footer, not in the widgets.
    assert shortcode.count(css) == 1
    assert re.search(r"<style id=['\"]feedhub-[0-9a-f]{12}-inline-css", shortcode)
    widget_html = shortcode.split('<div class="feedhub-widget"', 1)[1]
    assert "<style" not in widget_html.split("</section>", 1)[0]
    # The live widget brings feedhub's script once; a page of quiet widgets does without it.
    assert shortcode.count(f"{scene.feedhub_url}/w/sidebar.js") == 1
    quiet = scene.site.fetch(f"/?p={scene.posts['quiet']}")
    # (Its next-page link leads to feedhub's next page: a link, not a script.)
    assert "Quiet list" in quiet
    assert f"{scene.feedhub_url}/w/quiet.js" not in quiet and "/w/sidebar.js" not in quiet
    assert not re.search(rf"<script[^>]*{re.escape(scene.feedhub_url)}", quiet)


def test_visitors_contact_only_wordpress_and_feedhub(scene):
    seen: list[str] = []
    posts = scene.posts
    for path, live in (
        (f"/?p={posts['block']}", True),
        (f"/?page_id={posts['shortcode']}", True),
        (f"/?p={posts['oembed']}", False),
        (f"/?p={posts['quiet']}", False),
    ):
        page = scene.visit(path, seen)
        page.wait_for_load_state("networkidle")
        if live:  # the live widgets' script has taken them over: it read feedhub too
            page.locator('[data-feedhub-state="ready"]').first.wait_for(state="attached")
    origins = {f"{u.scheme}://{u.netloc}" for u in map(urlsplit, seen)}
    assert scene.feedhub_url in origins
    assert origins == {scene.site.url, scene.feedhub_url}


def test_with_embed_origins_set_to_the_site_everything_still_works(scene):
    scene.reload_feedhub(embed_origins=["https://elsewhere.example"])
    wait_for(lambda: not cors(scene))
    page = scene.visit(f"/?p={scene.posts['block']}")
    # feedhub refuses the browser's read: the script gives up, the server's copy stays.
    page.locator('.entry-content [data-feedhub-state="error"]').wait_for(state="attached")
    assert len(items_in(page.locator(".entry-content .feedhub-widget"))) == 3

    scene.reload_feedhub(embed_origins=[scene.site.url])
    wait_for(lambda: cors(scene) == scene.site.url)
    page = scene.visit(f"/?p={scene.posts['block']}")
    page.locator('.entry-content [data-feedhub-state="ready"]').wait_for(state="attached")
    assert len(items_in(page.locator(".entry-content .feedhub-widget"))) == 3
    page = scene.visit(f"/?page_id={scene.posts['shortcode']}")
    assert len(items_in(page.locator(".entry-content .feedhub-widget").nth(0))) == 5
    page = scene.visit(f"/?p={scene.posts['oembed']}")
    assert len(items_in(page.frame_locator(".entry-content iframe").locator("body"))) == 5
    assert len(items_in(page.locator(".widget-area .feedhub-widget"))) == 2


def cors(scene: Scene) -> str:
    req = urllib.request.Request(
        scene.feedhub_url + "/w/sidebar.html", headers={"Origin": scene.site.url}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers.get("Access-Control-Allow-Origin", "")


def test_the_privacy_guide_shows_feedhubs_text(scene):
    page = scene.admin
    page.goto(scene.site.url + "/wp-admin/options-privacy.php?tab=policyguide")
    page.locator("button.privacy-settings-accordion-trigger", has_text="feedhub").click()
    panel = page.locator("#privacy-settings-accordion-block-feedhub")
    panel.wait_for()
    text = panel.inner_text()
    for name, title in (("sidebar", "Harbour notes"), ("quiet", "Quiet list")):
        facts = get_json(f"{scene.feedhub_url}/w/{name}/privacy.json")[0]
        assert title in text
        for line in facts["text"]:
            assert line in text
    assert "at most the newest 300" in text and scene.feedhub_url in text


def test_no_option_reaches_the_page_unescaped(scene):
    page = scene.visit(f"/?p={scene.posts['bad_options']}")
    widgets = page.locator(".entry-content .feedhub-widget")
    # The shortcode's bad limit and scheme are dropped (the widget's own apply); the block
    # names no valid widget, so visitors get nothing of it.
    assert widgets.count() == 1
    assert len(items_in(widgets)) == 5
    assert widgets.get_attribute("data-limit") is None
    assert page.evaluate("() => window.__pwned") is None
    html = page.locator(".entry-content").inner_html()
    assert "onmouseover" not in html and "onload" not in html and "<script" not in html


def test_with_feedhub_stopped_the_last_copy_is_shown(scene):
    scene.feedhub.terminate()
    scene.feedhub.wait(20)
    scene.site.forget_answers()
    page = scene.visit(f"/?p={scene.posts['block']}")
    assert len(items_in(page.locator(".entry-content .feedhub-widget"))) == 3
    page = scene.visit(f"/?page_id={scene.posts['shortcode']}")
    assert len(items_in(page.locator(".entry-content .feedhub-widget").nth(0))) == 5
    # Nothing the plugin did was worth a line in WordPress's debug log.
    assert "/plugins/feedhub/" not in scene.site.debug_log()


def test_a_hostile_server_executes_nothing(scene, hostile):
    set_feedhub_url(scene.admin, scene.site, hostile)
    scene.site.forget_answers()
    dialogs: list[str] = []
    for path in (f"/?page_id={scene.posts['shortcode']}", f"/?p={scene.posts['hostile_oembed']}"):
        context = scene.browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: dialogs.append(d.message))
        page.goto(scene.site.url + path)
        page.wait_for_load_state("networkidle")
        content = page.locator(".entry-content")
        if "page_id" in path:
            content.get_by_text("harmless words").first.wait_for()
            content.locator("section").first.hover()
        else:  # the oEmbed answer kept to one frame of the configured server, no more
            assert content.locator(f'iframe[src^="{hostile}/w/"]').count() == 1
        # Nothing of the markup ran, and no script or handler is left in the page to run.
        assert page.evaluate("() => window.__pwned") is None
        assert dialogs == []
        assert content.locator("script, svg, [onerror], [onload], [onmouseover]").count() == 0
        hrefs = content.locator("a").evaluate_all("as => as.map(a => a.href)")
        assert not any(h.startswith("javascript:") for h in hrefs)
        assert "@import" not in page.content()
        context.close()


def test_php_lint_passes_on_every_file():
    php = shutil.which("php")
    if php is None:
        if os.environ.get("CI") == "true":
            pytest.fail("php is missing: `make test` installs Debian's php-cli")
        pytest.skip("php is missing (apt-get install php-cli)")
    files = sorted((PLUGIN / "feedhub").rglob("*.php"))
    assert len(files) >= 8
    for path in files:
        done = subprocess.run([php, "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_coding_standards(tmp_path):
    """WordPress's own standard when phpcs has it; else the stock sniffs it includes
    (contrib/wordpress/phpcs.xml), checked to catch a fault first."""
    phpcs = shutil.which("phpcs")
    if phpcs is None:
        if os.environ.get("CI") == "true":
            pytest.fail("phpcs is missing: `make test` installs Debian's php-codesniffer")
        pytest.skip("phpcs is missing (apt-get install php-codesniffer)")
    standards = subprocess.run([phpcs, "-i"], capture_output=True, text=True).stdout
    ruleset = "WordPress" if "WordPress" in standards else str(PLUGIN / "phpcs.xml")
    bad = tmp_path / "bad.php"
    bad.write_text("<?php\n$feedhub_a = [ 1 ];\n")
    caught = subprocess.run([phpcs, f"--standard={ruleset}", str(bad)], capture_output=True)
    assert caught.returncode != 0
    done = subprocess.run(
        [phpcs, f"--standard={ruleset}", "--extensions=php", str(PLUGIN / "feedhub")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
