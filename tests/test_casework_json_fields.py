"""A casework view as JSON: every field in order, dates and times as ISO 8601 at any depth."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rules.casework.crw_rows import CrwCaseDetail


def test_a_case_in_full_is_json_with_iso_times_also_inside_its_notes() -> None:
    opened = datetime(2026, 11, 13, 17, 0, tzinfo=UTC)
    detail = CrwCaseDetail(
        "CRW-A1", 5, "Very High Risk", "Premium increase", "open", 10, "Ana Agent (License 0A100)",
        2026, opened, None, None, None, None, [{"at": opened, "author": "Ana", "text": "Called"}],
    )  # fmt: skip

    as_json = detail.as_dict()

    assert list(as_json)[:7] == [
        "case_number",
        "risk",
        "risk_label",
        "reason",
        "status",
        "age_days",
        "assignee",
    ]
    assert as_json["opened_at"] == "2026-11-13T17:00:00+00:00" and as_json["closed_at"] is None
    assert as_json["notes"] == [{"at": "2026-11-13T17:00:00+00:00", "author": "Ana", "text": "Called"}]
    assert json.loads(json.dumps(as_json)) == as_json
