"""The owner's side of alerts, on this machine: a webhook receiver (aiohttp) that checks each
POST's signature, and an SMTP server (aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

SECRET = "hook-signing-key-7f3a"


@dataclass
class Hook:
    """What the webhook receiver was sent: each body, parsed, once its signature checked."""

    server: TestServer | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    status: int = 200  # what it answers; 500 plays a service that is down
    delay: float = 0.0  # seconds before it answers: a slow service

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/hook/T0SECRETPATH"))

    def keys(self) -> list[str]:
        """Every event key received, in order (a digest gives several)."""
        return [e["key"] for body in self.bodies for e in body.get("events", [])]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Feedhub-Signature", ""), expected):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.status != 200:
            return web.Response(status=self.status)
        self.bodies.append(json.loads(body))
        await asyncio.sleep(self.delay)
        return web.Response(status=204)


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    receiver = Hook()
    app = web.Application()
    app.router.add_post("/hook/{tail:.*}", receiver.handle)
    receiver.server = TestServer(app, host="127.0.0.1")
    await receiver.server.start_server()
    yield receiver
    await receiver.server.close()


class Mailbox:
    """aiosmtpd's handler: every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def bodies(self) -> list[str]:
        out = []
        for m in self.messages:
            part = m.get_body(("plain",))
            out.append(part.get_content() if part is not None else "")
        return out


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def alert_targets(hook: Hook, mailbox: Mailbox, **rules: Any) -> dict[str, Any]:
    """An `alerts:` section sending to both, quick enough for a test."""
    return {
        "targets": {
            "ops": {"type": "webhook", "url": hook.url, "secret": SECRET},
            "owner": {
                "type": "email",
                "host": "127.0.0.1",
                "port": mailbox.port,
                "security": "none",
                "sender": "feedhub@example.org",
                "to": ["owner@example.org"],
            },
        },
        "digest_after": "0.5s",
        "check_every": "0.5s",
        "retry_backoff": "0.2s",
        **rules,
    }


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, its own CA, and its key: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feedhub test relay")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


LOGIN = ("alerts@example.org", "smtp-password-5Rw")


def tls_relay(box: Mailbox, cert: Path, key: Path, *, implicit: bool) -> Any:
    """An SMTP server on box.port that takes mail only over TLS (STARTTLS, or `implicit`
    TLS from the first byte) and only from LOGIN: a started aiosmtpd Controller."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and (
                data.login.decode(),
                data.password.decode(),
            )
            == LOGIN
        )
        return AuthResult(success=ok)

    options: dict[str, Any] = {"authenticator": check, "auth_required": True}
    if implicit:
        # aiosmtpd sees only STARTTLS as TLS: over implicit TLS it must be told AUTH may go.
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **options)
    controller.start()
    return controller
