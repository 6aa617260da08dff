"""A row of bob's own ``follow_ups`` file as a :class:`FollowUpRecord`.

Its key is ``external_ref`` when the row gives one (the id the follow-up has where it came
from), else one derived from the case, the kind and what is needed. A masked cell is
unknown: a masked ``external_ref`` falls back to the derived key, a masked status keeps the
stored one, a masked date is the file's as-of.
"""

from __future__ import annotations

from typing import Any

from store.importers.cells import MASKED
from store.importers.columns import RowReader
from store.importers.follow_ups import FollowUpLabels, FollowUpRecord, derived_ref

LABELS = FollowUpLabels("case_number", "external_ref", "raised_on", "status_since")


def _known(values: dict[str, Any], name: str) -> Any:
    value = values.get(name)
    return None if value is MASKED else value


def follow_up_record(reader: RowReader, number: int, cells: list[Any]) -> FollowUpRecord:
    values = reader.read(number, cells)
    case, kind, needed = values["case_number"], values["kind"], values["needed"]
    return FollowUpRecord(
        number,
        case,
        _known(values, "external_ref") or derived_ref(case, kind, needed),
        kind,
        needed,
        values["due_on"],
        status=_known(values, "status"),
        raised=_known(values, "raised_on"),
        status_since=_known(values, "status_since"),
    )
