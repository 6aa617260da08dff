"""One-click unsubscribe (RFC 8058): the rules behind the ``/unsubscribe/<token>`` page.

The token (``rules.unsubscribe``) stands for its recipient, so turning their email digests
off needs no sign-in; turning them back on does (the settings page). Every try, refused or
not, is an audit entry with a reason code and no PII. Tries of links bob did not
send are limited per client address, as sign-in links are (the limit's key is hashed and
swept with theirs). A link bob sent is never limited: it cannot be guessed (128 bits of HMAC
stand behind each), and mail providers open every link of an email and post their users'
one-click unsubscribes from a few shared addresses, so counting those would refuse real ones.
"""

from __future__ import annotations

import enum
import hashlib

from rules.access import Attempt, Via
from rules.unsubscribe import enroller_of_token
from store.db import transaction
from store.preferences import effective_preferences, turn_email_digests_off
from store.rate_limits import claim_use
from web.deps import WebDeps
from web.signin_requests import HOUR, KEY_PREFIX

TRIES_PER_CLIENT = 60  # an office behind one address may hold many emails
ACTION = "prefs.unsubscribe"


class Outcome(enum.Enum):
    """What a link did, as its page says it."""

    VALID = "valid"  # a link bob sent (a GET: nothing changed)
    UNSUBSCRIBED = "unsubscribed"  # email digests were on and now are off
    ALREADY_OFF = "already_off"
    UNKNOWN = "unknown"  # not a link bob sent, tampered with, or retired
    RATE_LIMITED = "rate_limited"


def _limit_key(client: str) -> str:
    return f"{KEY_PREFIX}unsubscribe:{hashlib.sha256(f'bob web unsubscribe {client}'.encode()).hexdigest()}"


def check_link(deps: WebDeps, token: str, client: str) -> Outcome:
    """Whether ``token`` is a link bob sent; changes nothing (link scanners open every link)."""
    now = deps.clock()
    with transaction(deps.sessions) as session:
        if enroller_of_token(session, deps.web.unsubscribe_secret, token) is not None:
            return Outcome.VALID
        if not claim_use(session, _limit_key(client), TRIES_PER_CLIENT, HOUR, now):
            return Outcome.RATE_LIMITED
        return Outcome.UNKNOWN


def unsubscribe(deps: WebDeps, token: str, client: str) -> Outcome:
    """Turn off the email digests of the person ``token`` stands for; doing it again changes
    nothing more. A token bob did not mint changes nothing."""
    now = deps.clock()
    with transaction(deps.sessions) as session:
        attempt = Attempt(ACTION, None, now, detail={"channel": "web"})
        enroller_id = enroller_of_token(session, deps.web.unsubscribe_secret, token)
        if enroller_id is None:
            if not claim_use(session, _limit_key(client), TRIES_PER_CLIENT, HOUR, now):
                attempt.record(session, "rate_limited", attempt.detail)
                return Outcome.RATE_LIMITED
            attempt.record(session, "refused", {"reason": "unknown_link", **attempt.detail})
            return Outcome.UNKNOWN
        was_on = effective_preferences(session, enroller_id).email_digest
        turn_email_digests_off(session, enroller_id, Via("web"), now)
        return Outcome.UNSUBSCRIBED if was_on else Outcome.ALREADY_OFF
