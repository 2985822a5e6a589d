"""feedhub: self-hosted social feed widgets.

The package is one subpackage per stage of the data flow, lowest first; a module imports only
from its own stage or from lower ones (tests/test_architecture.py holds the order and checks
it, and docs/architecture.md explains it):

    models, logs, metrics   the item and fetch-state types, logging, counters
    config/                 the config file: schema and loading
    content/                sanitizing: the HTML and URL rules every text passes
    fetch/                  the one HTTP transport to upstreams, with its address guard
    sources/                one adapter per platform: a poll's request and its parse
    store/                  memory, SQLite and Redis backends: items and fetch state
    ingest/                 polling: schedule, poller, WebSub, parse workers, a poll's outcome
    publish/                selection, rendering, rendered bytes, output formats, themes
    service                 ties the stages together for one running daemon
    web/                    the aiohttp handlers
    cli/                    the `feedhub` command
"""

from importlib import resources
from pathlib import Path

__version__ = "0.1.0"


def package_folder(package: str, *parts: str) -> Path:
    """A folder of files shipped in the package (themes, scripts, templates), found with
    importlib.resources wherever feedhub is installed: Jinja2 and the theme commands read
    them as files on disk, so an installation that is not unpacked is refused here, clearly."""
    folder = resources.files(package).joinpath(*parts)
    if not isinstance(folder, Path) or not folder.is_dir():
        raise RuntimeError(
            f"feedhub's files {package}/{'/'.join(parts)} are not a folder on "
            f"disk ({folder}): install feedhub unpacked (pip, pipx, a venv)"
        )
    return folder
