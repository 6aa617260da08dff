"""The parts of a stored digest that live only in its plain text: the follow-ups and the
Consumer Retention Workspace.

The mailbox keeps a digest's alerts as data but these parts only as the text rendered from
the digest's context (``templates/_macros.txt``), so the Slack DM and pages and the web
digest page read them back from it: each shows what the digest said on its date (the queue
moves on after), from the one text everyone reads. A line this module cannot split is kept
whole, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FOLLOW_UPS_HEADING = "Follow-ups"  # every follow-ups part starts with a line starting so
FOLLOW_UP_QUEUE_LINE = "Follow-ups by due date"
FOLLOW_UP_COUNT_LINE = "Follow-ups:"
FOLLOW_UP_ENROLLER_LINE = "Follow-ups by enroller"
CRW_HEADING = "Consumer Retention Workspace"

# "- 11/20/2026 (overdue 3 days) | Case C-1 | DMI: Proof of income | open | Alicia Ramos, ..."
# (the need is greedy and the status one word, so a " | " in the need keeps its line whole).
_QUEUE_ITEM = re.compile(
    r"- (?P<due_on>\d\d/\d\d/\d{4}) \((?P<when>[^)]*)\) \| Case (?P<case_number>.*?)"
    r" \| (?P<kind>DMI|SVI|Document): (?P<needed>.*) \| (?P<status>[a-z_]+) \| (?P<consumer>.*)"
)
# "Ana Agent                        1 / 2": due within 7 days / overdue
_ENROLLER_COUNTS = re.compile(r"(?P<name>.*\S)\s+(?P<due_this_week>\d+) / (?P<overdue>\d+)")


def text_part(body_text: str, heading: str) -> list[str]:
    """The digest text's part whose first line starts with ``heading``, to the blank line
    that ends it."""
    lines = body_text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return []
    part = []
    for line in lines[start:]:
        if not line.strip():
            break
        part.append(line)
    return part


def crw_lines(body_text: str) -> list[str]:
    """The digest's Consumer Retention Workspace part, as its text shows it (its cases or the
    agency's tiles are kept only in the text)."""
    return text_part(body_text, CRW_HEADING)


def follow_up_lines(body_text: str) -> list[str]:
    """The digest's follow-ups (an enroller's queue by due date, or a manager's counts by
    enroller), as its text shows them, without the queue's own heading line."""
    part = text_part(body_text, FOLLOW_UPS_HEADING)
    return [line.strip() for line in part if not line.startswith(FOLLOW_UP_QUEUE_LINE)]


@dataclass(frozen=True)
class QueueItem:
    """One follow-up of an enroller's queue; only ``line`` is set when it could not be split."""

    line: str
    due_on: str = ""
    when: str = ""  # "overdue 3 days", "due today", "due in 5 days"
    case_number: str = ""
    kind: str = ""
    needed: str = ""
    status: str = ""
    consumer: str = ""  # name, phone, email, as the text lists them

    @property
    def split(self) -> bool:
        return bool(self.due_on)


@dataclass(frozen=True)
class EnrollerCounts:
    """One enroller's line of a Daily Manager Summary's follow-ups; ``name`` alone is the
    whole line when it could not be split."""

    name: str
    due_this_week: int | None = None
    overdue: int | None = None


@dataclass(frozen=True)
class FollowUps:
    """A digest's follow-ups part: an enroller's queue, soonest due first, or an agency's
    count line and its enrollers' counts."""

    queue: list[QueueItem] = field(default_factory=list)
    count_line: str = ""
    enrollers: list[EnrollerCounts] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.queue or self.count_line or self.enrollers)


def _queue_item(line: str) -> QueueItem:
    found = _QUEUE_ITEM.fullmatch(line)
    return QueueItem(line, **found.groupdict()) if found else QueueItem(line)


def _enroller_counts(line: str) -> EnrollerCounts:
    found = _ENROLLER_COUNTS.fullmatch(line)
    if found is None:
        return EnrollerCounts(line)
    return EnrollerCounts(found["name"], int(found["due_this_week"]), int(found["overdue"]))


def follow_ups(body_text: str) -> FollowUps:
    """The follow-ups part of a digest's text, split into what each line says; a digest
    without one (no follow-ups, or stored before bob had them) gives an empty part."""
    queue = [line.strip() for line in text_part(body_text, FOLLOW_UP_QUEUE_LINE)[1:]]
    count_line = next(iter(text_part(body_text, FOLLOW_UP_COUNT_LINE)[:1]), "").strip()
    enrollers = [line.strip() for line in text_part(body_text, FOLLOW_UP_ENROLLER_LINE)[1:]]
    return FollowUps(
        queue=[_queue_item(line) for line in queue if line],
        count_line=count_line,
        enrollers=[_enroller_counts(line) for line in enrollers if line],
    )
