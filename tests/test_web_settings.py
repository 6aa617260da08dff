"""The web mailbox's settings page: the signed-in person sees the preferences in effect and
changes them through store.preferences (audited, as every door is); a mistyped or forged
field is a clear page, never a 500; the one-click unsubscribe page sends people here to
turn their emails back on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from rules.unsubscribe import unsubscribe_keys, unsubscribe_token
from store.models import Enroller
from store.preferences import effective_preferences
from tests.web_fixtures import audit_log
from web.settings import WebConfig

SECRET = "test-unsubscribe-secret-0123456789abcdef"
ANA = "ana.agent@agency.test"
UNTOUCHED = {"email_digest": "on", "email_no_alerts": "on", "deliver_at": "default"}


@pytest.fixture
def web_config() -> WebConfig:
    return WebConfig(base_url="http://bob.agency.test", unsubscribe_secret=SECRET)


def prefs_of(sessions, enroller_id: int):
    with sessions() as s:
        return effective_preferences(s, enroller_id)


def checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" id="{name}"[^>]*>', html)
    assert tag, f"no {name} checkbox"
    return " checked" in tag.group(0)


async def save(browser, form: dict[str, str]):
    return await browser.post("/settings", form, token_from="/settings")


async def test_signed_out_the_page_asks_to_sign_in_and_comes_back(web_people, browser):
    response = await browser.get("/settings")
    assert response.status == 303 and response.headers["Location"] == "/signin?next=/settings"
    assert await browser.sign_in(ANA, "/settings") == "/settings"


async def test_it_shows_the_preferences_in_effect_and_what_follows_the_agency(web_people, browser):
    await browser.sign_in(ANA)
    html = await browser.page("/settings")
    assert checked(html, "email_digest") and checked(html, "email_no_alerts")
    assert "(your agency's default)" in html
    assert 'id="slack_digest"' not in html and "Slack is not linked" in html  # Ana never linked Slack
    assert '<option value="default" selected>As my agency sets it</option>' in html
    assert (
        '<option value="06:00">6:00 AM</option>' in html and '<option value="18:00">6:00 PM</option>' in html
    )
    assert "Follow-up Due Soon" in html and "Delegation Removed" in html  # bob's own, quietable
    assert "Binder Payment Pending" not in html  # a CalHEERS topic always reaches them
    assert '<a href="/settings">Settings</a>' in html  # in the mailbox's navigation


async def test_saving_changes_them_for_that_person_with_an_audit_entry(web_people, browser, sessions):
    await browser.sign_in(ANA)
    response = await save(browser, {"email_no_alerts": "on", "deliver_at": "07:30"})
    assert response.status == 303 and response.headers["Location"] == "/settings?saved=1"
    prefs = prefs_of(sessions, web_people.ids["ana"])
    assert (prefs.email_digest, prefs.email_no_alerts, prefs.deliver_at.isoformat()) == (
        False,
        True,
        "07:30:00",
    )
    assert prefs.chosen == {"email_digest", "deliver_at"}
    html = await browser.page("/settings?saved=1")
    assert "Saved." in html and not checked(html, "email_digest")
    assert '<option value="07:30" selected>7:30 AM</option>' in html
    [entry] = audit_log(sessions, "prefs.set")
    assert entry.actor_id == web_people.ids["ana"] and entry.detail["channel"] == "web"
    assert entry.detail["changes"] == {"email_digest": False, "deliver_at": "07:30"}
    assert prefs_of(sessions, web_people.ids["lee"]).email_digest  # nobody else's


async def test_an_untouched_form_changes_nothing_and_keeps_following_the_agency(
    web_people, browser, sessions
):
    await browser.sign_in(ANA)
    response = await save(browser, UNTOUCHED)
    assert response.headers["Location"] == "/settings?saved=0"
    assert prefs_of(sessions, web_people.ids["ana"]).chosen == frozenset()
    assert audit_log(sessions, "prefs.set") == []
    assert "Nothing changed." in await browser.page("/settings?saved=0")


async def test_back_to_the_agencys_time(web_people, browser, sessions):
    await browser.sign_in(ANA)
    await save(browser, {**UNTOUCHED, "deliver_at": "08:00"})
    await save(browser, UNTOUCHED)
    prefs = prefs_of(sessions, web_people.ids["ana"])
    assert prefs.deliver_at is None and "deliver_at" not in prefs.chosen


@pytest.mark.parametrize(
    "deliver_at, problem",
    [
        ("25:99", "Delivery time must be a time written HH:MM"),
        ("05:00", "Delivery time 05:00 is outside your agency&#39;s window 06:00-18:00."),
        ("x" * 5000, "Choose a delivery time from the list."),
        (None, "Choose a delivery time from the list."),
    ],
)
async def test_bad_input_is_a_clear_page_and_changes_nothing(
    web_people, browser, sessions, deliver_at, problem
):
    await browser.sign_in(ANA)
    form = {"email_no_alerts": "on"} | ({"deliver_at": deliver_at} if deliver_at is not None else {})
    response = await save(browser, form)
    html = await response.text()
    assert response.status == 400 and problem in html
    assert '<form method="post" action="/settings"' in html  # the form again, to correct
    assert prefs_of(sessions, web_people.ids["ana"]).email_digest


async def test_a_post_without_the_forms_token_is_refused(web_people, browser, sessions):
    await browser.sign_in(ANA)
    response = await browser.client.post("/settings", data={"deliver_at": "08:00"}, allow_redirects=False)
    assert response.status == 403
    assert prefs_of(sessions, web_people.ids["ana"]).deliver_at is None


async def test_a_linked_person_gets_the_slack_switches(web_people, browser, sessions):
    with sessions.begin() as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["ana"]).values(slack_user_id="U0ANA"))
    await browser.sign_in(ANA)
    html = await browser.page("/settings")
    assert (
        checked(html, "slack_digest")
        and checked(html, "slack_no_alerts")
        and "Slack is not linked" not in html
    )
    await save(browser, {**UNTOUCHED, "slack_digest": "on"})  # No Alerts on Slack unticked
    prefs = prefs_of(sessions, web_people.ids["ana"])
    assert (prefs.slack_digest, prefs.slack_no_alerts, prefs.email_digest) == (True, False, True)


async def test_an_unlinked_persons_form_leaves_the_slack_settings_alone(web_people, browser, sessions):
    await browser.sign_in(ANA)
    await save(browser, UNTOUCHED)
    assert prefs_of(sessions, web_people.ids["ana"]).slack_digest


async def test_quiet_topics_are_offered_and_saved(web_people, browser, sessions):
    topic = "pending_delegation"  # one of bob's own topics, which people may quiet
    await browser.sign_in(ANA)
    html = await browser.page("/settings")
    assert f'id="quiet_{topic}"' in html and 'id="quiet_nod_notice"' not in html
    await save(browser, {**UNTOUCHED, f"quiet_{topic}": "on", "quiet_nod_notice": "on"})
    assert prefs_of(sessions, web_people.ids["ana"]).quiet_topics == {topic}
    assert checked(await browser.page("/settings"), f"quiet_{topic}")
    await save(browser, UNTOUCHED)
    assert prefs_of(sessions, web_people.ids["ana"]).quiet_topics == frozenset()


async def test_after_one_click_unsubscribe_sign_in_turns_the_emails_back_on(web_people, browser, sessions):
    with sessions.begin() as s:
        key = unsubscribe_keys(s, [web_people.ids["ana"]])[web_people.ids["ana"]]
    url = f"/unsubscribe/{unsubscribe_token(SECRET, key)}"
    html = await (await browser.client.post(url, data={"List-Unsubscribe": "One-Click"})).text()
    assert not prefs_of(sessions, web_people.ids["ana"]).email_digest
    back = re.search(r'href="([^"]+)">Sign in to turn the emails back on', html).group(1)
    assert back == "/signin?next=%2Fsettings"
    assert await browser.sign_in(ANA, "/settings") == "/settings"
    assert not checked(await browser.page("/settings"), "email_digest")
    await save(browser, {**UNTOUCHED, "email_digest": "on"})
    assert prefs_of(sessions, web_people.ids["ana"]).email_digest
    html = await (await browser.client.get(url)).text()
    assert "Turn the emails back on in your settings" not in html  # a GET only offers the button


async def test_a_time_chosen_off_the_half_hour_elsewhere_is_shown_and_kept(web_people, browser, sessions):
    """`bob prefs set --deliver-at 07:15` (or the enrollers import) may choose any minute of the
    window: the page offers that time, selected, so saving another setting keeps it rather than
    falling back to the browser's first option, the agency's default."""
    from datetime import UTC, datetime, time

    from rules.access import Via
    from rules.preferences import Changes
    from store.preferences import change_preferences

    ana = web_people.ids["ana"]
    at = datetime(2026, 11, 20, 17, tzinfo=UTC)
    change_preferences(sessions, ana, ana, Changes(deliver_at=time(7, 15)), Via("cli"), at)
    await browser.sign_in(ANA)
    html = await browser.page("/settings")
    assert '<option value="07:15" selected>7:15 AM</option>' in html
    await save(browser, {**UNTOUCHED, "deliver_at": "07:15", "email_no_alerts": ""})
    prefs = prefs_of(sessions, ana)
    assert prefs.deliver_at == time(7, 15) and not prefs.email_no_alerts
