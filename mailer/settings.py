"""The ``[smtp]`` and ``[mail]`` settings, owned by the mailer and read into it by app.config,
and what a Daily Summary run takes from them.

Each key's default, and a number's allowed range, lives here and nowhere else;
``config.example.toml`` documents them. Plain dataclasses: the config (and `bob --help`)
reads them without importing SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal


@dataclass(frozen=True)
class SmtpConfig:
    """How the outbox is sent: the server, the login, and the drain's retry and batch sizes."""

    host: str = ""
    port: int = field(default=587, metadata={"min": 1, "max": 65535})
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    from_address: str = "bob@localhost"
    timeout_seconds: float = field(default=30.0, metadata={"min": 0.1})
    max_attempts: int = field(default=8, metadata={"min": 1})
    backoff_seconds: float = field(default=30.0, metadata={"min": 0})
    batch_size: int = field(default=500, metadata={"min": 1})
    connections: int = field(default=4, metadata={"min": 1, "max": 100})
    lease_seconds: int = field(default=300, metadata={"min": 1})


@dataclass(frozen=True)
class MailConfig:
    """Where captured email goes and what a digest email may carry."""

    capture_dir: str = "var/mail"
    mailbox_hint: str = "Read it in Slack: type /bob mailbox. No Slack access yet? Ask your agency manager."
    include_pii_in_email: bool = False
    # A mailbox your staff reads, offered in each digest's List-Unsubscribe beside the web
    # link ("" for none).
    unsubscribe_address: str = ""


@dataclass(frozen=True)
class DeliverySettings:
    """What a run needs from ``[smtp]``, ``[mail]`` and ``[schedule]``, built once by the
    composition root (no defaults here: the config sections hold them)."""

    from_address: str
    mailbox_hint: str
    include_pii_in_email: bool
    lease: timedelta
    web_base_url: str  # ``[web] base_url``: each digest email links to its page there ("" for none)
    # ``[web] unsubscribe_secret`` and ``[mail] unsubscribe_address``: each digest email's
    # List-Unsubscribe (rules.unsubscribe); "" leaves out the web link, or the mailto.
    unsubscribe_secret: str = field(repr=False)
    unsubscribe_address: str
