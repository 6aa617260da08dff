"""The follow-ups on a digest's web page: an enroller's queue by due date (as the digest's
text lists it), a manager's counts per enroller, nothing for an enroller without any, and
every imported value escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from rules.digest_text import follow_ups
from store.models import FollowUpKind, FollowUpStatus, MailboxMessage, Role
from tests.web_fixtures import YESTERDAY

DAY = date(2026, 11, 23)
RAISED = datetime(2026, 9, 1, 17, tzinfo=UTC)
ANA, BO, QUINN, MAX = (
    "ana.agent@agency.test",
    "bo.broker@agency.test",
    "quinn.quiet@agency.test",
    "max.manager@agency.test",
)
HOSTILE = '<script>alert("x")</script> | open | & more'


@pytest.fixture
def digests(book, sessions, delivery) -> dict[str, int]:
    """Sunrise: Ana with three follow-ups on the queue (one overdue, one submitted, one in
    20 days; one more beyond the 30 days looked ahead) and a NOD notice, Bo with two (one
    whose need came in with markup), Quinn with none, Max managing them all. Each one's
    digest of DAY by first name ("max" -> his Daily Manager Summary's message id)."""
    sunrise = book.agency("sunrise", "Sunrise Insurance")
    ana = book.enroller(sunrise, "Ana", "Agent", license_number="0A11111")
    bo = book.enroller(sunrise, "Bo", "Broker", license_number="0A22222")
    quinn = book.enroller(sunrise, "Quinn", "Quiet", license_number="0A33333")
    max_ = book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER, license_number="0M44444")
    alicia = book.consumer(
        ana, case_number="CASE-ANA-1", first_name="Alicia", last_name="Ramos",
        primary_phone="(916) 555-0101", email="alicia@consumer.test",
    )  # fmt: skip
    benito = book.consumer(
        ana, case_number="CASE-ANA-2", first_name="Benito", last_name="Soto",
        primary_phone="(916) 555-0200", email=None,
    )  # fmt: skip
    carla = book.consumer(
        bo, case_number="CASE-BO-1", first_name="Carla", last_name="Nunez",
        primary_phone="(916) 555-0300", email=None,
    )  # fmt: skip
    book.consumer(quinn, case_number="CASE-Q-1")
    book.notice(alicia, YESTERDAY)
    due = {n: DAY + timedelta(days=n) for n in (-3, 0, 5, 20, 45)}
    book.follow_up(alicia, due[20], RAISED, FollowUpKind.SVI, "Proof of move")
    book.follow_up(alicia, due[-3], RAISED, FollowUpKind.DMI, "Proof of income")
    book.follow_up(
        benito, due[5], RAISED, FollowUpKind.DOCUMENT, "Signed application", status=FollowUpStatus.SUBMITTED
    )
    book.follow_up(benito, due[45], RAISED, needed="Far away")
    book.follow_up(carla, due[0], RAISED, FollowUpKind.DMI, HOSTILE)
    book.follow_up(carla, due[-3], RAISED, FollowUpKind.SVI, "Lease")
    run_daily_summary(sessions, DAY, delivery)
    people = {"ana": ana, "bo": bo, "quinn": quinn, "max": max_}
    with sessions() as s:
        rows = s.execute(select(MailboxMessage.recipient_id, MailboxMessage.id)).all()
    return {who: mid for rid, mid in rows for who, pid in people.items() if pid == rid}


def body_text(sessions, message_id: int) -> str:
    with sessions() as s:
        return s.scalar(select(MailboxMessage.body_text).where(MailboxMessage.id == message_id))


