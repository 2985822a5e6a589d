"""A real WordPress for the plugin's test: Debian's copy in a temporary folder with a
wp-config.php of its own, a throwaway MariaDB database, PHP's built-in server, and PHP's own
installer. Nothing system-wide is written."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

WORDPRESS = Path("/usr/share/wordpress")
PLUGIN = Path(__file__).parent.parent / "contrib" / "wordpress"
DB_HOST = os.environ.get("FEEDHUB_TEST_MYSQL", "127.0.0.1:3306")
ADMIN, PASSWORD = "admin", "feedhub-test-password"


def mysql(sql: str, database: str = "") -> str:
    host, _, port = DB_HOST.partition(":")
    args = ["mariadb", "-h", host, "-P", port or "3306", "-u", "root", "-N", "-B", "-e", sql]
    done = subprocess.run([*args, database] if database else args, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"mariadb: {done.stderr.strip()}")
    return done.stdout


def require_components() -> None:
    """Fail under CI, else skip, naming what is missing: WordPress, PHP or MariaDB."""
    missing = []
    if not (WORDPRESS / "wp-settings.php").exists():
        missing.append("Debian's wordpress package (apt-get install wordpress)")
    if not shutil.which("php"):
        missing.append("php (apt-get install php-cli php-mysql)")
    if not shutil.which("mariadb"):
        missing.append("the mariadb client (apt-get install mariadb-client)")
    else:
        try:
            mysql("SELECT 1")
        except RuntimeError as exc:
            missing.append(f"a MariaDB server at {DB_HOST} for root without password ({exc})")
    if missing:
        reason = "the WordPress test needs " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def wp_config(root: Path, database: str, url: str) -> str:
    keys = "".join(
        f"define('{k}', '{secrets.token_hex(24)}');\n"
        for k in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    return f"""<?php
define('DB_NAME', '{database}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '{DB_HOST}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
{keys}define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('FS_METHOD', 'direct');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
// No test reaches the internet: WordPress may ask only its own host (feedhub runs there too).
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', '{root / "debug.log"}');
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""


@dataclass
class WordPress:
    root: Path
    database: str
    port: int
    server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def php(self, code: str, before: str = "") -> str:
        """Runs PHP code inside this WordPress (wp-load.php loaded after `before`) and returns
        its output."""
        script = self.root / "feedhub-test-run.php"
        script.write_text(f"<?php\n{before}\nrequire __DIR__ . '/wp-load.php';\n{code}\n")
        done = subprocess.run(
            ["php", str(script)], capture_output=True, text=True, cwd=self.root, timeout=120
        )
        script.unlink()
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def fetch(self, path: str) -> str:
        """A page as a visitor's browser first gets it (no cookies)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return resp.read().decode()

    def forget_answers(self) -> None:
        """Expires every answer the plugin keeps (not the last good copies)."""
        mysql(
            "DELETE FROM wp_options WHERE option_name LIKE '\\_transient\\_feedhub\\_%'"
            " OR option_name LIKE '\\_transient\\_timeout\\_feedhub\\_%'",
            self.database,
        )

    def debug_log(self) -> str:
        log = self.root / "debug.log"
        return log.read_text(errors="replace") if log.exists() else ""


def install(tmp: Path, port: int) -> WordPress:
    """Debian's WordPress copied to `tmp`, its own database created and installed with the
    classic theme Twenty Twenty-One (it has a sidebar for classic widgets)."""
    root = tmp / "wordpress"
    shutil.copytree(
        WORDPRESS,
        root,
        symlinks=False,
        ignore=lambda d, names: [
            n for n in names if n in ("wp-config.php", ".htaccess", "languages")
        ],
    )
    database = "feedhub_wp_" + secrets.token_hex(4)
    mysql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    site = WordPress(root, database, port)
    try:
        (root / "wp-config.php").write_text(wp_config(root, database, site.url))
        out = site.php(
            "require_once ABSPATH . 'wp-admin/includes/upgrade.php';\n"
            f"wp_install('feedhub test site', '{ADMIN}', 'admin@example.org', true, '',"
            f" '{PASSWORD}');\n"
            "switch_theme('twentytwentyone');\n"
            "echo get_option('template');",
            before="define('WP_INSTALLING', true);",
        )
        assert out.strip().endswith("twentytwentyone"), out
    except BaseException:
        remove(site)
        raise
    return site


def serve(site: WordPress) -> None:
    """PHP's built-in server, a few workers (the editor asks several things at once)."""
    log = (site.root.parent / "php-server.log").open("wb")
    site.server = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{site.port}", "-t", str(site.root)],
        cwd=site.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
        start_new_session=True,  # its workers are its children: stopped with it, as a group
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            site.fetch("/wp-login.php")
            return
        except OSError:
            if time.monotonic() > deadline or site.server.poll() is not None:
                raise AssertionError("PHP's server did not answer") from None
            time.sleep(0.1)


def remove(site: WordPress) -> None:
    if site.server is not None and site.server.poll() is None:
        os.killpg(site.server.pid, signal.SIGTERM)
        site.server.wait(10)
    mysql(f"DROP DATABASE IF EXISTS {site.database}")


def build_zip(out: Path) -> Path:
    """The plugin's zip, built as `make wordpress` builds it."""
    zip_path = out / "feedhub-wordpress.zip"
    subprocess.run(
        ["make", "-s", "wordpress", f"WORDPRESS_ZIP={zip_path}"],
        cwd=PLUGIN.parent.parent,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return zip_path
