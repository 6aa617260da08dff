"""The web mailbox in a real browser: Debian's chromium, driven by Playwright, against bob's
web server listening on a local port. A manager signs in through the link bob emailed (read
from the outbox, as their mail client would show it), opens the Daily Manager Summary of a
seeded agency, filters it by enroller, marks it read, downloads an export (the encrypted
workbook), and signs out. axe-core checks every kind of page, and screenshots of the mailbox
and a digest at desktop and phone widths are saved where the README says.

The pages carry the CSP they carry in production (no script), so nothing here needs any;
axe-core is injected by Playwright's evaluation, which a page's CSP does not govern.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import msoffcrypto
import pytest
from aiohttp.test_utils import TestServer

from exports.building import run_export
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from rules.casework.help_requests import create_request
from rules.unsubscribe import unsubscribe_keys, unsubscribe_token
from store.models import HelpCategory
from store.preferences import effective_preferences
from tests.browser import DESKTOP, PHONE, screenshot_path
from tests.web_fixtures import NOW, audit_log, newest_email
from web.app import web_application
from web.deps import WebDeps
from web.settings import WebConfig

MAX = "max.manager@agency.test"
ANA = "ana.agent@agency.test"
SECRET = "browser-test-unsubscribe-secret-0123456789"
# axe-core's impact levels; "serious" and "critical" fail the test, and so do the others:
# the pages are small enough to have none.
FAILING_IMPACTS = {"minor", "moderate", "serious", "critical"}


@pytest.fixture
def seeded(web_people, book, sessions, tmp_path):
    """The web fixtures' agency with CRW cases, a help request, and Max's agency export."""
    ana, lee, max_ = web_people.ids["ana"], web_people.ids["lee"], web_people.ids["max"]
    for days, risk, who, reason in (
        (2, 5, ana, "Premium increase"),
        (5, 5, ana, "Moved out of state"),
        (12, 4, ana, "Premium increase"),
        (33, 3, lee, "Loss of employer coverage"),
        (50, 2, lee, "Premium increase"),
        (70, 1, max_, "Switched to Medi-Cal at renewal"),
    ):
        book.crw_case(book.consumer(who), who, NOW - timedelta(days=days), risk=risk, reason=reason)
    book.crw_case(book.consumer(ana), ana, NOW - timedelta(days=20), closed=NOW - timedelta(days=5))
    create_request(sessions, ana, HelpCategory.PROFILE, "License renewal", "Shows expired.", NOW)
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    plan = plan_export(
        sessions, config, ExportRequest(max_, "agency", via="slack"), NOW - timedelta(minutes=5)
    )
    run_export(sessions, config, plan, NOW - timedelta(minutes=5))
    return web_people


@pytest.fixture
async def live_server(backend, sessions, web_clock, unused_tcp_port):
    """bob's web pages on 127.0.0.1 at a free port, links in emails pointing there."""
    if backend != "sqlite":
        pytest.skip("the browser walk runs once, on SQLite; the HTTP tests cover both databases")
    port = unused_tcp_port
    base_url = f"http://127.0.0.1:{port}"
    config = WebConfig(
        base_url=base_url, session_idle_minutes=30, session_lifetime_hours=12, unsubscribe_secret=SECRET
    )
    deps = WebDeps(sessions, config, from_address="bob@agency.test", clock=web_clock)
    server = TestServer(web_application(deps), host="127.0.0.1", port=port)
    await server.start_server()
    yield base_url
    await server.close()


@pytest.fixture
async def chromium_page(chromium):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = await browser.new_context(viewport=DESKTOP, accept_downloads=True)
        page = await context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []  # a CSP refusal (inline script or style) is logged here
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        yield page
        assert errors == []
        await context.close()
        await browser.close()


async def no_accessibility_violations(page, what: str) -> None:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]
    assert not found, f"axe-core on {what}:\n" + "\n".join(found)


async def screenshots(page, name: str) -> None:
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(screenshot_path(f"{name}-{width}")), full_page=True)
    await page.set_viewport_size(DESKTOP)


def link_in_email(sessions, address: str) -> str:
    """The sign-in link as the email's text part carries it."""
    return unescape(
        re.search(
            r"http://\S+/signin/link\?token=[A-Za-z0-9_-]+", newest_email(sessions, address).body_text
        ).group(0)
    )


