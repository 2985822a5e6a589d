"""Source adapters, one module per platform, found by the config's `type`."""

from __future__ import annotations

from typing import Any

from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.feed import FeedAdapter

ADAPTERS: dict[str, type[SourceAdapter]] = {
    "feed": FeedAdapter,
}


def make_adapter(source_id: str, cfg: Any, base_dir: str = ".") -> SourceAdapter:
    """The adapter for a source's config (its `type` picks the class)."""
    return ADAPTERS[cfg.type](source_id, cfg, base_dir)


__all__ = ["ADAPTERS", "ParseError", "PollContext", "PollResult", "SourceAdapter", "make_adapter"]
