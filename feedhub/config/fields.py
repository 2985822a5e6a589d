"""What every part of the config schema shares: the strict base model, durations, sizes, names."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from feedhub.config.units import parse_duration, parse_size

MAX_ITEMS = 100_000  # the most items a source may keep (`max_items`)

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

Duration = Annotated[float, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]


class Strict(BaseModel):
    """Unknown keys are errors; a loaded config never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_zone(value: str) -> str:
    """An IANA time zone name this host knows ("Europe/Paris"); "" stays (the host's zone)."""
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Europe/Paris)"
            ) from None
    return value


TimeZone = Annotated[str, AfterValidator(check_zone)]


def mask_secrets(text: str, used: dict[str, str]) -> str:
    """`text` with every value that came from the environment shown as its `${NAME}`: a
    refused config's messages, an upstream error quoting a URL: what is printed, logged or
    shown on /admin."""
    if not text or not used:  # most errors are none: a poll that went well
        return text
    for name, value in sorted(used.items(), key=lambda kv: -len(kv[1])):
        if len(value) >= 3:  # shorter ones would mask bits of every message
            for shown in (repr(value)[1:-1], value):  # as a message quotes it, and as is
                text = text.replace(shown, f"${{{name}}}")
    return text
