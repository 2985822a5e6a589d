"""How a message reaches a target: a signed JSON POST (in the body a chat service reads) or
an e-mail through SMTP. A failure raises `DeliveryError` with a message fit for the log:
the webhook's path (Slack and Discord put their secret there), its signing key and the
SMTP login never appear in it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from feedhub import __version__
from feedhub.alerts.events import Event
from feedhub.config.alerts import EmailTarget, WebhookTarget

SIGNATURE = "X-Feedhub-Signature"  # sha256=<hex HMAC-SHA256 of the body, keyed by `secret`>
DISCORD_MAX = 2000  # characters Discord takes in `content`


class DeliveryError(Exception):
    """A target did not take a message; the text is safe to log."""


@dataclass(frozen=True, slots=True)
class Message:
    """One delivery: a single event, or a digest of several."""

    title: str
    events: tuple[Event, ...]
    sent: float

    @classmethod
    def of(cls, events: list[Event], now: float | None = None) -> Message:
        now = time.time() if now is None else now
        if len(events) == 1:
            return cls(f"feedhub: {events[0].title}", tuple(events), now)
        return cls(f"feedhub: {len(events)} alerts", tuple(events), now)

    @property
    def text(self) -> str:
        if len(self.events) == 1:
            return self.events[0].text
        return "\n".join(f"- {e.title}: {e.text}" for e in self.events)

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "sent": self.sent,
            "events": [e.as_dict() for e in self.events],
        }


def webhook_body(fmt: str, message: Message) -> bytes:
    """The POST body: feedhub's own JSON, or the shape Slack, Matrix (hookshot's generic
    webhooks) or Discord take."""
    if fmt == "slack":
        doc: dict[str, object] = {"text": f"*{message.title}*\n{message.text}"}
    elif fmt == "matrix":
        doc = {"text": f"{message.title}\n{message.text}", "username": "feedhub"}
    elif fmt == "discord":
        content = f"**{message.title}**\n{message.text}"
        if len(content) > DISCORD_MAX:
            content = content[: DISCORD_MAX - 1] + "…"
        doc = {"content": content, "username": "feedhub"}
    else:
        doc = message.as_dict()
    return json.dumps(doc, ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def shown_url(url: str) -> str:
    """A webhook URL as logs and pages may show it: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}/…"


async def post_webhook(
    session: aiohttp.ClientSession, target: WebhookTarget, message: Message
) -> None:
    body = webhook_body(target.format, message)
    headers = {"Content-Type": "application/json", "User-Agent": f"feedhub/{__version__}"}
    if target.secret:
        headers[SIGNATURE] = signature(target.secret, body)
    where = shown_url(target.url)
    try:
        async with session.post(
            target.url,
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=target.timeout),
            allow_redirects=False,
        ) as resp:
            if resp.status >= 300:
                raise DeliveryError(f"{where} answered HTTP {resp.status}")
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}") from None


def email_message(target: EmailTarget, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.to)
    mail["Subject"] = message.title
    mail["Date"] = formatdate(message.sent)
    mail["Message-ID"] = make_msgid(domain=target.sender.rpartition("@")[2])
    mail.set_content(message.text + "\n\n-- \nfeedhub: see /admin for every source's state.\n")
    return mail


async def send_email(
    target: EmailTarget,
    message: Message,
    env: Mapping[str, str] | None = None,
    ca_file: str | None = None,
) -> None:
    import aiosmtplib  # here: a daemon without e-mail targets never loads it

    env = os.environ if env is None else env
    user = env.get(target.username_env, "")
    password = env.get(target.password_env, "")
    where = f"smtp {target.host}:{target.smtp_port}"
    if user and not password:
        raise DeliveryError(
            f"{where}: {target.username_env} is set but {target.password_env} is not"
        )
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.smtp_port,
        use_tls=target.security == "tls",
        start_tls=False,  # below, then EHLO again: what the server offers changes with TLS
        timeout=target.timeout,
        cert_bundle=ca_file,
    )
    try:
        async with client:
            if target.security == "starttls":
                await client.starttls()
                await client.ehlo()
            if user:
                await client.login(user, password)
            await client.send_message(email_message(target, message))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        text = str(exc)
        for secret in (password, user):
            if secret:
                text = text.replace(secret, "[login]")
        raise DeliveryError(f"{where}: {type(exc).__name__}: {text[:200]}") from None


async def deliver(
    session: aiohttp.ClientSession,
    target: WebhookTarget | EmailTarget,
    message: Message,
    resolve: Callable[[str], Path],
) -> None:
    """One attempt at one target; `resolve` makes a path of the config absolute."""
    if isinstance(target, WebhookTarget):
        await post_webhook(session, target, message)
    else:
        ca_file = str(resolve(target.ca_file)) if target.ca_file else None
        await send_email(target, message, ca_file=ca_file)
