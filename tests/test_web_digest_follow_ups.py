"""The follow-ups on a digest's web page: an enroller's queue by due date (as the digest's
text lists it), a manager's counts per enroller, nothing for an enroller without any, and
every imported value escaped."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from rules.digest_text import follow_ups
from store.models import MailboxMessage
from tests.web_fixtures import HOSTILE_NEED

ANA, BO, QUINN, MAX = (
    "ana.agent@agency.test",
    "bo.broker@agency.test",
    "quinn.quiet@agency.test",
    "max.manager@agency.test",
)


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


async def test_an_enrollers_digest_page_lists_her_follow_ups_by_due_date(
    follow_up_digests, browser, sessions
):
    await browser.sign_in(ANA)
    html = await browser.page(f"/mailbox/{follow_up_digests['ana']}")
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
    text = body_text(sessions, follow_up_digests["ana"])
    for row, item in zip(rows_of(html, "follow-ups"), follow_ups(text).queue, strict=True):
        assert f"Case {row[1]} | {row[2]}: {row[3]} | {row[4]} | {row[5]}" in item.line
    # Filtering the alerts leaves the queue whole: it is not an alert.
    filtered = await browser.page(f"/mailbox/{follow_up_digests['ana']}?topic=binder_payment_pending")
    assert len(rows_of(filtered, "follow-ups")) == 3


async def test_imported_values_are_escaped_and_a_need_with_a_bar_stays_whole(follow_up_digests, browser):
    await browser.sign_in(BO)
    response = await browser.get(f"/mailbox/{follow_up_digests['bo']}")
    html = await response.text()
    assert response.status == 200
    assert "<script>" not in html and 'alert("x")' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | open | &amp; more" in html
    assert rows_of(html, "follow-ups") == [
        ["11/20/2026 overdue 3 days", "CASE-BO-1", "SVI", "Lease", "open", "Carla Nunez, (916) 555-0300"],
        ["11/23/2026 due today", "CASE-BO-1", "DMI", HOSTILE_NEED, "open", "Carla Nunez, (916) 555-0300"],
    ]
    assert "style=" not in html


async def test_an_enroller_without_follow_ups_gets_no_section(follow_up_digests, browser, sessions):
    assert "Follow-ups" not in body_text(sessions, follow_up_digests["quinn"])
    await browser.sign_in(QUINN)
    html = await browser.page(f"/mailbox/{follow_up_digests['quinn']}")
    assert "No Alerts Daily Summary" in html
    assert 'id="follow-ups"' not in html and "Follow-ups" not in html


async def test_the_manager_page_counts_due_this_week_and_overdue_per_enroller(
    follow_up_digests, browser, sessions
):
    await browser.sign_in(MAX)
    html = await browser.page(f"/mailbox/{follow_up_digests['max']}")
    assert "<p>Follow-ups: 2 overdue, 2 due within 7 days, 1 due later this month.</p>" in html
    assert rows_of(html, "follow-ups") == [["Ana Agent", "1", "1"], ["Bo Broker", "1", "1"]]
    assert "Quinn Quiet</td>" not in html  # an enroller without follow-ups is not counted
    assert "CASE-BO-1" not in html.split('id="follow-ups"', 1)[1].split("</section>", 1)[0]
    assert html.index('id="follow-ups"') < html.index('id="enroller-1"')  # before the sections
    assert "Ana Agent                        1 / 1" in body_text(sessions, follow_up_digests["max"])
    # The counts stay whole whichever enroller the alerts are filtered to.
    bo = await browser.page(f"/mailbox/{follow_up_digests['max']}?enroller=0A11111")
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
