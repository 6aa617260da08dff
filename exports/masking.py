"""Masking of SSN, date of birth and income with asterisks, as HealthSherpa's exports do.

A masked cell holds asterisks in the value's usual shape, so a reader sees at a glance that
the value exists but was withheld; a blank cell still means "not provided".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from exports.columns import COLUMNS, Kind

MASKS = {"D": "**/**/****", "E": "***-**-****", "S": "*****"}
_MASKED = {index: MASKS[column.letter] for index, column in enumerate(COLUMNS) if column.maskable}


def masked_kinds(kinds: Sequence[Kind]) -> list[Kind]:
    """Masked columns hold text (the asterisks) instead of dates or money."""
    return [Kind.TEXT if index in _MASKED else kind for index, kind in enumerate(kinds)]


def mask_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """``rows`` with every present SSN, date of birth and income replaced by asterisks."""
    for row in rows:
        values = list(row)
        for index, mask in _MASKED.items():
            if values[index] is not None:
                values[index] = mask
        yield values
