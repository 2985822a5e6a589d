"""The `server:` section: where feedhub listens, the address it is reached at, the origins that
may embed its widgets, and the proxies whose client-address header it believes; and the
`metrics:` section, what `/metrics` shows."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator

from feedhub.config.fields import Strict, TimeZone


class ServerConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = ""
    embed_origins: list[str] = []
    widgets_dir: str | None = None
    timezone: TimeZone = ""  # "" is the host's zone
    trusted_proxies: list[str] = []  # addresses or networks whose client_header is believed
    client_header: Literal[
        "X-Forwarded-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP", "True-Client-IP"
    ] = "X-Forwarded-For"

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"each entry must be an IP address or network such as 10.0.0.0/8, got {entry!r}"
                ) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.match(r"^https?://[^/\s]+$", origin):
                raise ValueError(f"each origin must be scheme://host[:port], got {origin!r}")
        return value


class MetricsConfig(Strict):
    # Series labelled by source (fetches, durations, items, errors, state): with thousands of
    # sources they make a scrape megabytes long; off, the same counters are summed.
    per_source: bool = True