async def test_a_manager_reads_filters_marks_downloads_and_signs_out(
    live_server, chromium_page, seeded, sessions
):
    page = chromium_page
    digest = seeded.digests["max:manager_summary"]
    digest_url = f"{live_server}/mailbox/{digest}"

    await page.goto(digest_url)
    assert page.url.startswith(f"{live_server}/signin?next=")
    await no_accessibility_violations(page, "the sign-in page")
    await page.keyboard.press("Tab")  # the first stop skips to the content, and shows it has focus
    focused = await page.evaluate(
        "() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Skip to content", "solid"]
    await page.get_by_label("Email address or license number on file").fill(MAX)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await page.get_by_role("heading", name="Check your email").wait_for()

    await page.goto(link_in_email(sessions, MAX))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(digest_url)
    assert await page.get_by_role("heading", level=1).inner_text() == "Daily Manager Summary - 11/23/2026"
    await no_accessibility_violations(page, "a manager digest")
    await screenshots(page, "digest")

    await page.get_by_role("link", name="The whole digest as plain text").click()
    await page.wait_for_url(f"{digest_url}/text")
    assert await page.get_by_role("heading", level=1).inner_text() == (
        "Daily Manager Summary - 11/23/2026 (plain text)"
    )
    assert await page.get_by_text("CASE-LEE-1").count() >= 1
    await no_accessibility_violations(page, "a digest as plain text")
    await screenshots(page, "digest-text")
    await page.get_by_role("link", name="Back to the digest").click()
    await page.wait_for_url(digest_url)

    await page.get_by_label("Enroller").select_option(label="Lee Level (0A22222)")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url(re.compile(r".*enroller=0A22222.*"))
    sections = await page.locator("main section h2").all_inner_texts()
    assert sections == ["Lee Level (License 0A22222): 2 alerts"]
    assert (
        await page.get_by_text("CASE-LEE-1").count() >= 1
        and await page.get_by_text("CASE-ANA-1").count() == 0
    )

    await page.get_by_role("button", name="Mark as read").click()
    await page.get_by_role("button", name="Mark as unread").wait_for()

    await page.goto(f"{live_server}/mailbox")
    row = page.locator("table.digests tbody tr", has_text="Daily Manager Summary")
    assert await row.locator("td").last.inner_text() == "Read"
    await no_accessibility_violations(page, "the mailbox list")
    await screenshots(page, "mailbox")

    await page.get_by_role("link", name="Exports").click()
    await page.get_by_role("heading", name="Your exports").wait_for()
    await no_accessibility_violations(page, "the exports page")
    await screenshots(page, "exports")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name=re.compile("Download BookOfBusiness_Agency")).click()
    download = await waiting.value
    saved = await download.path()
    assert download.suggested_filename.startswith(
        "BookOfBusiness_Agency-"
    ) and download.suggested_filename.endswith(".xlsx")
    with open(saved, "rb") as workbook:
        assert msoffcrypto.OfficeFile(io.BytesIO(workbook.read())).is_encrypted()
    assert [e.outcome for e in audit_log(sessions, "export.fetch")] == ["ok"]

    for link, heading in (("Help requests", "Help requests"), ("CRW", "Your Consumer Retention Workspace")):
        await page.get_by_role("link", name=link, exact=True).click()
        await page.get_by_role("heading", name=heading, level=1).wait_for()
        await no_accessibility_violations(page, f"the {link} page")
    await page.get_by_role("link", name="See your agency's cases and each enroller's activity").click()
    await page.get_by_role("heading", name="Your agency's Consumer Retention Workspace").wait_for()
    await no_accessibility_violations(page, "the agency's CRW page")
    await screenshots(page, "crw-agency")
    await page.get_by_role("link", name="CRW-", exact=False).first.click()
    await page.get_by_role("heading", name=re.compile("^CRW case CRW-"), level=1).wait_for()
    await no_accessibility_violations(page, "a CRW case")
    await page.get_by_role("link", name="Help requests", exact=True).click()
    await page.locator("main table a").first.click()
    await page.get_by_role("heading", name=re.compile("^Help request HR-"), level=1).wait_for()
    await no_accessibility_violations(page, "a help request")

    await page.get_by_role("button", name="Sign out", exact=True).click()
    await page.get_by_text("You are signed out.").wait_for()
    await page.goto(digest_url)
    assert page.url.startswith(f"{live_server}/signin?next=")
    assert await page.get_by_text("CASE-LEE-1").count() == 0


