"""Help-request replies and the new-request form, in Block Kit (always sent ephemerally)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.block_kit import (
    Block,
    Reply,
    context,
    cut,
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
from rules.casework.help_requests import DETAILS_LIMIT, ROUTING, TOPIC_LIMIT, HelpRequestView
from store.models import HelpCategory

NEW_CALLBACK = "help_request_new"
CATEGORY_BLOCK = "category"
TOPIC_BLOCK = "topic"
DETAILS_BLOCK = "details"
SHOWN_UPDATES = 10


def request_list_reply(requests: list[HelpRequestView], open_only: bool) -> Reply:
    which = "Open help requests" if open_only else "Help requests"
    if not requests:
        return Reply(f"{which}: none. File one with `/bob help-request new`.")
    lines = [
        f"{code(r.number)}  {status_words(r.status)} · {inert(r.category)} · {inert(cut(r.topic, 80))} · "
        f"{inert(r.enroller)}"
        for r in requests
    ]
    return Reply(
        text=f"{which}: {len(requests):,} shown.",
        blocks=[
            header(which),
            *lines_sections(lines),
            context("Newest first, at most 50 · `/bob help-request <number>` shows one"),
        ],
    )


def request_detail_reply(request: HelpRequestView, zone: ZoneInfo) -> Reply:
    blocks: list[Block] = [
        header(f"Help request {request.number}"),
        fields(
            [
                ("Status", status_words(request.status)),
                ("Category", inert(request.category)),
                ("Routed to", inert(request.routed_team)),
                ("Filed by", inert(request.enroller)),
                ("Filed", local_time(request.created_at, zone)),
                ("Updated", local_time(request.updated_at, zone)),
            ]
        ),
        section(f"*Topic:* {inert(request.topic)}\n*Details:* {inert(request.details or '')}"),
    ]
    if request.updates:
        lines = [
            f"• {local_time(u['at'], zone)} {inert(u['author'])}: {status_words(str(u['status']))}"
            + (f" - {inert(cut(str(u['note']), 300))}" if u.get("note") else "")
            for u in request.updates[:SHOWN_UPDATES]
        ]
        blocks.append(section("*Updates* (newest first)\n" + "\n".join(lines)))
    return Reply(text=f"Help request {request.number}: {status_words(request.status)}.", blocks=blocks)


def new_request_modal() -> dict[str, object]:
    """The portal's help-request form: category (which decides the team), topic, details."""
    return modal(
        NEW_CALLBACK,
        "New help request",
        [
            _input(
                CATEGORY_BLOCK,
                "Category",
                {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": plain("Choose a category"),
                    "options": [
                        option(category.value, category.value, f"Goes to {ROUTING[category]}")
                        for category in HelpCategory
                    ],
                },
            ),
            _input(
                TOPIC_BLOCK,
                "Topic",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": TOPIC_LIMIT,
                },
            ),
            _input(
                DETAILS_BLOCK,
                "Details",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": min(DETAILS_LIMIT, 3000),
                },
            ),
        ],
        submit="Submit",
    )


def filed_view(request: HelpRequestView) -> dict[str, object]:
    return modal(
        NEW_CALLBACK + "_done",
        "Help request filed",
        [
            section(
                f"Help request *{request.number}* is filed and routed to "
                f"{inert(request.routed_team)}. `/bob help-request {request.number}` shows its "
                "status."
            ),
        ],
    )


def _input(block_id: str, label: str, element: dict[str, object]) -> Block:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
