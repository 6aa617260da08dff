"""Finding a person (an enroller by license number or email on file, or by full name) and naming one.

One case rule everywhere (CLI ``--as``, ``bob mailbox``, ``/bob link``, ``/bob export agent``,
``/bob transfer``): license numbers compare upper-cased and trimmed, emails lower-cased and
trimmed, full names case-insensitively with extra spaces ignored. The rule is applied to the
stored value too, so rows imported as ``Ana.Agent@Example.com`` are found by any spelling.
A value holding a control character names nobody (PostgreSQL refuses a NUL in a query).
Comparing through ``upper()``/``lower()`` reads the whole enrollers table instead of its
license index; with 5,000 enrollers that is about 2 ms on SQLite (3 ms by full name), so no
extra index is kept.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, func, or_, select
from sqlalchemy.orm import Session

from store.control_characters import has_control_character
from store.errors import Refused
from store.models import Enroller


class UnknownEnroller(Refused):
    """Nobody on file has that license number or email."""


def license_key(text: str) -> str:
    return text.strip().upper()


def email_key(text: str) -> str:
    return text.strip().lower()


def name_key(text: str) -> str:
    return " ".join(text.split()).lower()


def _license_is(text: str) -> ColumnElement[bool]:
    return func.upper(func.trim(Enroller.license_number)) == license_key(text)


def _email_is(text: str) -> ColumnElement[bool]:
    return func.lower(func.trim(Enroller.email)) == email_key(text)


def _full_name_is(text: str) -> ColumnElement[bool]:
    full_name = (
        func.trim(Enroller.first_name, type_=String) + " " + func.trim(Enroller.last_name, type_=String)
    )
    return func.lower(full_name) == name_key(text)


def find_enroller(session: Session, license_or_email: str, *, active_only: bool = False) -> Enroller | None:
    """The enroller with this license number or email on file (the first on file when two
    share an email), or None; ``active_only`` skips inactive enrollers."""
    if has_control_character(license_or_email):
        return None
    query = select(Enroller).where(or_(_license_is(license_or_email), _email_is(license_or_email)))
    if active_only:
        query = query.where(Enroller.active.is_(True))
    return session.scalars(query.order_by(Enroller.id)).first()


def enroller_on_file(session: Session, license_or_email: str) -> Enroller:
    """As :func:`find_enroller`, but nobody on file is an error that says so."""
    enroller = find_enroller(session, license_or_email)
    if enroller is None:
        raise UnknownEnroller("no enroller has that license number or email on file", "unknown_enroller")
    return enroller


def enrollers_named(session: Session, name_or_license: str) -> list[Enroller]:
    """The enroller with this license number, or else everyone with exactly this full first
    and last name (a partial name finds nobody, as in the portal), in the order filed."""
    if has_control_character(name_or_license):
        return []
    by_license = session.scalars(select(Enroller).where(_license_is(name_or_license))).first()
    if by_license is not None:
        return [by_license]
    return list(session.scalars(select(Enroller).where(_full_name_is(name_or_license)).order_by(Enroller.id)))
