"""Source adapters, one module per platform, found by the config's `type`.

Each adapter asks the fetcher for what its platform answers and parses it (in a parse worker)
into items of `feedhub.models`, sanitized by `feedhub.content`. Adapters share their helpers
(`base`, `social`, `values`, `entries`; the Meta ones `graph` and `tokens`; those
that give plain text `posts`; asking whether stored posts still exist, `rechecks`); the
feed reader's fast path is `fastfeed/`. A new platform is a module here, a config model in
`feedhub.config.sources` and its line in `feedhub.config.platforms` (which names the adapter
class by import path).
May import: models, config, content, fetch.
"""

from __future__ import annotations

import importlib
from typing import Any

from feedhub.config import PLATFORMS
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter


def adapter_class(type_name: str) -> type[SourceAdapter]:
    """The adapter class of a registered platform, imported from its record's path."""
    path = PLATFORMS[type_name].adapter
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, SourceAdapter)):
        raise TypeError(f"platform {type_name!r}: {path} is not a SourceAdapter subclass")
    if cls.network != type_name:
        raise TypeError(f"platform {type_name!r}: {path}.network is {cls.network!r}")
    return cls


def make_adapter(source_id: str, cfg: Any, base_dir: str = ".") -> SourceAdapter:
    """The adapter for a source's config (its `type` picks the platform)."""
    return adapter_class(cfg.type)(source_id, cfg, base_dir)


__all__ = [
    "ParseError",
    "PollContext",
    "PollResult",
    "SourceAdapter",
    "adapter_class",
    "make_adapter",
]
