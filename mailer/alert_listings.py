"""Each enroller's alerts as the mailbox shows them — text lines, HTML table, data — made once.

An enroller's alerts appear in their own Daily Summary and again, the same, in the Daily
Manager Summary of their agency. Rendering (``alert_lines`` and ``alert_table`` of
``templates/_macros.*``) and serializing them once per enroller, not once per digest that
shows them, leaves the manager summary to join pieces already made: at 100k consumers its
rendering and the alerts' JSON were a third of the run's Python time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from rules.templating import macro


@dataclass(frozen=True)
class AlertListing:
    """One enroller's alerts on some topics: ``text`` and ``html`` as the mailbox templates
    show them, ``data`` the alerts as JSON objects separated by ", " (no brackets: a manager
    summary's array is its enrollers' listings joined)."""

    text: str
    html: Markup
    data: str


def alert_data(enroller: dict[str, str], topic: dict[str, Any], alert: dict[str, Any]) -> dict[str, Any]:
    """One alert as the mailbox keeps it beside the rendered text."""
    return {
        "case_number": alert["case_number"],
        "topic": topic["name"],
        "topic_title": topic["title"],
        "enroller": enroller,
        "contact": {"name": alert["contact_name"], "phone": alert["phone"], "email": alert["email"]},
    }


def json_array(listings: list[AlertListing]) -> str:
    """The JSON array of the alerts of ``listings``, as ``json.dumps`` of them all would write it."""
    return "[" + ", ".join(listing.data for listing in listings if listing.data) + "]"


class AlertListings:
    """The listings of one agency's enrollers, made when first shown and kept until the
    digests move on to another agency (digests come agency by agency, enrollers first)."""

    def __init__(self) -> None:
        self._agency_id: int | None = None
        self._made: dict[tuple[int, tuple[str, ...]], AlertListing] = {}

    def of(
        self, agency_id: int, enroller_id: int, enroller: dict[str, str], topics: list[dict[str, Any]]
    ) -> AlertListing:
        """The listing of enroller ``enroller_id`` (``enroller``: their name and license
        number) over ``topics``, their alerts by topic (all, or all but the quiet ones)."""
        if agency_id != self._agency_id:
            self._agency_id, self._made = agency_id, {}
        key = (enroller_id, tuple(topic["name"] for topic in topics))
        listing = self._made.get(key)
        if listing is None:
            data = [alert_data(enroller, topic, alert) for topic in topics for alert in topic["alerts"]]
            listing = AlertListing(
                text=macro("_macros.txt", "alert_lines")(topics),
                html=macro("_macros.html", "alert_table")(topics),
                data=json.dumps(data)[1:-1],
            )
            self._made[key] = listing
        return listing
