"""Each enroller's alerts as the mailbox shows them — text lines, HTML table — made once; and
the alerts as data (JSON) kept beside the text.

An enroller's alerts appear in their own Daily Summary and again, the same, in the Daily
Manager Summary of their agency. Writing them once per enroller, not once per digest that
shows them, leaves the manager summary to join pieces already made: at 100k consumers its
rendering was a fifth of the run's Python time.

The lines and the table are written here by hand, not by Jinja macros: this is the run's one
loop over every alert, and the macros took 6–10 µs an alert for text and HTML together against
2.3–3.5 µs here (15 alerts rendered 300 times, best of 5, under load 5), most of it
``markupsafe.escape`` making a ``Markup`` of each value (:func:`rules.templating.escaped`).
The mailbox templates place them (``alert_lines``, ``alert_table``); the rest of every
message stays in ``templates/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple

from markupsafe import Markup

from rules.templating import escaped

TABLE_HEAD = (
    "<table>\n  <thead><tr><th>Consumer Case Number</th><th>Notification Topic</th>"
    "<th>Consumer Contact Information</th></tr></thead>\n  <tbody>\n"
)
TABLE_FOOT = "  </tbody>\n</table>\n"
KEPT_ALERTS = 20_000  # per agency: about 12 MB of listings


class ListedAlert(NamedTuple):
    """One alert as a digest lists it: the case and the consumer's contact. A tuple, not a
    dict: an agency's alerts are all held while its manager summary is written (67,849 in the
    1M book's largest agency: 6.5 MB as tuples, 17.7 MB as dicts with the name joined)."""

    case_number: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None

    @property
    def contact_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class AlertListing:
    """One enroller's alerts on some topics as the mailbox templates show them."""

    text: str
    html: Markup


def alert_data(enroller: dict[str, str], topic: dict[str, Any], alert: ListedAlert) -> dict[str, Any]:
    """One alert as the mailbox keeps it beside the rendered text."""
    return {
        "case_number": alert.case_number,
        "topic": topic["name"],
        "topic_title": topic["title"],
        "enroller": enroller,
        "contact": {"name": alert.contact_name, "phone": alert.phone, "email": alert.email},
    }


def alerts_json(alerts: Iterable[dict[str, Any]]) -> str:
    """``json.dumps(list(alerts))``, serialized a thousand at a time: a manager summary's
    tens of thousands are neither all held as dicts nor dumped one call each."""
    pieces, found = [], iter(alerts)
    while chunk := tuple(islice(found, 1000)):
        pieces.append(json.dumps(chunk)[1:-1])
    return "[" + ", ".join(pieces) + "]"


class AlertListings:
    """The listings of one agency's enrollers, made when first shown and kept until the
    digests move on to another agency (digests come agency by agency, enrollers first).

    At most ``KEPT_ALERTS`` alerts' listings are kept per agency; a giant agency's manager
    summary makes the rest again. Keeping all 67,849 alerts of the 1M book's largest agency
    took the run's peak RSS from 293 to 324 MB (the target is 300)."""

    def __init__(self) -> None:
        self._agency_id: int | None = None
        self._made: dict[tuple[int, tuple[str, ...]], AlertListing] = {}
        self._kept_alerts = 0

    def forget(self) -> None:
        """Let the kept listings go: their agency's manager summary, the last text to show
        them, is made (before its alerts' data, so the two are not held together)."""
        self._agency_id, self._made, self._kept_alerts = None, {}, 0

    def of(self, agency_id: int, enroller_id: int, topics: list[dict[str, Any]]) -> AlertListing:
        """The listing of enroller ``enroller_id`` over ``topics``, their alerts by topic (all,
        or all but the quiet ones)."""
        if agency_id != self._agency_id:
            self._agency_id, self._made, self._kept_alerts = agency_id, {}, 0
        key = (enroller_id, tuple(topic["name"] for topic in topics))
        listing = self._made.get(key)
        if listing is None:
            listing = AlertListing(alert_lines(topics), alert_table(topics))
            alerts = sum(len(topic["alerts"]) for topic in topics)
            if self._kept_alerts + alerts <= KEPT_ALERTS:
                self._made[key] = listing
                self._kept_alerts += alerts
        return listing


def contact_text(name: str, phone: str | None, email: str | None) -> str:
    """A consumer's contact as a text line shows it: name, then phone and email where known."""
    contact = f"{name}"
    if phone:
        contact += f", {phone}"
    if email:
        contact += f", {email}"
    return contact


def contact_html(name: str, phone: str | None, email: str | None) -> str:
    """A consumer's contact as a table cell shows it, one escaped value a line."""
    contact = escaped(name)
    if phone:
        contact += f"<br>{escaped(phone)}"
    if email:
        contact += f"<br>{escaped(email)}"
    return contact


def alert_lines(topics: list[dict[str, Any]]) -> str:
    """Each topic's title and count, then a line per alert: case, topic, contact."""
    out: list[str] = []
    for topic in topics:
        title, alerts = topic["title"], topic["alerts"]
        out.append(f"{title} ({len(alerts)})\n")
        for alert in alerts:
            contact = contact_text(alert.contact_name, alert.phone, alert.email)
            out.append(f"  - Case {alert.case_number} | {title} | {contact}\n")
    return "".join(out)


def alert_table(topics: list[dict[str, Any]]) -> Markup:
    """Each topic's heading and a table of its alerts: case, topic, contact; every value escaped."""
    out: list[str] = []
    for topic in topics:
        title, alerts = escaped(topic["title"]), topic["alerts"]
        out.append(f"<h3>{title} ({len(alerts)})</h3>\n{TABLE_HEAD}")
        for alert in alerts:
            out.append(
                f"    <tr><td>{escaped(alert.case_number)}</td><td>{title}</td>"
                f"<td>{contact_html(alert.contact_name, alert.phone, alert.email)}</td></tr>\n"
            )
        out.append(TABLE_FOOT)
    return Markup("".join(out))
