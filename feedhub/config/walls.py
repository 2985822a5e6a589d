"""The sources of walls: what people post under a hashtag, a search, a list or a custom feed,
rather than one account's posts (`sources.py` has those)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from feedhub.config.sources import SourceBase

# Mastodon's hashtag grammar: letters, digits, "_" and the middle dot; not digits only.
_HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _mastodon_tag(value: str) -> str:
    tag = value.lstrip("#")
    if not tag or not re.fullmatch(r"[\w·]+", tag) or tag.isdigit():
        joined = re.sub(r"[^\w·]", "", tag)
        hint = f" (Mastodon reads #{joined})" if joined and not joined.isdigit() else ""
        raise ValueError(
            f"a Mastodon hashtag has letters, digits and '_' only, got {value!r}{hint}"
        )
    return tag


class MastodonTagSource(SourceBase):
    """A hashtag's public timeline, read from each instance in `instances` and merged."""

    type: Literal["mastodon_tag"]
    tag: str
    instances: list[str] = Field(min_length=1, max_length=10)
    any: list[str] = []  # posts with the tag or any of these
    all: list[str] = []  # ... and all of these
    none: list[str] = []  # ... and none of these
    local: bool = False  # only posts of each instance's own accounts
    only_media: bool = False
    limit: int = Field(40, ge=1, le=40)  # the API's maximum per request

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        return _mastodon_tag(value)

    @field_validator("any", "all", "none")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [_mastodon_tag(v) for v in value]

    @field_validator("instances")
    @classmethod
    def _instances(cls, value: list[str]) -> list[str]:
        out = []
        for entry in value:
            if _HOST.match(entry):
                out.append(f"https://{entry.lower()}")
            elif re.match(r"^https?://[^/\s]+", entry):
                out.append(entry.rstrip("/"))
            else:
                raise ValueError(
                    f"each instance must be a host name such as mastodon.social or an"
                    f" http(s) URL, got {entry!r}"
                )
        if len(set(out)) != len(out):
            raise ValueError("lists an instance twice")
        return out
