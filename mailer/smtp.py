"""The SMTP delivery channel: one reused aiosmtplib connection that sends one email at a time.

Every failure becomes a :class:`DeliveryError` that says whether retrying can help: 4xx
replies, timeouts and dropped connections can; 5xx replies cannot. Its text is the SMTP code
and the server's short reason with addresses removed, so it is safe to store and log.

A failure of the session rather than of one email is a :class:`SessionFault`: the server
cannot be reached, refuses the greeting, EHLO/HELO, the login or the sender, or will not relay.
Every email would meet it, so the drain stops and keeps them queued instead of spending (or
failing) each one on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from types import TracebackType

from aiosmtplib import (
    SMTP,
    SMTPAuthenticationError,
    SMTPConnectResponseError,
    SMTPException,
    SMTPHeloError,
    SMTPNotSupported,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
)

from mailer.mime import message_bytes
from mailer.settings import SmtpConfig
from store.errors import BobError
from store.models import utcnow

_ADDRESS = re.compile(r"<[^<>]*>|\S+@\S+")
# A recipient refused because bob may not relay through the server, which is bob's settings and
# not the address: Postfix "Relay access denied", sendmail "Relaying denied", Exim "relay not
# permitted", Exchange "Unable to relay". (Postfix's "User unknown in relay recipient table" is
# about the address.)
_RELAY_DENIED = re.compile(
    r"relay(ing)?( access)? (is )?(denied|not (allowed|permitted)|prohibited)|"
    r"(unable|not (allowed|permitted)) to relay",
    re.IGNORECASE,
)
_REASON_LENGTH = 160


class DeliveryError(BobError):
    """An email was not delivered; ``permanent`` says that trying again cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SessionFault(DeliveryError):
    """The server or bob's SMTP settings refuse every email, not this one: fix them, and the
    emails (kept queued) go with the next drain."""


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    list_unsubscribe: str | None = None  # a digest's List-Unsubscribe value


