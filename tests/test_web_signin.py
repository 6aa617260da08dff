"""Signing in to the web mailbox without a password: the emailed one-time link, its limits,
sessions that end, and sign out."""

from __future__ import annotations

from sqlalchemy import select

from rules.web_signin import token_hash
from store.models import SignInLink
from tests.web_fixtures import audit_log, newest_email, token_in


async def test_the_emailed_link_signs_in_and_lands_on_the_page_asked_for(cast, browser, sessions):
    digest = cast.digests["ana:daily_summary"]
    response = await browser.get(f"/mailbox/{digest}")
    assert response.status == 303
    assert response.headers["Location"] == f"/signin?next=/mailbox/{digest}"
    landed = await browser.sign_in("ana.agent@agency.test", next_path=f"/mailbox/{digest}")
    assert landed == f"/mailbox/{digest}"
    html = await browser.page(landed)
    assert "CASE-ANA-1" in html and "Alicia Ramos" in html
    email = newest_email(sessions, "ana.agent@agency.test")
    assert email.subject == "Your bob sign-in link"
    assert "http://bob.agency.test/signin/link?token=" in email.body_text
    with sessions() as s:  # only the hash of the token is kept
        stored = s.scalars(select(SignInLink.token_hash)).one()
    assert stored == token_hash(token_in(email)) and token_in(email) not in stored
    assert [e.outcome for e in audit_log(sessions, "web.signin")] == ["signed_in"]
