"""The Home tab's work sections below the mailbox: CRW tiles with an "Open CRW case" menu,
recent exports with "Fetch again" and "Export my book", and open help requests.

Each section reads through the same rules function (and so the same checks and audit) as its
slash command: `/bob crw`, `/bob crw list`, `/bob exports`, `/bob help-request list open`.
A refusal becomes the section's text, never an error for the whole tab.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.block_kit import Block, context, cut, divider, fields, header, local_time, plain, section
from bot.blocks_crw import case_picker
from bot.deps import BotDeps
from bot.replies import sentence, status_words
from bot.slack_text import code, inert
from exports.history import ExportHistoryEntry, list_exports
from rules.access import Action, Via, may, record_read
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles
from rules.casework.help_queue import open_help_requests
from rules.crw import RISK_LABELS
from store.errors import BobError
from store.models import Enroller

EXPORT_MY_BOOK = "home_export_book"
FETCH_AGAIN = "home_export_fetch"
SHOWN_EXPORTS = 5


def work_sections(deps: BotDeps, actor_id: int, now: datetime, via: Via) -> list[Block]:
    """CRW, exports and help requests for the linked enroller ``actor_id``; the reads that
    `/bob crw list` and `/bob help-request list open` record are recorded alike."""
    blocks: list[Block] = []
    for title, build in (
        ("Consumer Retention Workspace", _crw),
        ("Your recent exports", _exports),
        ("Open help requests", _help_requests),
    ):
        blocks += [divider(), header(title)]
        try:
            blocks += build(deps, actor_id, now, via)
        except BobError as exc:
            blocks.append(section(sentence(exc)))
    return blocks


def _crw(deps: BotDeps, actor_id: int, now: datetime, via: Via) -> list[Block]:
    """A manager sees the agency's tiles and cases (as `/bob crw agency` and `/bob crw list
    --agency` show them); anyone else their own."""
    agency = _may(deps, actor_id, Action.WORK_AGENCY_CRW_CASES)
    tiles = (
        agency_overview(deps.sessions, actor_id, now)[0] if agency else my_tiles(deps.sessions, actor_id, now)
    )
    by_risk = "\n".join(
        f"{risk} {RISK_LABELS[risk]}: {tiles.open_by_risk.get(risk, 0):,}" for risk in sorted(RISK_LABELS)
    )
    aging = "\n".join(f"{bucket}: {n:,}" for bucket, n in tiles.aging.items())
    blocks = [fields([("Open cases", f"{tiles.open_cases:,}"), ("By priority", by_risk), ("Aging", aging)])]
    rows = []
    if tiles.open_cases:
        rows = list_cases(deps.sessions, actor_id, now, agency=agency)
        record_read(deps.sessions, actor_id, "crw.list", "agency" if agency else "own", now, via)
    if rows:
        blocks.append(case_picker(rows, "Open CRW case"))
    if agency:
        blocks.append(
            context("The agency's open cases, riskiest first · `/bob crw list --agency` lists them")
        )
    else:
        blocks.append(context("Your open cases, riskiest first · `/bob crw list` lists them"))
    return blocks


def _export_line(entry: ExportHistoryEntry, now: datetime) -> str:
    zone = ZoneInfo(entry.time_zone)
    rows = f"{entry.row_count:,} rows" if entry.row_count is not None else "rows: -"
    expiry = local_time(entry.expires_at, zone) if entry.expires_at else "-"
    ended = "expires" if entry.available(now) else "expired" if entry.status == "succeeded" else "ends"
    return (
        f"{local_time(entry.requested_at, zone)} · {inert(cut(entry.scope_label, 120))} · "
        f"*{inert(entry.status)}* · {rows} · {ended} {expiry}"
    )


def _button(action_id: str, text: str, value: str) -> Block:
    return {"type": "button", "action_id": action_id, "text": plain(text), "value": value}


def _exports(deps: BotDeps, actor_id: int, now: datetime, via: Via) -> list[Block]:
    blocks: list[Block] = []
    for entry in list_exports(deps.sessions, actor_id, now, limit=SHOWN_EXPORTS):
        line = section(_export_line(entry, now))
        if entry.available(now):
            line["accessory"] = _button(FETCH_AGAIN, "Fetch again", entry.token)
        blocks.append(line)
    if not blocks:
        blocks.append(section("You have no exports yet."))
    if _may(deps, actor_id, Action.EXPORT_OWN_BOOK):
        blocks.append({"type": "actions", "elements": [_button(EXPORT_MY_BOOK, "Export my book", "self")]})
    return blocks


def _may(deps: BotDeps, actor_id: int, action: Action) -> bool:
    with deps.sessions() as session:
        actor = session.get(Enroller, actor_id)
        return actor is not None and may(actor, action)


def _help_requests(deps: BotDeps, actor_id: int, now: datetime, via: Via) -> list[Block]:
    found = open_help_requests(deps.sessions, actor_id, now)
    record_read(deps.sessions, actor_id, "help.list", "open", now, via)
    zone = deps.zone
    whose = "in the exchange's queue" if found.whole_queue else "filed by you"
    lines = [
        f"{code(r.number)}  {status_words(r.status)} · {inert(r.category)} · "
        f"{inert(cut(r.topic, 80))} · since {local_time(r.created_at, zone)}"
        for r in found.requests
    ]
    summary = f"*{found.count:,}* open {whose}" + (", oldest first:" if lines else ".")
    return [
        section("\n".join([summary, *lines])),
        context("`/bob help-request <number>` shows one · `/bob help-request new` files one"),
    ]