class SmtpChannel:
    """Sends emails over one SMTP connection, opened on entry and reopened after a drop.

    Use as ``async with SmtpChannel(config) as channel: await channel.send(email)``. Entering
    fails with one clear line when the server cannot be reached or refuses the login.
    """

    def __init__(
        self,
        smtp: SmtpConfig,
        *,
        tls_context: ssl.SSLContext | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._smtp = smtp
        self._now = now
        self._transport: asyncio.BaseTransport | None = None  # the open connection's
        # Parsed once: parseaddr costs 10 µs, 3 % of an email's whole send.
        self._from_ascii = parseaddr(smtp.from_address)[1].isascii()
        self._client = SMTP(
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username or None,
            password=smtp.password or None,
            use_tls=smtp.security == "tls",
            start_tls=smtp.security == "starttls",
            timeout=smtp.timeout_seconds,
            tls_context=tls_context,
        )

    async def __aenter__(self) -> SmtpChannel:
        try:
            await self._connect()
        except BaseException:
            await asyncio.sleep(0)  # no __aexit__ follows: let the dropped socket close now
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client.is_connected:
            with contextlib.suppress(SMTPException, OSError):
                await self._client.quit()
        self._drop()
        await asyncio.sleep(0)  # abort() closes the socket on the loop's next turn

    async def send(self, email: OutgoingEmail) -> None:
        """Deliver ``email`` to its one recipient or raise :class:`DeliveryError`."""
        message = self._message(email)
        if not self._client.is_connected:
            await self._connect()  # the last one dropped; failing here is retryable too
        try:
            refused, _ = await self._client.sendmail(
                self._smtp.from_address,
                [email.to_address],
                message,
                mail_options=await self._mail_options(email.to_address),
            )
        except SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            raise _recipient_error(first.code, first.message, self._where) from None
        except (SMTPHeloError, SMTPSenderRefused) as exc:
            self._drop()
            step = "EHLO/HELO" if isinstance(exc, SMTPHeloError) else "the sender smtp.from_address"
            raise SessionFault(
                f"the SMTP server at {self._where} refused {step} ({exc.code} {_short(exc.message)}); "
                "check the server's settings for bob and smtp.from_address"
            ) from None
        except SMTPResponseException as exc:
            if exc.code == 421 or exc.code < 0:
                self._drop()
            raise _reply_error(exc.code, exc.message) from None
        except TimeoutError:
            self._drop()
            raise DeliveryError(f"no reply within {self._smtp.timeout_seconds:g}s", permanent=False) from None
        except SMTPNotSupported:
            raise DeliveryError(
                "the server cannot take a non-ASCII address (no SMTPUTF8)", permanent=True
            ) from None
        except (SMTPException, OSError) as exc:
            # A dropped connection (SMTPServerDisconnected is a ConnectionError): the next
            # send opens a new one.
            self._drop()
            raise DeliveryError(f"connection lost: {type(exc).__name__}", permanent=False) from None
        except ValueError:
            raise DeliveryError("the recipient address is not valid", permanent=True) from None
        if refused:
            code, reply = next(iter(refused.values()))
            raise _recipient_error(code, reply, self._where)

    @property
    def _where(self) -> str:
        return f"{self._smtp.host}:{self._smtp.port}"

    def _message(self, email: OutgoingEmail) -> bytes:
        """The message as it goes on the wire, dated now; a line break in the address or
        subject (header injection) fails it for good."""
        if any(ch in email.to_address + email.subject + (email.list_unsubscribe or "") for ch in "\r\n"):
            raise DeliveryError("the address or subject contains a line break", permanent=True)
        return message_bytes(
            from_address=self._smtp.from_address,
            to_address=email.to_address,
            subject=email.subject,
            date=self._now(),
            message_id=email.message_id,
            body_text=email.body_text,
            body_html=email.body_html,
            list_unsubscribe=email.list_unsubscribe,
        )

    def _drop(self) -> None:
        """Close the connection at once. Over TLS, ``close()`` only sends close_notify and
        keeps the socket open until the server answers, which a stalled or vanished server
        never does; the server's own close_notify after QUIT, or aiosmtplib closing after a
        timeout, starts that wait too. A loop that ends first leaves the socket to the garbage
        collector, so the transport of the connection (kept since it was opened) is aborted."""
        transport = self._client.transport or self._transport
        self._transport = None
        self._client.close()
        if isinstance(transport, asyncio.Transport):
            transport.abort()

    async def _mail_options(self, to_address: str) -> list[str]:
        """SMTPUTF8 for a non-ASCII address, which the server must then support."""
        if self._from_ascii and to_address.isascii():
            return []
        if self._client.is_ehlo_or_helo_needed:
            await self._client.ehlo()
        if not self._client.supports_extension("smtputf8"):
            raise SMTPNotSupported("no SMTPUTF8")
        return ["SMTPUTF8"]

    async def _connect(self) -> None:
        """Connect, STARTTLS and log in; a failure names host:port and the setting to check.

        Such a failure is a :class:`SessionFault`: the email is fine, the server or settings are not.
        """
        try:
            await self._client.connect()
        except (OSError, SMTPException) as exc:
            self._drop()
            raise SessionFault(self._connect_fault(exc)) from None
        self._transport = self._client.transport

    def _connect_fault(self, exc: OSError | SMTPException) -> str:
        """What went wrong while connecting, and the setting to check (no addresses)."""
        where = self._where
        if isinstance(exc, SMTPAuthenticationError):
            return (
                f"the SMTP server at {where} refused the login ({exc.code} "
                f"{_short(exc.message)}); check smtp.username and BOB_SMTP_PASSWORD"
            )
        if isinstance(exc, ssl.SSLError):
            return (
                f"TLS with the SMTP server at {where} failed ({exc.reason or exc}); check "
                "smtp.security (starttls on port 587, tls on port 465) and the server certificate"
            )
        if isinstance(exc, TimeoutError):
            return (
                f"the SMTP server at {where} did not answer within "
                f"{self._smtp.timeout_seconds:g}s; check smtp.host and smtp.port"
            )
        if isinstance(exc, SMTPConnectResponseError | SMTPHeloError):  # reached, but turned away
            step = "the session" if isinstance(exc, SMTPConnectResponseError) else "EHLO/HELO"
            return (
                f"the SMTP server at {where} refused {step} ({exc.code} {_short(exc.message)}); "
                "check smtp.host and smtp.port, and the server's settings for bob"
            )
        if isinstance(exc, OSError):
            reason = _short(str(exc)) or type(exc).__name__
            return (
                f"cannot reach the SMTP server at {where} ({reason}); check smtp.host and "
                "smtp.port, and that the server is running"
            )
        return (
            f"the SMTP server at {where} would not start a session ({_short(str(exc))}); "
            "check smtp.security, smtp.username and BOB_SMTP_PASSWORD"
        )


def _short(reply: str) -> str:
    """The server's reason without addresses (they are PII), on one short line."""
    first_line = reply.strip().splitlines()[0] if reply.strip() else ""
    return _ADDRESS.sub("<address>", first_line)[:_REASON_LENGTH]


def _reply_error(code: int, reply: str) -> DeliveryError:
    return DeliveryError(f"{code} {_short(reply)}".strip(), permanent=500 <= code < 600)


def _recipient_error(code: int, reply: str, where: str) -> DeliveryError:
    """A refused recipient fails that email, unless the server will not relay for bob at all."""
    if 500 <= code < 600 and _RELAY_DENIED.search(reply):
        return SessionFault(
            f"the SMTP server at {where} will not relay bob's mail ({code} {_short(reply)}); "
            "check smtp.host, smtp.username and the server's relay settings for bob"
        )
    return _reply_error(code, reply)
