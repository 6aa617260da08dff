"""The ``[web]`` settings, owned by the web pages and read into them by app.config.

Each key's default, and a number's allowed range, lives here and nowhere else;
``config.example.toml`` documents them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

# The shortest ``unsubscribe_secret`` accepted: 32 characters of base64 are 192 bits.
MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class WebConfig:
    """Where the pages are reached from outside, and how long a browser stays signed in."""

    # The address people open (behind the TLS proxy), e.g. "https://bob.agency.example";
    # digest emails and sign-in links point there. Empty: bob's own listening address.
    base_url: str = ""
    # A session unused this long is ended; a session ends this long after sign-in regardless.
    session_idle_minutes: int = field(default=30, metadata={"min": 1, "max": 1440})
    session_lifetime_hours: int = field(default=12, metadata={"min": 1, "max": 720})
    # Behind a proxy every request comes from the proxy's address; name the header it puts the
    # client's address in (e.g. "X-Forwarded-For": its last entry is used), so sign-in limits
    # apply per client. Empty: the connection's address (the header could be forged).
    client_address_header: str = ""
    # The key of the HMAC in each one-click unsubscribe link (rules.unsubscribe): a secret, set
    # only from the environment (BOB_UNSUBSCRIBE_SECRET), at least 32 characters. Required
    # whenever ``base_url`` is set, since every digest email then carries such a link.
    unsubscribe_secret: str = field(default="", repr=False)

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=self.session_lifetime_hours)
