"""A Daily Summary's follow-up queue, written by hand for speed, reads byte for byte as the
Jinja macros it replaced (kept in tests/data as the reference), escaping included."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from mailer.follow_up_listing import follow_up_lines, follow_up_table, when_due
from rules.templating import us_date

MACROS = Path(__file__).parent / "data"
HOSTILE = '<O\'Brien & "Co">'
DAY = date(2026, 9, 1)


def item(days_left: int, **contact: str | None) -> dict[str, object]:
    return {
        "due_on": date.fromordinal(DAY.toordinal() + days_left),
        "days_left": days_left,
        "kind": "DMI",
        "needed": f"Proof of income {HOSTILE}",
        "status": "open",
        "case_number": f"C{days_left}",
        "contact_name": f"Ana {HOSTILE}",
        "phone": "555-0100",
        "email": "a@x.org",
        **contact,
    }


ITEMS = [
    item(-3),
    item(-1, phone=None),
    item(0, email=""),
    item(1, phone="", email=None),
    item(12, email=f"b{HOSTILE}@x.org"),
]


def reference(name: str, autoescape: bool) -> str:
    env = Environment(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["us_date"] = us_date
    source = (MACROS / f"{name}_macro.{'html' if autoescape else 'txt'}").read_text()
    return str(getattr(env.from_string(source).module, name)(ITEMS))


def test_the_lines_read_as_the_follow_up_lines_macro_did():
    assert follow_up_lines(ITEMS) == reference("follow_up_lines", False)


def test_the_table_reads_as_the_follow_up_table_macro_did_every_value_escaped():
    table = follow_up_table(ITEMS)
    assert isinstance(table, Markup)
    assert str(table) == reference("follow_up_table", True)
    assert HOSTILE not in table


def test_it_says_how_far_off_the_due_date_is():
    assert [when_due(n) for n in (-3, -1, 0, 1, 2)] == [
        "overdue 3 days",
        "overdue 1 day",
        "due today",
        "due in 1 day",
        "due in 2 days",
    ]
