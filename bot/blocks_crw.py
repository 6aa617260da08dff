"""Consumer Retention Workspace replies and the close-case form, in Block Kit.

Every reply here is sent ephemerally (only the person who asked sees it). The fallback
``text`` of a reply never carries consumer PII; only the case view of the assigned enroller
shows the consumer's contact details, in its blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.block_kit import (
    Block,
    Reply,
    context,
    cut,
    divider,
    fields,
    header,
    lines_sections,
    local_time,
    modal,
    option,
    plain,
    section,
)
from bot.replies import status_words
from bot.slack_text import code, inert
from rules.casework.crw_cases import RESOLUTION_REASONS
from rules.casework.crw_rows import CrwCaseDetail, CrwCaseRow, EnrollerActivity
from rules.crw import RISK_LABELS, CrwTiles

CLOSE_CALLBACK = "crw_close"
OPEN_CASE = "crw_case_open"  # the Home tab's menu and the list's Show buttons
CLOSE_CASE = "crw_case_close"  # the list's and the case view's buttons
ADD_NOTE = "crw_case_note"
TRANSFER = "crw_case_transfer"
PREVIOUS_PAGE, NEXT_PAGE = "crw_list_previous", "crw_list_next"
PAGE_CASES = 20  # header, 2 blocks per case, context and Previous/Next: 43 of Slack's 50
MENU_OPTIONS = 100  # Slack's limit for a static select
REASON_BLOCK = "resolution_reason"
STEPS_BLOCK = "resolution_steps"
STEPS_CHARS = 3000
SHOWN_NOTES = 10
SHOWN_ENROLLERS = 100


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def tile_blocks(tiles: CrwTiles) -> list[Block]:
    """The portal's tiles: open cases, open by priority, aging, all cases by reason, and the
    average resolution time."""
    if tiles.average_resolution_days is None:
        average = "no closed cases yet"
    else:
        average = f"{tiles.average_resolution_days:.1f} days over {tiles.closed_cases:,} closed"
    by_reason = sorted(tiles.by_reason.items(), key=lambda item: (-item[1], item[0]))
    reasons = "\n".join(f"• {inert(reason)}: {n:,}" for reason, n in by_reason) or "No cases yet."
    return [
        fields([("Open cases", f"{tiles.open_cases:,}"), ("Average resolution time", average)]),
        section("*Open cases by priority*"),
        fields(
            (f"{risk} {RISK_LABELS[risk]}", f"{tiles.open_by_risk.get(risk, 0):,}")
            for risk in sorted(RISK_LABELS)
        ),
        section("*Aging of open cases*"),
        fields((bucket, f"{n:,}") for bucket, n in tiles.aging.items()),
        section(f"*All cases by reason*\n{reasons}"),
    ]


def tiles_reply(tiles: CrwTiles, now: datetime, zone: ZoneInfo) -> Reply:
    return Reply(
        text=f"Your CRW: {tiles.open_cases:,} open cases.",
        blocks=[
            header("Your Consumer Retention Workspace"),
            *tile_blocks(tiles),
            context(f"As of {local_time(now, zone)} · `/bob crw list` shows your cases, riskiest first"),
        ],
    )


def agency_reply(tiles: CrwTiles, activity: list[EnrollerActivity], now: datetime, zone: ZoneInfo) -> Reply:
    lines = [_activity_line(line) for line in activity[:SHOWN_ENROLLERS]]
    if len(activity) > SHOWN_ENROLLERS:
        lines.append(
            f"… and {len(activity) - SHOWN_ENROLLERS:,} more enrollers; "
            "`bob crw report` on the command line has everyone."
        )
    return Reply(
        text=f"Agency CRW: {tiles.open_cases:,} open cases across {len(activity):,} enrollers.",
        blocks=[
            header("Agency Consumer Retention Workspace"),
            *tile_blocks(tiles),
            divider(),
            section("*Enroller activity* (most open cases first)"),
            *(lines_sections(lines) if lines else [section("No enrollers with CRW cases.")]),
            context(f"As of {local_time(now, zone)} · `/bob crw list --agency` lists every case"),
        ],
    )


def _activity_line(line: EnrollerActivity) -> str:
    average = (
        "no cases closed"
        if line.average_resolution_days is None
        else f"avg {line.average_resolution_days:.1f} days to resolve"
    )
    return (
        f"• {inert(line.enroller)}: {line.open_cases:,} open · {line.closed_cases:,} closed · "
        f"{average} · {line.notes_written:,} notes"
    )


@dataclass(frozen=True)
class ListPage:
    """Where a page of `/bob crw list` sits: its number, and the command words (as typed
    after `/bob`) that show the page before and after it, when there is one."""

    number: int = 1
    previous: str | None = None
    next: str | None = None


def case_list_reply(
    rows: list[CrwCaseRow],
    risk: int | None,
    aging_days: int | None,
    agency: bool,
    page: ListPage = ListPage(),
    can_transfer: bool = False,
) -> Reply:
    """One page of the cases `/bob crw list` found, headed by the filters it was given, each
    case with its buttons (see :func:`case_buttons`) and Previous/Next when there are more.
    A page holds at most ``PAGE_CASES`` cases: two blocks each, so a page stays within
    Slack's 50 blocks however many cases there are."""
    filters = []
    if risk is not None:
        filters.append(f"risk {risk} {RISK_LABELS[risk]}")
    if aging_days is not None:
        filters.append(f"open at least {days(aging_days)}")
    whose = "Agency CRW cases" if agency else "Your CRW cases"
    if not rows and page.number > 1:
        return Reply(
            text=f"{whose}: there is no page {page.number:,}; `/bob crw list` starts from the first."
        )
    if not rows:
        matching = f" matching {', '.join(filters)}" if filters else ""
        return Reply(text=f"{whose}: none open{matching}.")
    paged = page.previous is not None or page.next is not None
    where = f"page {page.number:,} · " if paged else ""
    more = f" · {code('/bob ' + page.next)} shows the next page" if page.next else ""
    shown = ", ".join(filters) or "open cases"
    blocks = [header(whose)]
    for row in rows[:PAGE_CASES]:
        blocks += [section(_case_line(row, agency)), case_buttons(row, can_transfer)]
    blocks.append(
        context(f"{shown} · {where}riskiest and oldest first · `/bob crw show <case>` opens one{more}")
    )
    if paged:
        blocks.append(_page_buttons(page))
    on_page = f", page {page.number:,}" if paged else ""
    return Reply(text=f"{whose}: {len(rows[:PAGE_CASES]):,} shown{on_page}.", blocks=blocks)


