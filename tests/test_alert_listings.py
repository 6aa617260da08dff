"""A digest's alert listing, written by hand for speed, reads byte for byte as the Jinja macros
it replaced (kept here as the reference), escaping included; and is made once per enroller."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from mailer.alert_listings import (
    AlertListings,
    ListedAlert,
    alert_data,
    alert_lines,
    alert_table,
    alerts_json,
)
from rules.templating import escaped

# The macros of templates/_macros.{txt,html} that wrote the listing before mailer.alert_listings
MACROS = Path(__file__).parent / "data"
HOSTILE = '<O\'Brien & "Co">'
TOPICS = [
    {
        "name": "nod_notice",
        "title": "NOD Notice",
        "alerts": [
            ListedAlert("C1", "Ana", HOSTILE, "555-0100", "a@x.org"),
            ListedAlert("C<2>", "Ben", "Ode", None, f"b{HOSTILE}@x.org"),
            ListedAlert("C3", "Cy", "Dee", "", None),
        ],
    },
    {
        "name": "pending_delegation",
        "title": "Pending & <Delegation>",
        "alerts": [ListedAlert("40", "Di", "Eve", f"5{HOSTILE}", "")],
    },
]


def reference(name: str, autoescape: bool, topics: list[dict]) -> str:
    env = Environment(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    source = (MACROS / f"{name}_macro.{'html' if autoescape else 'txt'}").read_text()
    return str(getattr(env.from_string(source).module, name)(topics))


def test_the_lines_read_as_the_alert_lines_macro_did():
    assert alert_lines(TOPICS) == reference("alert_lines", False, TOPICS)
    assert alert_lines([]) == ""


def test_the_table_reads_as_the_alert_table_macro_did_every_value_escaped():
    table = alert_table(TOPICS)
    assert isinstance(table, Markup)
    assert str(table) == reference("alert_table", True, TOPICS)
    assert "&lt;O&#39;Brien &amp; &#34;Co&#34;&gt;" in table and HOSTILE not in table


def test_an_enrollers_listing_is_made_once_for_every_digest_that_shows_it():
    listings = AlertListings()
    first = listings.of(1, 7, TOPICS)
    assert listings.of(1, 7, TOPICS) is first
    assert listings.of(1, 7, TOPICS[:1]) is not first  # quiet topics left out: another listing
    assert listings.of(2, 7, TOPICS) is not first  # another agency: made again


def test_the_alerts_data_is_json_dumps_of_them_all():
    ana = {"name": "Ana Lee", "license_number": "L1"}
    alerts = [alert_data(ana, topic, alert) for topic in TOPICS for alert in topic["alerts"]] * 700
    assert alerts_json(iter(alerts)) == json.dumps(alerts)
    assert alerts_json([]) == "[]"
    assert json.loads(alerts_json(alerts[:1]))[0] == {
        "case_number": "C1",
        "topic": "nod_notice",
        "topic_title": "NOD Notice",
        "enroller": ana,
        "contact": {"name": f"Ana {HOSTILE}", "phone": "555-0100", "email": "a@x.org"},
    }


def test_values_are_escaped_as_markupsafe_escapes_them():
    for value in [HOSTILE, "a&amp;b", "<<>>''\"\"", "plain", "", 42, "ünï &#39; \u2028"]:
        assert escaped(value) == str(escape(value))


def test_a_giant_agencys_listings_are_kept_only_up_to_the_budget(monkeypatch):
    monkeypatch.setattr("mailer.alert_listings.KEPT_ALERTS", 5)
    listings = AlertListings()
    first = listings.of(1, 7, TOPICS)  # 4 alerts: kept
    assert listings.of(1, 7, TOPICS) is first
    second = listings.of(1, 8, TOPICS)  # 4 more would pass 5: made, not kept
    again = listings.of(1, 8, TOPICS)
    assert again is not second and again == second
    assert listings.of(2, 8, TOPICS) is listings.of(2, 8, TOPICS)  # a new agency, a new budget
