"""An outgoing email as the bytes sent over SMTP: multipart/alternative, base64 bodies.

``email.mime`` and ``email.generator`` took about 1.4 ms a message here, 60 % of an outbox
drain's CPU: every header goes through ``email.header.Header`` folding, and picking a
boundary compiles a new regular expression for each message. bob's emails have one fixed
shape (a plain-text body, usually an HTML twin, a handful of headers), so they are written
directly, with the standard library doing the parts that need care: RFC 2047 encoding of a
non-ASCII or long subject (``Header``, as encoded words), the date (``format_datetime``) and base64 in
76-character lines. Every line ends in CRLF; the body is 7-bit clean. The boundary holds
``_``, which base64 never does, so it cannot occur inside a part.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

CRLF = b"\r\n"
MAX_HEADER_LINE = 78  # RFC 5322's "SHOULD"; longer headers are folded by Header


def message_bytes(
    *,
    from_address: str,
    to_address: str,
    subject: str,
    date: datetime,
    message_id: str,
    body_text: str,
    body_html: str | None,
    list_unsubscribe: str | None = None,
) -> bytes:
    """The whole message; addresses, subject and ``list_unsubscribe`` must be free of line
    breaks (the caller refuses those, as a header injection)."""
    headers = [
        _address("From", from_address),
        _address("To", to_address),
        _subject(subject),
        _header("Date", format_datetime(date)),
        _header("Message-ID", message_id),
        *_unsubscribe(list_unsubscribe),
        b"MIME-Version: 1.0",
    ]
    text_part = _part("text/plain", body_text)
    if body_html is None:
        return CRLF.join([*headers, *text_part, b""])
    boundary = f"=_bob_{secrets.token_hex(12)}".encode("ascii")
    headers.append(b'Content-Type: multipart/alternative; boundary="' + boundary + b'"')
    return CRLF.join(
        [
            *headers,
            b"",
            b"--" + boundary,
            *text_part,
            b"--" + boundary,
            *_part("text/html", body_html),
            b"--" + boundary + b"--",
            b"",
        ]
    )


def _header(name: str, value: str) -> bytes:
    return f"{name}: {value}".encode("ascii")


def _unsubscribe(links: str | None) -> list[bytes]:
    """``List-Unsubscribe`` (RFC 2369), one link per line, folded after each comma; and, when
    it holds an http(s) link, ``List-Unsubscribe-Post`` (RFC 8058), which tells mail clients
    they may unsubscribe with one POST, without opening a page."""
    if not links:
        return []
    folded = links.replace(">, <", ">,\r\n <")
    lines = [_header("List-Unsubscribe", folded)]
    if "<http" in links:
        lines.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    return lines


def _address(name: str, value: str) -> bytes:
    """``Name <address>`` or a bare address. A non-ASCII display name is an encoded word; a
    non-ASCII address itself travels as UTF-8 (SMTPUTF8, RFC 6532)."""
    return f"{name}: {formataddr(parseaddr(value), charset='utf-8')}".encode()


def _subject(subject: str) -> bytes:
    line = f"Subject: {subject}"
    if subject.isascii() and len(line) <= MAX_HEADER_LINE and subject == subject.strip():
        return line.encode("ascii")
    # As encoded words, which decode to exactly the subject given (edge spaces too, which a
    # reader strips from a plain header), in lines of 76 or less.
    folded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    return f"Subject: {folded}".encode("ascii")


def _part(content_type: str, body: str) -> list[bytes]:
    """A text part's headers, blank line and body: CRLF line ends (the canonical form of
    text, RFC 2045), then base64, which keeps every line short and 7-bit."""
    canonical = body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    encoded = base64.encodebytes(canonical).replace(b"\n", CRLF)
    return [
        f'Content-Type: {content_type}; charset="utf-8"'.encode("ascii"),
        b"Content-Transfer-Encoding: base64",
        b"",
        encoded.removesuffix(CRLF),
    ]
