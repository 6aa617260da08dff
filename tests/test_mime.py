"""The outgoing message bytes read back by the standard library's own parser."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailer.mime import message_bytes

SENT_AT = datetime(2026, 3, 8, 14, 30, tzinfo=UTC)


def build(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "from_address": "bob@agency.example.com",
        "to_address": "agent7@agency.example.com",
        "subject": "Daily Summary for 2026-03-08: 3 alerts",
        "date": SENT_AT,
        "message_id": "<daily_summary.7.2026-03-08@agency.example.com>",
        "body_text": "Good morning,\n\nYou have 3 alerts.\n",
        "body_html": "<p>Good morning,</p>\n<p>You have <b>3</b> alerts.</p>\n",
    }
    fields.update(overrides)
    return message_bytes(**fields)  # type: ignore[arg-type]


def parse(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def body(message: email.message.EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None and part.get_content_type() == f"text/{kind}"
    return part.get_content().replace("\r\n", "\n")


def test_headers_and_both_bodies_read_back() -> None:
    message = parse(build())
    assert message["From"] == "bob@agency.example.com"
    assert message["To"] == "agent7@agency.example.com"
    assert message["Subject"] == "Daily Summary for 2026-03-08: 3 alerts"
    assert message["Message-ID"] == "<daily_summary.7.2026-03-08@agency.example.com>"
    assert message["Date"].datetime == SENT_AT
    assert message.get_content_type() == "multipart/alternative"
    assert body(message, "plain") == "Good morning,\n\nYou have 3 alerts.\n"
    assert body(message, "html") == "<p>Good morning,</p>\n<p>You have <b>3</b> alerts.</p>\n"
    assert not message.defects


def test_without_html_the_message_is_plain_text() -> None:
    message = parse(build(body_html=None))
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == "Good morning,\n\nYou have 3 alerts.\n"


def test_every_line_is_short_7bit_and_ends_in_crlf() -> None:
    raw = build(subject="Résumé des alertes — " + "très longue " * 12, body_text="é" * 5000)
    assert raw.isascii()
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_a_non_ascii_subject_is_encoded_and_decodes_to_itself() -> None:
    subject = "Resumen diario: 2 alertas — acción requerida ñ"
    raw = build(subject=subject)
    assert subject.encode() not in raw
    assert parse(raw)["Subject"] == subject


def test_a_display_name_in_the_sender_is_encoded_and_reads_back() -> None:
    raw = build(from_address="Agência Solar <bob@agency.example.com>")
    assert raw.isascii()
    sender = parse(raw)["From"]
    assert sender.addresses[0].display_name == "Agência Solar"
    assert sender.addresses[0].addr_spec == "bob@agency.example.com"


def test_two_messages_have_different_boundaries() -> None:
    first, second = parse(build()), parse(build())
    assert first.get_boundary() != second.get_boundary()


@settings(max_examples=150, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200),
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=400),
    html=st.none() | st.text(st.characters(blacklist_categories=("Cs",)), max_size=400),
)
@example(subject=" ", text="", html=None)  # edge spaces: a plain header would lose them
def test_any_subject_and_bodies_survive_the_round_trip(subject: str, text: str, html: str | None) -> None:
    line_ends = {"\r\n": "\n", "\r": "\n"}
    message = parse(build(subject=subject, body_text=text, body_html=html))

    def canonical(value: str) -> str:
        for old, new in line_ends.items():
            value = value.replace(old, new)
        return value

    assert str(message["Subject"]) == subject
    assert canonical(body(message, "plain")) == canonical(text).replace("\r", "\n")
    if html is not None:
        assert canonical(body(message, "html")) == canonical(html)


@pytest.mark.parametrize("subject", ["", "x" * 300])
def test_empty_and_very_long_subjects_read_back(subject: str) -> None:
    assert str(parse(build(subject=subject))["Subject"] or "") == subject
