"""Masking of SSN, date of birth and income with asterisks, as HealthSherpa's exports do.

A masked cell holds asterisks in the value's usual shape, so a reader sees at a glance that
the value exists but was withheld; a blank cell still means "not provided". A column is
masked for what it holds (its header), so every kind of export masks the same values alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from exports.columns import COLUMNS, BookColumn, Kind

MASKS = {"Date of Birth": "**/**/****", "SSN": "***-**-****", "Annual Household Income": "*****"}


def _masked(columns: Sequence[BookColumn]) -> dict[int, str]:
    return {index: MASKS[column.header] for index, column in enumerate(columns) if column.maskable}


def masked_headers(columns: Sequence[BookColumn]) -> list[str]:
    """The headers of the columns a masked export hides."""
    return [column.header for column in columns if column.maskable]


def masked_kinds(kinds: Sequence[Kind], columns: Sequence[BookColumn] = COLUMNS) -> list[Kind]:
    """Masked columns hold text (the asterisks) instead of dates or money."""
    masked = _masked(columns)
    return [Kind.TEXT if index in masked else kind for index, kind in enumerate(kinds)]


def mask_rows(rows: Iterable[Sequence[Any]], columns: Sequence[BookColumn] = COLUMNS) -> Iterator[list[Any]]:
    """``rows`` with every present SSN, date of birth and income replaced by asterisks."""
    masked = _masked(columns)
    for row in rows:
        values = list(row)
        for index, mask in masked.items():
            if values[index] is not None:
                values[index] = mask
        yield values