async def test_an_agent_changes_her_settings_and_unsubscribes_in_one_click(
    live_server, chromium_page, web_people, sessions
):
    """Settings from the mailbox's navigation, then the unsubscribe link of a digest email:
    its page only asks (a GET), its button unsubscribes, and it leads back to the settings."""
    page = chromium_page
    ana = web_people.ids["ana"]
    await page.goto(f"{live_server}/mailbox")
    await page.get_by_label("Email address or license number on file").fill(ANA)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await page.goto(link_in_email(sessions, ANA))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{live_server}/mailbox")

    await page.get_by_role("link", name="Settings", exact=True).click()
    await page.get_by_role("heading", name="Settings", level=1).wait_for()
    await no_accessibility_violations(page, "the settings page")
    await screenshots(page, "settings")
    await page.get_by_label("No Alerts digests by email").uncheck()
    await page.get_by_label("Send my email").select_option(label="7:30 AM")
    await page.get_by_role("button", name="Save settings").click()
    await page.get_by_text("Saved.").wait_for()
    assert not await page.get_by_label("No Alerts digests by email").is_checked()
    with sessions() as s:
        prefs = effective_preferences(s, ana)
    assert (prefs.email_no_alerts, prefs.deliver_at.isoformat()) == (False, "07:30:00")

    with sessions.begin() as s:
        token = unsubscribe_token(SECRET, unsubscribe_keys(s, [ana])[ana])
    await page.goto(f"{live_server}/unsubscribe/{token}")
    await page.get_by_role("heading", name="Stop the Daily Summary emails?").wait_for()
    await no_accessibility_violations(page, "the unsubscribe page")
    await screenshots(page, "unsubscribe")
    with sessions() as s:
        assert effective_preferences(s, ana).email_digest  # opening the link changed nothing
    await page.get_by_role("button", name="Stop the Daily Summary emails").click()
    await page.get_by_role("heading", name="You are unsubscribed").wait_for()
    await no_accessibility_violations(page, "the unsubscribed page")
    with sessions() as s:
        assert not effective_preferences(s, ana).email_digest
    await page.get_by_role("link", name="Turn the emails back on in your settings").click()
    await page.get_by_label("Daily Summary by email").check()
    await page.get_by_role("button", name="Save settings").click()
    await page.get_by_text("Saved.").wait_for()
    with sessions() as s:
        assert effective_preferences(s, ana).email_digest


async def signed_in_at(page, sessions, base_url: str, address: str, path: str) -> None:
    """Ask for a sign-in link as ``address`` from ``path``, follow it, and land there."""
    await page.goto(f"{base_url}{path}")
    await page.get_by_label("Email address or license number on file").fill(address)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await page.get_by_role("heading", name="Check your email").wait_for()
    await page.goto(link_in_email(sessions, address))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base_url}{path}")


async def test_an_agent_reads_her_follow_ups_and_a_manager_their_counts(
    live_server, chromium_page, follow_up_digests, sessions
):
    """The follow-ups on the digest page as a browser shows them, at both widths: the
    agent's queue soonest due first, the manager's counts per enroller."""
    page = chromium_page
    await signed_in_at(page, sessions, live_server, ANA, f"/mailbox/{follow_up_digests['ana']}")
    queue = page.get_by_role("region", name="Follow-ups by due date (3)")
    needs = await queue.locator("tbody td:nth-child(4)").all_inner_texts()
    assert needs == ["Proof of income", "Signed application", "Proof of move"]
    assert await queue.locator("tbody td:nth-child(1)").first.inner_text() == "11/20/2026\noverdue 3 days"
    await no_accessibility_violations(page, "an agent's digest with follow-ups")
    await screenshots(page, "digest-follow-ups")
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await page.get_by_text("You are signed out.").wait_for()

    await signed_in_at(page, sessions, live_server, MAX, f"/mailbox/{follow_up_digests['max']}")
    counts = page.get_by_role("region", name="Follow-ups")
    rows = [await row.locator("td").all_inner_texts() for row in await counts.locator("tbody tr").all()]
    assert rows == [["Ana Agent", "1", "1"], ["Bo Broker", "1", "1"]]
    await no_accessibility_violations(page, "a manager digest with follow-ups")
    await screenshots(page, "digest-manager-follow-ups")
