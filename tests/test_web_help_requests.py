"""The help requests page: support staff see every request and where it stands, a filer sees
their own, and a request outside the reader's reach answers 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from rules.casework.help_requests import create_request, update_request
from store.models import Agency, HelpCategory, HelpStatus, Role
from tests.web_fixtures import NOW, audit_log

ANA, LEE, OMAR, SUE = (
    "ana.agent@agency.test",
    "lee.level@agency.test",
    "omar.owner@agency.test",
    "sue.support@agency.test",
)


@pytest.fixture
def filed(web_people, book, sessions):
    """Ana filed a request yesterday; Sue (support staff) took it up an hour ago."""
    sue = book.enroller(book.agency("bob-support", "Support Desk"), "Sue", "Support", role=Role.SUPPORT_STAFF)
    hr = create_request(
        sessions,
        web_people.ids["ana"],
        HelpCategory.PROFILE,
        "License <renewal>",
        "It shows expired.",
        NOW - timedelta(days=1),
    )
    update_request(
        sessions, sue, hr.number, HelpStatus.IN_PROGRESS, "Looking into it", NOW - timedelta(hours=1)
    )
    return hr.number


async def test_support_staff_see_every_request_and_its_status(browser, filed):
    await browser.sign_in(SUE)
    html = await browser.page("/help-requests")
    assert f'href="/help-requests/{filed}"' in html
    assert '<td data-label="Status">In progress</td>' in html and "<dt>In progress</dt><dd>1</dd>" in html
    assert "License &lt;renewal&gt;" in html and "<renewal>" not in html
    assert "11/23/2026 09:00 AM PST" in html  # the last change, in the agency's time
    detail = await browser.page(f"/help-requests/{filed}")
    assert "Looking into it" in detail and "It shows expired." in detail


async def test_the_filer_sees_theirs_and_others_get_404(browser, filed):
    await browser.sign_in(ANA)
    assert "In progress" in await browser.page(f"/help-requests/{filed}")
    for who in (LEE, OMAR):  # another agent of the agency; another agency's manager
        browser.forget()
        await browser.sign_in(who)
        assert filed not in await browser.page("/help-requests")
        assert (await browser.get(f"/help-requests/{filed}")).status == 404
    assert (await browser.get("/help-requests/%3Cscript%3E")).status == 404


async def test_times_are_shown_in_the_readers_agency_zone(browser, filed, web_people, sessions):
    with sessions.begin() as s:  # Sunrise moves to the East Coast
        s.execute(update(Agency).where(Agency.code == "sunrise").values(time_zone="America/New_York"))
    await browser.sign_in(ANA)
    html = await browser.page(f"/help-requests/{filed}")
    assert "11/23/2026 12:00 PM EST" in html  # Sue's change, an hour before 18:00 UTC
    assert "PST" not in html


async def test_reading_help_requests_on_the_web_is_on_record(browser, filed, web_people, sessions):
    await browser.sign_in(ANA)
    await browser.page("/help-requests?show=open")
    await browser.page(f"/help-requests/{filed}")
    reads = [
        (e.actor_id, e.action, e.target, e.outcome, e.detail)
        for action in ("help.list", "help.show")
        for e in audit_log(sessions, action)
    ]
    ana = web_people.ids["ana"]
    assert reads == [
        (ana, "help.list", "open", "ok", {"channel": "web"}),
        (ana, "help.show", filed, "ok", {"channel": "web"}),
    ]
