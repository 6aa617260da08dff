"""Small helpers for the wording of replies."""

from __future__ import annotations


def sentence(error: Exception) -> str:
    """A user-facing error message as a sentence: capitalized, ending with a period."""
    text = str(error).strip()
    if not text:
        return "Something went wrong."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def status_words(status: str) -> str:
    """A stored status as words, e.g. ``in_progress`` as "in progress"."""
    return status.replace("_", " ")