def case_buttons(row: CrwCaseRow, can_transfer: bool) -> Block:
    """A listed case's buttons, each its command's twin: Show (`/bob crw show`), and for an
    open case Add note, Close (the close form) and, for those who may, Transfer."""
    buttons = [_button(OPEN_CASE, "Show", row.case_number)]
    if row.status != "closed":
        buttons.append(_button(ADD_NOTE, "Add note", row.case_number))
        buttons.append({**_button(CLOSE_CASE, "Close", row.case_number), "style": "danger"})
        if can_transfer:
            buttons.append(_button(TRANSFER, "Transfer", row.case_number))
    return {"type": "actions", "elements": buttons}


def _page_buttons(page: ListPage) -> Block:
    turns = [(PREVIOUS_PAGE, "Previous", page.previous), (NEXT_PAGE, "Next", page.next)]
    return {
        "type": "actions",
        "elements": [_button(action, label, words) for action, label, words in turns if words],
    }


def _button(action_id: str, label: str, value: str) -> Block:
    return {"type": "button", "action_id": action_id, "text": plain(label), "value": value}


def case_picker(rows: list[CrwCaseRow], placeholder: str = "Open a case") -> Block:
    """A menu of the listed cases: picking one shows it, as `/bob crw show <case>` does."""
    options = [
        option(row.case_number, row.case_number, f"{row.risk} {row.risk_label} · {days(row.age_days)}")
        for row in rows[:MENU_OPTIONS]
    ]
    menu = {
        "type": "static_select",
        "action_id": OPEN_CASE,
        "placeholder": plain(placeholder),
        "options": options,
    }
    return {"type": "actions", "elements": [menu]}


def _case_line(row: CrwCaseRow, with_assignee: bool) -> str:
    line = (
        f"{code(row.case_number)}  {row.risk} {row.risk_label} · {inert(row.reason)} · "
        f"{days(row.age_days)} · {status_words(row.status)}"
    )
    return f"{line} · {inert(row.assignee)}" if with_assignee else line


