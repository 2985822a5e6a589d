"""The `alerts:` section: where the owner is told (targets) and when (the events' thresholds).

A target is a webhook (a signed JSON POST, in the shape a chat service takes) or an SMTP
mailbox. Secrets stay out of the file: the webhook's signing key is a `${VAR}` like any
token, the SMTP login is read from the environment variables the target names, at send time.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from feedhub.config.fields import NAME_RE, Duration, Strict

DAY = 86400.0
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
SMTP_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class WebhookTarget(Strict):
    """A JSON POST; `format` picks the body a chat service reads."""

    type: Literal["webhook"]
    url: str
    format: Literal["json", "slack", "matrix", "discord"] = "json"
    secret: str = ""  # HMAC-SHA256 key: the body's signature in X-Feedhub-Signature
    timeout: Duration = 10.0

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value


class EmailTarget(Strict):
    """An e-mail through an SMTP server, with STARTTLS, TLS or (on a local relay) neither."""

    type: Literal["email"]
    host: str
    port: int | None = Field(None, ge=1, le=65535)  # None: 587, 465 or 25 by `security`
    security: Literal["starttls", "tls", "none"] = "starttls"
    sender: str
    to: list[str]
    username_env: str = "FEEDHUB_SMTP_USER"  # variables holding the login; unset: no login
    password_env: str = "FEEDHUB_SMTP_PASSWORD"
    ca_file: str = ""  # PEM CAs the server's certificate is checked against; "": the system's
    timeout: Duration = 30.0

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one address")
        for address in value:
            if not EMAIL_RE.match(address):
                raise ValueError(f"each entry must be an e-mail address, got {address!r}")
        return value

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if not EMAIL_RE.match(value):
            raise ValueError(f"must be an e-mail address, got {value!r}")
        return value

    @property
    def smtp_port(self) -> int:
        return self.port or SMTP_PORTS[self.security]


Target = Annotated[WebhookTarget | EmailTarget, Field(discriminator="type")]


class AlertsConfig(Strict):
    """When the owner is told, and where; no targets: no alerts."""

    targets: dict[str, Target] = {}
    failing_polls: int = Field(3, ge=1, le=1000)  # a source failing this many polls in a row
    failing_for: Duration = 6 * 3600.0  # ... or failing for this long
    token_expiry: Duration = 7 * DAY  # a token expiring within this
    period: Duration = DAY  # the same event is sent at most once per period
    digest_after: Duration = Field(60.0, ge=0.1)  # events gathered this long, sent as one
    check_every: Duration = Field(60.0, ge=0.5)  # store, media, tokens, widgets looked at
    retries: int = Field(5, ge=0, le=50)  # a failed delivery is tried again this many times
    retry_backoff: Duration = 30.0  # first wait before a retry; doubled each time

    @field_validator("targets")
    @classmethod
    def _names(cls, value: dict[str, Target]) -> dict[str, Target]:
        for name in value:
            if not NAME_RE.match(name):
                raise ValueError(f"target names are letters, digits, - and _, got {name!r}")
        return value
