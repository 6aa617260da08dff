"""The ``[smtp]`` and ``[mail]`` settings, owned by the mailer and read into it by app.config.

Each key's default lives here and nowhere else; ``config.example.toml`` documents them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SmtpConfig:
    """How the outbox is sent: the server, the login, and the drain's retry and batch sizes."""

    host: str = ""
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    from_address: str = "bob@localhost"
    timeout_seconds: float = 30.0
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    batch_size: int = 500
    connections: int = 4
    lease_seconds: int = 300


@dataclass(frozen=True)
class MailConfig:
    """Where captured email goes and what a digest email may carry."""

    capture_dir: str = "var/mail"
    mailbox_hint: str = "Read it in Slack: type /bob mailbox. No Slack access yet? Ask your agency manager."
    include_pii_in_email: bool = False
