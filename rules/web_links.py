"""Addresses of the web mailbox's pages that others link to: a digest email links to its
digest by business date and kind (the email is rendered before the digest has an id), and
the page finds the signed-in reader's own digest of that date."""

from __future__ import annotations

from datetime import date

from store.models import DigestKind

DIGEST_SLUGS = {"daily-summary": DigestKind.DAILY_SUMMARY, "manager-summary": DigestKind.MANAGER_SUMMARY}


def digest_path(day: date, kind: DigestKind) -> str:
    """``/mailbox/2026-11-23/daily-summary``: no PII, and only its recipient can open it."""
    slug = next(slug for slug, known in DIGEST_SLUGS.items() if known is kind)
    return f"/mailbox/{day.isoformat()}/{slug}"


def digest_url(base_url: str, day: date, kind: DigestKind) -> str:
    """The digest's page under ``base_url``, or "" when no web address is configured."""
    return f"{base_url.rstrip('/')}{digest_path(day, kind)}" if base_url else ""
