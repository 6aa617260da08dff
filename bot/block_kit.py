"""The few Block Kit shapes bob's replies and forms are made of, with Slack's size limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Block = dict[str, Any]

# Slack's limits: a section's text 3,000 characters, its fields 10 of 2,000 each, a modal's
# title 24 characters.
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
TITLE_CHARS = 24


@dataclass(frozen=True)
class Reply:
    """What a command answers: ``text`` is the notification and screen-reader fallback, so it
    never carries consumer PII; ``blocks`` is what the person sees."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text[:150])}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_CHARS)}}


def fields(pairs: Iterable[tuple[str, str]]) -> Block:
    """A section of up to ten label/value cells, two per row."""
    cells = [
        {"type": "mrkdwn", "text": cut(f"*{label}*\n{value}", FIELD_CHARS)}
        for label, value in list(pairs)[:MAX_FIELDS]
    ]
    return {"type": "section", "fields": cells}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, SECTION_CHARS)}]}


def divider() -> Block:
    return {"type": "divider"}


def lines_sections(lines: Sequence[str]) -> list[Block]:
    """Many short lines as few sections as Slack allows (each under its character limit)."""
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {"text": plain(cut(text, 75)), "value": value}
    if description:
        shown["description"] = plain(cut(description, 75))
    return shown


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:TITLE_CHARS]),
        "close": plain("Cancel" if submit else "Done"),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit[:TITLE_CHARS])
    return view


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """Each input block's answer by block id: a select's chosen value or a text input's text,
    stripped; blank and unanswered inputs are left out."""
    answers: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for action in actions.values() if isinstance(actions, dict) else ():
            if not isinstance(action, dict):
                continue
            chosen = action.get("selected_option")
            value = chosen.get("value") if isinstance(chosen, dict) else action.get("value")
            if isinstance(value, str) and value.strip():
                answers[block_id] = value.strip()
    return answers


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A stored (UTC) time as the agency reads it, e.g. 11/23/2026 10:00 AM PST."""
    return f"{moment.astimezone(zone):%m/%d/%Y %I:%M %p %Z}"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