def rows_of(html: str, section_id: str) -> list[list[str]]:
    """The body rows of the table in the section headed ``section_id``, cells as plain text."""
    part = html.split(f'<h2 id="{section_id}">', 1)[1].split("</section>", 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


async def test_an_enrollers_digest_page_lists_her_follow_ups_by_due_date(digests, browser, sessions):
    await browser.sign_in(ANA)
    html = await browser.page(f"/mailbox/{digests['ana']}")
    assert '<h2 id="follow-ups">Follow-ups by due date (3)</h2>' in html
    assert rows_of(html, "follow-ups") == [
        ["11/20/2026 overdue 3 days", "CASE-ANA-1", "DMI", "Proof of income", "open",
         "Alicia Ramos, (916) 555-0101, alicia@consumer.test"],
        ["11/28/2026 due in 5 days", "CASE-ANA-2", "Document", "Signed application", "submitted",
         "Benito Soto, (916) 555-0200"],
        ["12/13/2026 due in 20 days", "CASE-ANA-1", "SVI", "Proof of move", "open",
         "Alicia Ramos, (916) 555-0101, alicia@consumer.test"],
    ]  # fmt: skip
    assert "Far away" not in html  # beyond the 30 days the queue looks ahead, as in the text
    assert html.index("NOD Notice (1)</h3>") < html.index('id="follow-ups"')  # the text's order
    # The page shows what the digest's text says, line for line.
    text = body_text(sessions, digests["ana"])
    for row, item in zip(rows_of(html, "follow-ups"), follow_ups(text).queue, strict=True):
        assert f"Case {row[1]} | {row[2]}: {row[3]} | {row[4]} | {row[5]}" in item.line
    # Filtering the alerts leaves the queue whole: it is not an alert.
    filtered = await browser.page(f"/mailbox/{digests['ana']}?topic=binder_payment_pending")
    assert len(rows_of(filtered, "follow-ups")) == 3


async def test_imported_values_are_escaped_and_a_need_with_a_bar_stays_whole(digests, browser):
    await browser.sign_in(BO)
    response = await browser.get(f"/mailbox/{digests['bo']}")
    html = await response.text()
    assert response.status == 200
    assert "<script>" not in html and 'alert("x")' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | open | &amp; more" in html
    assert rows_of(html, "follow-ups") == [
        ["11/20/2026 overdue 3 days", "CASE-BO-1", "SVI", "Lease", "open", "Carla Nunez, (916) 555-0300"],
        ["11/23/2026 due today", "CASE-BO-1", "DMI", HOSTILE, "open", "Carla Nunez, (916) 555-0300"],
    ]
    assert "style=" not in html


async def test_an_enroller_without_follow_ups_gets_no_section(digests, browser, sessions):
    assert "Follow-ups" not in body_text(sessions, digests["quinn"])
    await browser.sign_in(QUINN)
    html = await browser.page(f"/mailbox/{digests['quinn']}")
    assert "No Alerts Daily Summary" in html
    assert 'id="follow-ups"' not in html and "Follow-ups" not in html


async def test_the_manager_page_counts_due_this_week_and_overdue_per_enroller(digests, browser, sessions):
    await browser.sign_in(MAX)
    html = await browser.page(f"/mailbox/{digests['max']}")
    assert "<p>Follow-ups: 2 overdue, 2 due within 7 days, 1 due later this month.</p>" in html
    assert rows_of(html, "follow-ups") == [["Ana Agent", "1", "1"], ["Bo Broker", "1", "1"]]
    assert "Quinn Quiet</td>" not in html  # an enroller without follow-ups is not counted
    assert "CASE-BO-1" not in html.split('id="follow-ups"', 1)[1].split("</section>", 1)[0]
    assert html.index('id="follow-ups"') < html.index('id="enroller-1"')  # before the sections
    assert "Ana Agent                        1 / 1" in body_text(sessions, digests["max"])
    # The counts stay whole whichever enroller the alerts are filtered to.
    bo = await browser.page(f"/mailbox/{digests['max']}?enroller=0A11111")
    assert rows_of(bo, "follow-ups") == [["Ana Agent", "1", "1"], ["Bo Broker", "1", "1"]]


def test_a_line_the_page_cannot_split_is_kept_whole():
    text = (
        "Daily Summary for X\n\nFollow-ups by due date (2)\n"
        "  - 11/20/2026 (overdue 3 days) | Case C-1 | DMI: Proof | open | Ana\n"
        "  - something else entirely\n\nConsumer Retention Workspace (0)\n"
    )
    part = follow_ups(text)
    assert [item.split for item in part.queue] == [True, False]
    assert part.queue[1].line == "- something else entirely" and not part.enrollers
    manager = follow_ups("Follow-ups: 1 overdue\nFollow-ups by enroller (x):\n  Ana 12   3 / 4\n  odd\n")
    assert [(e.name, e.due_this_week, e.overdue) for e in manager.enrollers] == [
        ("Ana 12", 3, 4),
        ("odd", None, None),
    ]
    assert manager.count_line == "Follow-ups: 1 overdue" and not follow_ups("No Alerts\n")
