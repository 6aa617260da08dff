"""Control characters in text that a person typed or a file carried.

PostgreSQL refuses a NUL (U+0000) in a text column and its driver raised with the values
bound to the statement; SQLite stored it. Neither database should see one, nor the other
C0 control characters (escape, bell, form feed …) that no one means as text: every text
input refuses them before any write, so both databases behave the same. Tab and line
breaks pass where the text may span lines (a note, a help request's details, a cell).
"""

from __future__ import annotations

import re

CONTROL_CHARACTER = "contains a control character"
_ANY_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_character(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a C0 control character; with ``multiline`` tab, line feed
    and carriage return are text."""
    return (_CONTROL_BUT_LINES if multiline else _ANY_CONTROL).search(value) is not None


def without_control_characters(value: str) -> str:
    """``value`` with each C0 control character shown as U+FFFD, for a record that keeps
    what was typed (an audited refusal's target) whatever it held."""
    return _ANY_CONTROL.sub("\ufffd", value)
