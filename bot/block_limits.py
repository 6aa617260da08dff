"""Slack's Block Kit limits, as one checker: what a message, Home tab or modal may hold.

Slack refuses a whole message that breaks one (``invalid_blocks``), so the digest pager packs
pages by these numbers and the tests run every page bob builds through :func:`limit_problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MESSAGE_BLOCKS = 50  # a message
SURFACE_BLOCKS = 100  # a Home tab or a modal
TEXT_CHARS = 3000  # a section's or a context element's text
FIELD_CHARS = 2000
MAX_FIELDS = 10
HEADER_CHARS = 150
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ACTION_ID_CHARS = 255
URL_CHARS = 3000
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10


def _text_of(part: Any) -> str:
    return str(part.get("text", "")) if isinstance(part, dict) else ""


def _section_problems(block: dict[str, Any]) -> list[str]:
    problems = []
    if len(_text_of(block.get("text"))) > TEXT_CHARS:
        problems.append(f"section text over {TEXT_CHARS} characters")
    cells = block.get("fields") or []
    if len(cells) > MAX_FIELDS:
        problems.append(f"more than {MAX_FIELDS} fields")
    if any(len(_text_of(cell)) > FIELD_CHARS for cell in cells):
        problems.append(f"a field over {FIELD_CHARS} characters")
    if "text" not in block and not cells:
        problems.append("a section without text or fields")
    return problems


def _button_problems(button: dict[str, Any]) -> list[str]:
    problems = []
    if len(_text_of(button.get("text"))) > BUTTON_TEXT_CHARS:
        problems.append(f"button text over {BUTTON_TEXT_CHARS} characters")
    if len(str(button.get("value", ""))) > BUTTON_VALUE_CHARS:
        problems.append(f"button value over {BUTTON_VALUE_CHARS} characters")
    if len(str(button.get("action_id", ""))) > ACTION_ID_CHARS:
        problems.append(f"action_id over {ACTION_ID_CHARS} characters")
    if len(str(button.get("url", ""))) > URL_CHARS:
        problems.append(f"button url over {URL_CHARS} characters")
    return problems


def _block_problems(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "section":
        return _section_problems(block)
    if kind == "header":
        too_long = len(_text_of(block.get("text"))) > HEADER_CHARS
        return [f"header over {HEADER_CHARS} characters"] if too_long else []
    if kind == "context":
        elements = block.get("elements") or []
        problems = [f"context over {CONTEXT_ELEMENTS} elements"] if len(elements) > CONTEXT_ELEMENTS else []
        return problems + [
            f"context text over {TEXT_CHARS} characters" for e in elements if len(_text_of(e)) > TEXT_CHARS
        ]
    if kind == "actions":
        elements = block.get("elements") or []
        problems = [f"actions over {ACTIONS_ELEMENTS} elements"] if len(elements) > ACTIONS_ELEMENTS else []
        ids = [e.get("action_id") for e in elements if e.get("action_id")]
        if len(ids) != len(set(ids)):
            problems.append("two buttons share an action_id")
        return problems + [p for e in elements for p in _button_problems(e)]
    return []


def limit_problems(blocks: Sequence[dict[str, Any]], max_blocks: int = MESSAGE_BLOCKS) -> list[str]:
    """Every way ``blocks`` break Slack's limits (empty when Slack will take them)."""
    problems = [f"{len(blocks)} blocks, more than {max_blocks}"] if len(blocks) > max_blocks else []
    for number, block in enumerate(blocks, 1):
        problems.extend(f"block {number}: {problem}" for problem in _block_problems(block))
    return problems
