"""The forms a case view's buttons open: the note form ("Add note") and, for managers, the
transfer form ("Transfer"), listing the Agent Level 2s the case may go to."""

from __future__ import annotations

from bot.block_kit import modal, option, plain, section
from rules.casework.crw_cases import NOTE_LIMIT
from rules.casework.crw_transfer import TransferChoice

NOTE_CALLBACK = "crw_note"
NOTE_BLOCK = "note_text"
TRANSFER_CALLBACK = "crw_transfer"
TRANSFER_BLOCK = "transfer_to"
MENU_OPTIONS = 100  # Slack's limit for a static select


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


def transfer_modal(case_number: str, choices: list[TransferChoice]) -> dict[str, object]:
    """Move the case to one of ``choices``, as `/bob transfer <case> <license>` does."""
    menu = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain("Choose an Agent Level 2"),
        "options": [option(choice.name, choice.license_number) for choice in choices[:MENU_OPTIONS]],
    }
    return modal(
        TRANSFER_CALLBACK,
        "Transfer CRW case",
        [
            section(f"Transfer CRW case *{case_number}* to an Agent Level 2 of your agency."),
            {"type": "input", "block_id": TRANSFER_BLOCK, "label": plain("New assignee"), "element": menu},
        ],
        submit="Transfer",
        private_metadata=case_number,
    )


def transferred_view(text: str) -> dict[str, object]:
    """The form once the case moved; ``text`` is the command's reply (already escaped)."""
    return modal(TRANSFER_CALLBACK + "_done", "CRW case transferred", [section(text)])
