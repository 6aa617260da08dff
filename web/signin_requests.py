"""Asking for a sign-in link by email, and spending one: the rules behind the sign-in pages.

Limits, each claimed atomically (``store.rate_limits``): five links an hour per license
number or email asked for, twenty per client address (an office may share one); both answer
alike whether or not the address is on file. A third limit per enroller is reached only for
one on file, so it is silent (no email, the usual reply). Every request and every sign-in,
refused or not, is an audit entry with a reason code and no PII.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from rules.access import Action, Attempt, may
from rules.people import email_key, find_enroller
from rules.templating import build_email
from rules.web_signin import LINK_LIFETIME, mint_signin_link, signin_url, use_signin_link, why_unusable
from store.db import transaction
from store.models import Enroller
from store.outbox import queue_emails
from store.rate_limits import claim_use
from web.deps import WebDeps
from web.sessions import end_session, start_session

LINKS_PER_ADDRESS = 5
LINKS_PER_CLIENT = 20
HOUR = timedelta(hours=1)


KEY_PREFIX = "web-signin-"


def _key(kind: str, value: str) -> str:
    """A rate-limit key that does not hold the address or IP asked about in clear."""
    return f"{KEY_PREFIX}{kind}:{hashlib.sha256(f'bob web {kind} {value}'.encode()).hexdigest()}"


def request_signin_link(deps: WebDeps, asked: str, client: str, next_path: str) -> bool:
    """Email a sign-in link to the enroller on file with this license number or email; False
    when the asker or the address asked for is over its hourly limit."""
    now = deps.clock()
    with transaction(deps.sessions) as session:
        attempt = Attempt("web.signin_requested", None, now)
        if not (
            claim_use(session, _key("client", client), LINKS_PER_CLIENT, HOUR, now)
            and claim_use(session, _key("asked", email_key(asked)), LINKS_PER_ADDRESS, HOUR, now)
        ):
            attempt.record(session, "rate_limited")
            return False
        enroller = find_enroller(session, asked, active_only=True)
        if enroller is None or not may(enroller, Action.SIGN_IN_ON_THE_WEB):
            attempt.record(session, "unknown")
            return True
        attempt.actor = enroller
        if not claim_use(session, _key("enroller", str(enroller.id)), LINKS_PER_ADDRESS, HOUR, now):
            attempt.record(session, "rate_limited")
            return True
        _email_link(session, deps, enroller, next_path)
        attempt.record(session, "link_sent")
        return True


def _email_link(session: Session, deps: WebDeps, enroller: Enroller, next_path: str) -> None:
    minted = mint_signin_link(session, enroller.id, deps.clock(), next_path)
    email = build_email(
        "web_signin",
        {"url": signin_url(deps.base_url, minted.token), "minutes": LINK_LIFETIME // timedelta(minutes=1)},
        message_key=f"web-signin-{minted.link_id}",
        to_address=enroller.email,
        recipient_id=enroller.id,
    )
    queue_emails(session, [email], deps.from_address)


@dataclass(frozen=True)
class SignInResult:
    """A session token and where to go, or the reason the link did not sign anyone in."""

    session_token: str | None = None
    next_path: str = "/mailbox"
    refusal: str | None = None


def sign_in_with_link(deps: WebDeps, token: str, replacing: int | None = None) -> SignInResult:
    """Spend the link and start a session (ending the browser's session ``replacing``, if it
    had one); a used, expired, unknown link or an inactive enroller signs nobody in. Either
    way the attempt is audited."""
    now = deps.clock()
    with transaction(deps.sessions) as session:
        attempt = Attempt("web.signin", None, now)
        used = use_signin_link(session, token, now)
        if used is None:
            reason = why_unusable(session, token)
            attempt.record(session, "refused", {"reason": reason})
            return SignInResult(refusal=reason)
        enroller = session.get_one(Enroller, used.enroller_id)
        attempt.actor = enroller
        if not enroller.active or not may(enroller, Action.SIGN_IN_ON_THE_WEB):
            attempt.record(session, "refused", {"reason": "inactive"})
            return SignInResult(refusal="inactive")
        if replacing is not None:
            end_session(session, replacing)
        session_token = start_session(session, enroller.id, now)
        attempt.record(session, "signed_in")
        return SignInResult(session_token, used.next_path)
