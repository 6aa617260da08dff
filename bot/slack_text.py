"""Stored text made inert for Slack's markup: every value bob did not write itself (a
consumer's name, a note, a help request's topic, an enroller's name, a digest) passes through
here on its way into a Slack message.

Slack reads ``<...>`` as a link, a mention or a broadcast and ``&`` as the start of an entity,
so a last name of ``<https://evil.example/login|Verify your account>`` would render as a live
link; Slack's own rule is to escape exactly ``&``, ``<`` and ``>``. A backtick from stored text
would open or close code (a last name starting with three of them ended the mailbox's code
block), so it is shown as the look-alike ``ˋ`` (U+02CB).
"""

from __future__ import annotations

BACKTICK_LOOKALIKE = "\u02cb"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": BACKTICK_LOOKALIKE})


def inert(value: object) -> str:
    """``value`` as text Slack shows literally: no link, mention, entity or code starts in it."""
    return str(value).translate(_ESCAPES)


def code(value: object) -> str:
    """``value`` as an inline code span that nothing inside can close."""
    return f"`{inert(value)}`"


def code_block(value: object) -> str:
    """``value`` as a code block that nothing inside can close."""
    return f"```{inert(value)}```"
