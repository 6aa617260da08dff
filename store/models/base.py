"""The declarative base and column types every table of the consumer store shares.

Stored times are aware UTC (:class:`UtcDateTime`); business dates are plain ``date`` values
already resolved in the agency's time zone. Enumerations are stored as short strings with
CHECK constraints (:func:`_enum`), so a bad value is refused by the database itself.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def since_created(context: Any) -> datetime:
    """Default of a ``*_changed_at`` column: a new row's state began when the row did (its
    ``created_at``, itself the fact's effective time), not when bob wrote it."""
    given = context.get_current_parameters().get("created_at")
    return given if given is not None else utcnow()


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every backend; naive datetimes are refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(32, *(len(str(m.value)) for m in cls)),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
