"""What the sources read on one Mastodon-API instance with the site account's token share
(`mastodon_list`, `mastodon_favourites`, `pixelfed_tag`): where the API is, the token kept
out of every message, and the header that carries it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from feedhub.sources import tokens
from feedhub.sources.base import SourceAdapter


class InstanceAdapter(SourceAdapter):
    """A source on `cfg.instance` (or `cfg.base_url`), read with `cfg.token` when it has one."""

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.base_url = (cfg.base_url or cfg.instance).rstrip("/")
        self.host = urlsplit(cfg.instance).netloc  # the instance local accounts belong to

    def redact(self, message: str) -> str:
        return tokens.redact(message, self.cfg.token)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.cfg.token}"} if self.cfg.token else {}
