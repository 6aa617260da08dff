"""Reading the pages' query strings and form fields: every value bounded and checked, and a
bad one is a 400 page that says which field and how to write it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from aiohttp import web

from rules.topics import TOPICS_BY_NAME
from store.mailbox_folders import MailboxQuery

MAX_PAGE = 10_000
MAX_FIELD_CHARS = 64
# The largest id either database's INTEGER column holds; a larger one names no digest.
MAX_ID = 2**31 - 1
LICENSE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,32}")


def bad_input(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(reason="Bad request", text=message)


def _field(values: Mapping[str, str], name: str) -> str | None:
    value = values.get(name, "").strip()
    if len(value) > MAX_FIELD_CHARS:
        raise bad_input(f"The {name} field is too long.")
    return value or None


def parse_date(text: str | None, label: str) -> date | None:
    """A date typed as 11/23/2026 (US) or sent by a date field as 2026-11-23."""
    if text is None:
        return None
    for shape in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    raise bad_input(f"The {label} date {text!r} is not a date; write it as MM/DD/YYYY, e.g. 11/23/2026.")


def parse_topic(text: str | None) -> str | None:
    if text is not None and text not in TOPICS_BY_NAME:
        raise bad_input("That notification topic is not one bob knows; choose one from the list.")
    return text


def parse_license(text: str | None) -> str | None:
    if text is not None and not LICENSE_SHAPE.fullmatch(text):
        raise bad_input("That enroller is not one of this digest's; choose one from the list.")
    return text


def _digits(text: str, most: int) -> bool:
    """ASCII digits only, and few enough for ``int``: "²" is a digit to ``isdigit`` but not
    to ``int``, and 5,000 digits exceed what ``int`` converts."""
    return text.isascii() and text.isdigit() and len(text) <= most


def parse_page(text: str | None) -> int:
    if text is None:
        return 1
    if not _digits(text, 6) or not 1 <= int(text) <= MAX_PAGE:
        raise bad_input(f"The page must be a number from 1 to {MAX_PAGE}.")
    return int(text)


def parse_id(text: str) -> int:
    """A digest id from the address; one no database can hold is a page that is not there."""
    if not _digits(text, 19) or int(text) > MAX_ID:
        raise web.HTTPNotFound()
    return int(text)


def mailbox_query(values: Mapping[str, str]) -> MailboxQuery:
    """The mailbox list's filters from its query string."""
    date_from = parse_date(_field(values, "from"), "from")
    date_to = parse_date(_field(values, "to"), "to")
    if date_from and date_to and date_from > date_to:
        raise bad_input("The from date is after the to date; swap them.")
    return MailboxQuery(
        date_from=date_from,
        date_to=date_to,
        topic=parse_topic(_field(values, "topic")),
        archived=_field(values, "folder") == "archive",
        page=parse_page(_field(values, "page")),
    )


def digest_filters(values: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The digest page's enroller (license number) and topic filters."""
    return parse_license(_field(values, "enroller")), parse_topic(_field(values, "topic"))
