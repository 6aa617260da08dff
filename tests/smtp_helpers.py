"""Real SMTP servers for tests: aiosmtpd with STARTTLS, AUTH and injected faults; smtp-sink.

Every server listens on 127.0.0.1 and a port the system picks, so tests can run side by side.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mailer.sink import LoopbackController

LOGIN = ("bob-mailer", "correct horse")
SMTP_SINK = shutil.which("smtp-sink", path="/usr/sbin:/usr/bin:/sbin:/bin")


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(directory: Path) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    files = TlsFiles(directory / "smtp-cert.pem", directory / "smtp-key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@dataclass(frozen=True)
class Received:
    """One message as the server saw it."""

    peer: Any
    mail_from: str
    rcpt_tos: list[str]
    over_tls: bool
    login: bytes | None
    message: Message


@dataclass
class RecordingHandler:
    """Accepts mail and records it; faults are queued per recipient and used up one by one.

    ``rcpt_replies[address]`` holds replies (e.g. "451 4.3.0 busy") given at RCPT instead of
    accepting; ``data_faults[address]`` holds "drop" (close the connection after the message
    was sent) or "stall" (answer DATA only after ``stall_seconds``). Every accepted message is
    answered after ``delay_seconds``, like a busy server.
    """

    rcpt_replies: dict[str, deque[str]] = field(default_factory=dict)
    data_faults: dict[str, deque[str]] = field(default_factory=dict)
    stall_seconds: float = 2.0
    delay_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        faults = self.data_faults.get(envelope.rcpt_tos[0])
        fault = faults.popleft() if faults else None
        if fault == "drop":
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()
            return "250 never heard"
        if fault == "stall":
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 too late"
        await asyncio.sleep(self.delay_seconds)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(
            Received(
                peer=session.peer,
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                over_tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
                login=login,
                message=message_from_bytes(envelope.original_content or b""),
            )
        )
        return "250 OK"

    def messages_to(self, address: str) -> list[Message]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """Accept only ``LOGIN``; refuse others with handled=False, so the client hears 535."""
    if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN[0].encode(),
        LOGIN[1].encode(),
    ):
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    handler: RecordingHandler, tls: TlsFiles | None = None, *, implicit_tls: bool = False
) -> Iterator[LoopbackController]:
    """aiosmtpd on 127.0.0.1; with ``tls`` it requires STARTTLS and a login, or with
    ``implicit_tls`` speaks TLS from the first byte (aiosmtpd 1.4 offers AUTH only after
    STARTTLS, so that server takes no login)."""
    parameters: dict[str, Any] = {}
    if tls is not None and implicit_tls:
        parameters["ssl_context"] = tls.server_context()
    elif tls is not None:
        parameters.update(
            tls_context=tls.server_context(),
            require_starttls=True,
            authenticator=check_login,
            auth_required=True,
        )
    controller = LoopbackController(handler, **parameters)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink(*options: str) -> Iterator[int]:
    """Postfix's smtp-sink on a free port with fault ``options``; yields the port."""
    assert SMTP_SINK is not None
    as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
    for _ in range(5):
        port = free_port()
        process = subprocess.Popen(
            [SMTP_SINK, *as_user, *options, f"127.0.0.1:{port}", "10"], stderr=subprocess.PIPE
        )
        if _wait_for_port(port, process):
            break
        process.kill()
        process.wait()
    else:
        raise RuntimeError("smtp-sink did not start")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=5)
        assert process.stderr is not None
        process.stderr.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False
