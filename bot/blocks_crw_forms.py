"""The note form a case view's "Add note" button opens, and what it shows once noted."""

from __future__ import annotations

from bot.block_kit import modal, plain, section
from rules.casework.crw_cases import NOTE_LIMIT

NOTE_CALLBACK = "crw_note"
NOTE_BLOCK = "note_text"


def note_modal(case_number: str) -> dict[str, object]:
    """Document an interaction on the case, as `/bob crw note <case> <text>` does."""
    return modal(
        NOTE_CALLBACK,
        "Add a note",
        [
            section(f"Note on CRW case *{case_number}*: who you reached, when, and what was agreed."),
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": plain("Note"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": NOTE_LIMIT,
                },
            },
        ],
        submit="Add note",
        private_metadata=case_number,
    )


def noted_view(case_number: str) -> dict[str, object]:
    return modal(
        NOTE_CALLBACK + "_done",
        "Note added",
        [section(f"Noted on CRW case *{case_number}*. `/bob crw show {case_number}` shows its notes.")],
    )
