"""nginx in front of a test's feedhub: the shipped contrib/nginx/feedhub.conf made local, nginx
started on a checked config, and the feed the proxied widget shows."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path

import aiohttp

from tests.conftest import ROOT
from tests.feeds_support import post, rss

CONF = ROOT / "contrib" / "nginx" / "feedhub.conf"
RSS = rss(post("Behind the proxy", slug="1"))


def local_conf(tmp: Path, listen: int, backend: int) -> Path:
    """The shipped file with only what a test must change: addresses, paths, no TLS."""
    site = CONF.read_text()
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    site = re.sub(r"\n\s*(ssl_certificate\S*|http2) [^\n]*;", "", site)
    site = site.replace("/var/cache/nginx/feedhub", str(tmp / "cache"))
    site = re.sub(
        r"upstream feedhub \{[^}]*\}",
        f"upstream feedhub {{ server 127.0.0.1:{backend}; keepalive 4; }}",
        site,
    )
    (tmp / "site.conf").write_text(site)
    temp = " ".join(
        f"{k}_temp_path {tmp / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = tmp / "nginx.conf"
    # As root, nginx's workers would drop to nobody, who cannot write the test's cache.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user} daemon off; pid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp}\n"
        f"include {tmp / 'site.conf'}; }}\n"
    )
    return main


async def start_nginx(nginx: str, conf: Path, prefix: Path) -> asyncio.subprocess.Process:
    """nginx on a checked config, in the foreground of its own process."""
    check = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(prefix)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    return await asyncio.create_subprocess_exec(nginx, "-c", str(conf), "-p", str(prefix))


async def answers(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(url) as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False
