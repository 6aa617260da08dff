"""A capture SMTP server on 127.0.0.1 that writes each message it receives as an .eml file.

``bob demo`` and local runs with no ``smtp.host`` send through it, so the outbox is drained
by a real SMTP conversation and the emails can be opened from ``mail.capture_dir``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailer.settings import SmtpConfig
from store.private_files import make_private_folder, open_private_file

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


class LoopbackController(Controller):
    """An aiosmtpd controller on 127.0.0.1 and a port the system picks (``.port`` after start)."""

    def __init__(self, handler: Any, **smtp_parameters: Any) -> None:
        smtp_parameters.setdefault("server_hostname", "localhost")
        super().__init__(handler, hostname="127.0.0.1", port=0, **smtp_parameters)

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self._bind_free_port()

    async def _bind_free_port(self) -> asyncio.AbstractServer:
        server = cast(asyncio.Server, await super()._create_server())
        self.port = server.sockets[0].getsockname()[1]
        return server


class CaptureHandler:
    """aiosmtpd handler: store each message in ``directory`` named after its Message-ID, readable
    by the owner only (an email may carry a link code, a password or, if configured, PII)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.write(content)
        return "250 OK captured"

    def write(self, content: bytes) -> Path:
        """Write one message; a second copy of the same Message-ID gets its own file."""
        headers = BytesParser(policy=compat32).parsebytes(content, headersonly=True)
        stem = _UNSAFE.sub("_", str(headers.get("Message-ID", "")).strip("<> ")) or "no-message-id"
        make_private_folder(self.directory)
        for copy in range(10_000):
            path = self.directory / (f"{stem}.eml" if copy == 0 else f"{stem}.{copy}.eml")
            try:
                descriptor = open_private_file(path)
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
            return path
        raise FileExistsError(f"too many copies of {stem}.eml in {self.directory}")


@contextmanager
def capture_server(directory: Path) -> Iterator[LoopbackController]:
    """Run the capture server for the duration of the block."""
    controller = LoopbackController(CaptureHandler(directory))
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@contextmanager
def smtp_or_capture(smtp: SmtpConfig, capture_dir: str | Path) -> Iterator[tuple[SmtpConfig, Path | None]]:
    """The SMTP settings to send with, and where emails are captured (None when sent for real).

    With ``smtp.host`` set this is ``smtp`` unchanged; with it empty a capture server is
    started and the settings point at it (plain SMTP, no login) for the duration of the block.
    """
    if smtp.host:
        yield smtp, None
        return
    directory = Path(capture_dir)
    with capture_server(directory) as controller:
        yield (
            dataclasses.replace(
                smtp,
                host="127.0.0.1",
                port=controller.port,
                security="none",
                username="",
                password="",
            ),
            directory,
        )
