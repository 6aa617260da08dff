"""One-click unsubscribe links (RFC 8058) and the ``List-Unsubscribe`` header of digest emails.

A link's token is 16 random bytes, the person's key (``unsubscribe_keys``), followed by the
first 16 bytes of an HMAC-SHA256 of that key under ``[web] unsubscribe_secret`` (from the
environment), base64url: 43 characters. Why this shape rather than a random token stored hashed:

* The same link must go into every digest email a person gets, day after day, so bob must be
  able to write it again; a token stored only as a hash could not be. The key is kept, but a
  copy of the database alone forges no link (the HMAC needs the secret), and the secret alone
  forges none either (it needs a key).
* The key is random, not the enroller's id or address, so the token says nothing about whom
  it belongs to; a tampered token fails the HMAC before the store is asked.
* Deleting a person's key retires every link they were sent.

This lives in ``rules`` because the mailer writes the links and the web pages read them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Collection
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import insert_ignoring_duplicates
from store.models import UnsubscribeKey, utcnow

UNSUBSCRIBE_PATH = "/unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058's List-Unsubscribe-Post value and POST body
KEY_BYTES = 16
TAG_BYTES = 16
TOKEN_CHARS = 43  # base64url of 32 bytes, unpadded


def _tag(secret: str, key: bytes) -> bytes:
    return hmac.new(secret.encode(), b"bob unsubscribe v1:" + key, hashlib.sha256).digest()[:TAG_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unsubscribe_token(secret: str, key: str) -> str:
    """The token of the person whose key is ``key`` (as stored, base64url)."""
    raw = base64.urlsafe_b64decode(key + "==")
    return _b64(raw + _tag(secret, raw))


def key_of_token(secret: str, token: str) -> str | None:
    """The stored key a token carries, or None when it is not one bob minted under
    ``secret`` (wrong length or alphabet, or an HMAC that does not match)."""
    if not secret or len(token) != TOKEN_CHARS or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None
    key, tag = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if len(raw) != KEY_BYTES + TAG_BYTES or not hmac.compare_digest(tag, _tag(secret, key)):
        return None
    return _b64(key)


def enroller_of_token(session: Session, secret: str, token: str) -> int | None:
    """Whose link ``token`` is: an enroller id, or None for a token bob did not mint (or one
    whose key was retired)."""
    key = key_of_token(secret, token)
    if key is None:
        return None
    return session.scalar(select(UnsubscribeKey.enroller_id).where(UnsubscribeKey.key == key))


def unsubscribe_keys(session: Session, enroller_ids: Collection[int]) -> dict[int, str]:
    """Each enroller's key, giving one to those who have none yet (one INSERT for the lot;
    a key another process gave at the same moment wins, and is the one read back)."""
    if not enroller_ids:
        return {}
    now = utcnow()
    rows = [
        {"enroller_id": i, "key": _b64(secrets.token_bytes(KEY_BYTES)), "created_at": now}
        for i in enroller_ids
    ]
    session.execute(insert_ignoring_duplicates(session, UnsubscribeKey).on_conflict_do_nothing(), rows)
    found = session.execute(
        select(UnsubscribeKey.enroller_id, UnsubscribeKey.key).where(
            UnsubscribeKey.enroller_id.in_(enroller_ids)
        )
    )
    return {enroller_id: key for enroller_id, key in found}


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{UNSUBSCRIBE_PATH}/{token}"


def list_unsubscribe(base_url: str, token: str | None, address: str) -> str | None:
    """The ``List-Unsubscribe`` value (RFC 2369): the one-click https link when there is a web
    address and a token, then a mailto to ``address`` when one is configured; None when
    there is neither."""
    links = []
    if base_url and token:
        links.append(f"<{unsubscribe_url(base_url, token)}>")
    if address:
        links.append(f"<mailto:{quote(address, safe='@')}?subject=unsubscribe>")
    return ", ".join(links) or None