def case_detail_reply(detail: CrwCaseDetail, zone: ZoneInfo, can_transfer: bool = False) -> Reply:
    """The case view; an open case gets Add note and Close buttons, and Transfer for those
    who may transfer cases."""
    facts = [
        ("Risk", f"{detail.risk} {detail.risk_label}"),
        ("Status", status_words(detail.status)),
        ("Reason", inert(detail.reason)),
        ("Age", days(detail.age_days)),
        ("Plan year", str(detail.plan_year)),
        ("Assigned to", inert(detail.assignee)),
        ("Opened", local_time(detail.opened_at, zone)),
    ]
    if detail.closed_at is not None:
        facts.append(("Closed", local_time(detail.closed_at, zone)))
    blocks: list[Block] = [header(f"CRW case {detail.case_number}"), fields(facts)]
    if detail.resolution_reason:
        blocks.append(
            section(
                f"*Resolution:* {inert(detail.resolution_reason)}\n"
                f"*Steps taken:* {inert(detail.resolution_steps or '')}"
            )
        )
    if detail.contact is not None:
        blocks.append(_contact_section(detail.contact))
    else:
        blocks.append(context("Consumer contact details are shown only to the assigned enroller."))
    blocks.append(section(_notes_text(detail, zone)))
    if detail.status != "closed":
        blocks.append(
            context(
                f"`/bob crw note {detail.case_number} <text>` documents an "
                f"interaction · `/bob crw close {detail.case_number}` closes it"
            )
        )
        buttons = [
            _button(ADD_NOTE, "Add note", detail.case_number),
            {**_button(CLOSE_CASE, "Close case", detail.case_number), "style": "danger"},
        ]
        if can_transfer:
            buttons.append(_button(TRANSFER, "Transfer", detail.case_number))
        blocks.append({"type": "actions", "elements": buttons})
    if detail.status == "closed":
        blocks.insert(
            1, section(f"CRW case {detail.case_number} is closed; notes and closing are for open cases.")
        )
        return Reply(text=f"CRW case {detail.case_number} is closed.", blocks=blocks)
    return Reply(text=f"CRW case {detail.case_number}.", blocks=blocks)


def _contact_section(contact: dict[str, str | None]) -> Block:
    return section(
        "*Consumer contact* (you are the assigned enroller; only you see this)\n"
        f"{inert(contact.get('name') or '')}\n"
        f"Phone: {inert(contact.get('phone') or 'not on file')}\n"
        f"Email: {inert(contact.get('email') or 'not on file')}\n"
        f"Preferred language: {inert(contact.get('preferred_language') or 'not on file')}"
    )


def _notes_text(detail: CrwCaseDetail, zone: ZoneInfo) -> str:
    if not detail.notes:
        return "*Notes:* none yet."
    lines = [
        f"• {local_time(note['at'], zone)} {inert(note['author'])}: {inert(cut(str(note['text']), 300))}"
        for note in detail.notes[:SHOWN_NOTES]
    ]
    more = len(detail.notes) - SHOWN_NOTES
    if more > 0:
        lines.append(f"… and {more:,} older notes")
    return "*Notes* (newest first)\n" + "\n".join(lines)


def close_modal(case_number: str) -> dict[str, object]:
    """The close-case form: both the resolution reason and the steps are required."""
    return modal(
        CLOSE_CALLBACK,
        "Close CRW case",
        [
            section(
                f"Close CRW case *{case_number}*. The resolution reason and the steps "
                "taken are both required, as in the portal."
            ),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": plain("Resolution reason"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": plain("Choose a reason"),
                    "options": [option(reason, reason) for reason in RESOLUTION_REASONS],
                },
            },
            {
                "type": "input",
                "block_id": STEPS_BLOCK,
                "label": plain("Steps taken"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": STEPS_CHARS,
                    "placeholder": plain("Who you contacted, when, and what was agreed"),
                },
            },
        ],
        submit="Close case",
        private_metadata=case_number,
    )


def closed_view(case_number: str, reason: str) -> dict[str, object]:
    return modal(
        CLOSE_CALLBACK + "_done",
        "CRW case closed",
        [section(f"CRW case *{case_number}* is closed: {inert(reason)}.")],
    )
