"""Small helpers for the wording of replies."""

from __future__ import annotations

from bot.slack_text import inert


def plain_sentence(error: Exception) -> str:
    """A user-facing error message as a sentence: capitalized, ending with a period; for
    Slack's plain-text fields (a form's error under an input)."""
    text = str(error).strip()
    if not text:
        return "Something went wrong."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def status_words(status: str) -> str:
    """A stored status as words, e.g. ``in_progress`` as "in progress"."""
    return status.replace("_", " ")


def sentence(error: Exception) -> str:
    """The error as a sentence for a Slack message: messages can quote stored values (a
    license number, a case's reason), so it is made inert."""
    return inert(plain_sentence(error))
