"""A platform that exists only in the tests, "parrot", registered at run time to show that a
platform is one record: its config model and adapter live here, its answer in
`tests/fixtures/parrot/`. Also the command line run in-process, so that it sees the platforms
this process registered.

Kept light: the parse worker processes import this module to run `parse_parrot`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from feedhub.config import Platform, SourceBase
from feedhub.content.sanitize import html_to_text, sanitize_html
from feedhub.models import Author, FetchState, Item
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter


class ParrotSource(SourceBase):
    """A flock's posts on the parrot network."""

    type: Literal["parrot"]
    flock: str


class ParrotAdapter(SourceAdapter):
    """Reads `/flocks/<flock>.json` from the source's `base_url`."""

    network = "parrot"

    def __init__(self, source_id: str, cfg: ParrotSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.url = f"{self.base_url}/flocks/{quote(cfg.flock)}.json"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        return await self.fetch_and_parse(ctx, self.url, parse_parrot, self.source_id, state=state)


def parse_parrot(body: bytes, url: str, source_id: str) -> list[Item]:
    """A flock's answer as items (in a parse worker)."""
    try:
        posts: list[dict[str, Any]] = json.loads(body)["posts"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"not a flock: {exc}") from None
    items = []
    for post in posts:
        content = sanitize_html(post["html"], url)
        items.append(
            Item(
                id=f"parrot:{post['id']}",
                source=source_id,
                url=post["link"],
                content_html=content,
                summary=html_to_text(content),
                author=Author(name=post["by"]),
                published=datetime.fromisoformat(post["at"]),
                network="parrot",
            )
        )
    return items


PARROT = Platform(ParrotSource, "tests.platform_support:ParrotAdapter", "Parrot Social")


def run_cli(*argv: str) -> int:
    """`feedhub <argv>` in this process (its output goes to the test's captured stdout and
    stderr); the root logger is given back as it was, since the command sets its own."""
    from feedhub.cli import main  # here: parse workers import this module, not the CLI

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        return main(list(argv))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
