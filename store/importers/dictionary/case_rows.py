"""A row of a consumer-case entity (consumers, delegations, enrollments, consents, notices,
flags) as a :class:`CaseRecord`, and the key that finds a repeated row in one file."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from store.importers.cells import MASKED
from store.importers.columns import RowReader
from store.importers.dictionary.entities import ENTITY_COLUMNS, FLAG_KINDS, RENAMED
from store.importers.records import CaseRecord, DelegationFacts, EnrollmentFacts, FlagFacts


def _known(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {
        RENAMED.get(name, name): values[name]
        for name in names
        if name in values and values[name] is not MASKED
    }


MOMENTS = ("submitted_at", "status_since", "binder_paid_at")  # an enrollment's effective times


def _moment(values: dict[str, Any], name: str) -> Any:
    value = values.get(name)
    return None if value is MASKED else value


def case_record(entity: str, reader: RowReader, number: int, cells: list[Any]) -> CaseRecord:
    values = reader.read(number, cells)
    record = CaseRecord(number, values["case_number"], may_create=entity == "consumers")
    if entity == "consumers":
        names = tuple(c.header for c in ENTITY_COLUMNS["consumers"][1:])
        record.consumer = _known(values, names)
    elif entity == "delegations":
        day = values.get("delegated_on", MASKED)
        record.delegations.append(
            DelegationFacts(
                number,
                values["enroller_license"].upper(),
                values["status"],
                None if day is MASKED else day,
                knows_date=day is not MASKED,
                status_since=_moment(values, "status_since"),
            )  # fmt: skip
        )
    elif entity == "enrollments":
        names = tuple(c.header for c in ENTITY_COLUMNS["enrollments"][3:] if c.header not in MOMENTS)
        fields = _known(values, names)
        times = {name: _moment(values, name) for name in MOMENTS}
        record.enrollments.append(EnrollmentFacts(values["plan_year"], values["coverage"], fields, **times))
    elif entity == "consents":
        record.consent_valid_thru = values["valid_thru"]
        record.consent_received_at = _moment(values, "received_at")
    elif entity == "notices":
        record.notices.append((values["kind"], values["notice_date"]))
    else:
        detail = values.get("detail")
        resolved = values.get("resolved_on")
        record.flags.append(
            FlagFacts(
                FLAG_KINDS[entity],
                values["raised_on"],
                None if detail is MASKED else detail,
                None if resolved is MASKED else resolved,
            )  # fmt: skip
        )
    return record


def case_key(entity: str, record: CaseRecord) -> Hashable:
    if record.delegations:
        return (record.case_number, record.delegations[0].license_number)
    if record.enrollments:
        facts = record.enrollments[0]
        return (record.case_number, facts.plan_year, facts.coverage)
    if record.consent_valid_thru:
        return (record.case_number, record.consent_valid_thru)
    if record.notices:
        return (record.case_number, *record.notices[0])
    if record.flags:
        return (record.case_number, record.flags[0].raised_on, record.flags[0].detail)
    return record.case_number
