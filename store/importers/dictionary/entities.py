"""The columns of each entity of bob's own import files, declared as data.

They are documented, with examples, in ``docs/data-dictionary.md``; ``ENTITIES`` is also
the load order (agencies before enrollers before consumers before what hangs off a consumer).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.importers.cells import (
    CellError,
    count,
    enum_choice,
    parse_cents,
    parse_date,
    parse_moment,
    percent,
    text,
    yes_no,
)
from store.importers.columns import Column
from store.models import (
    Coverage,
    DelegationStatus,
    EnrollmentStatus,
    FlagKind,
    FollowUpKind,
    FollowUpStatus,
    NoticeKind,
    Program,
    Role,
)
from store.models.people import MAX_DUE_SOON_DAYS


def time_zone(raw: Any) -> str:
    name = str(raw).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CellError("not a time zone name such as America/Los_Angeles") from None
    return name


def due_soon_days(raw: Any) -> str:
    """Days before a follow-up's due date that "Follow-up Due Soon" alerts: ``30,15,5,1``."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    try:
        found = sorted(
            {int(part) for part in str(raw).replace(";", ",").split(",") if part.strip()}, reverse=True
        )
    except ValueError:
        raise CellError("not a list of days such as 30,15,5,1") from None
    if not found or not all(1 <= n <= MAX_DUE_SOON_DAYS for n in found) or len(found) > 8:
        raise CellError(f"list 1 to 8 days, each from 1 to {MAX_DUE_SOON_DAYS}, such as 30,15,5,1")
    return ",".join(str(n) for n in found)


_HH_MM = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


def delivery_time(raw: Any) -> time:
    """A local time of day, HH:MM on the 24-hour clock (a workbook's time cell too)."""
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    match = _HH_MM.fullmatch(str(raw).strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError("not a time written HH:MM (24-hour)")
    return time(int(match[1]), int(match[2]))


# The enrollers file's delivery preference columns: a person's starting choices.
PREFERENCE_COLUMNS = (
    Column("email_digest", yes_no),
    Column("slack_digest", yes_no),
    Column("email_no_alerts", yes_no),
    Column("slack_no_alerts", yes_no),
    Column("deliver_at", delivery_time),
)

CASE = Column("case_number", text(32), required=True)
FLAG_COLUMNS = (
    CASE,
    Column("raised_on", parse_date, required=True),
    Column("detail", text(200)),
    Column("resolved_on", parse_date),
)

ENTITY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "agencies": (
        Column("code", text(64), required=True),
        Column("name", text(200), required=True),
        Column("time_zone", time_zone),
        Column("prevent_downline_exports", yes_no),
        Column("mask_exports_by_default", yes_no),
        Column("bob_topics", yes_no),
        Column("due_soon_days", due_soon_days),
    ),
    "enrollers": (
        Column("license_number", text(32), required=True),
        Column("agency_code", text(64), required=True),
        Column("first_name", text(100), required=True),
        Column("last_name", text(100), required=True),
        Column("email", text(254), required=True),
        Column("phone", text(32)),
        Column("role", enum_choice(Role), required=True),
        Column("active", yes_no),
        Column("active_since", parse_moment),
        *PREFERENCE_COLUMNS,
    ),
    "consumers": (
        CASE,
        Column("first_name", text(100), required=True),
        Column("last_name", text(100), required=True),
        Column("date_of_birth", parse_date),
        Column("ssn", text(11)),
        Column("email", text(254)),
        Column("primary_phone", text(32)),
        Column("secondary_phone", text(32)),
        Column("written_language", text(40)),
        Column("spoken_language", text(40)),
        Column("address_line1", text(200)),
        Column("address_line2", text(200)),
        Column("city", text(100)),
        Column("state", text(2)),
        Column("zip_code", text(10)),
        Column("county", text(60)),
        Column("mailing_address", text(300)),
        Column("household_size", count(1, 99)),
        Column("annual_income", parse_cents),
        Column("fpl_percent", percent),
        Column("application_status", text(40)),
        Column("eligibility_status", text(40)),
        Column("medi_cal_status", text(40)),
        Column("medi_cal_renewal_date", parse_date),
    ),
    "delegations": (
        CASE,
        Column("enroller_license", text(32), required=True),
        Column("status", enum_choice(DelegationStatus), required=True),
        Column("delegated_on", parse_date),
        Column("status_since", parse_moment),
    ),
    "enrollments": (
        CASE,
        Column("plan_year", count(2000, 2100), required=True),
        Column("coverage", enum_choice(Coverage), required=True),
        Column("program", enum_choice(Program), required=True),
        Column("status", enum_choice(EnrollmentStatus), required=True),
        Column("carrier", text(100)),
        Column("plan_name", text(200)),
        Column("metal_tier", text(40)),
        Column("start_date", parse_date),
        Column("end_date", parse_date),
        Column("gross_premium", parse_cents),
        Column("aptc", parse_cents),
        Column("net_premium", parse_cents),
        Column("csr_level", text(40)),
        Column("binder_paid", yes_no),
        Column("submitted_at", parse_moment),
        Column("status_since", parse_moment),
        Column("binder_paid_at", parse_moment),
    ),
    "consents": (CASE, Column("valid_thru", parse_date, required=True), Column("received_at", parse_moment)),
    "notices": (
        CASE,
        Column("kind", enum_choice(NoticeKind), required=True),
        Column("notice_date", parse_date, required=True),
    ),
    "actions_requested": FLAG_COLUMNS,
    "enrollment_updates_pending": FLAG_COLUMNS,
    "medicare_aged_out": FLAG_COLUMNS,
    "follow_ups": (
        CASE,
        Column("external_ref", text(64)),
        Column("kind", enum_choice(FollowUpKind), required=True),
        Column("needed", text(120), required=True),
        Column("due_on", parse_date, required=True),
        Column("status", enum_choice(FollowUpStatus)),
        Column("raised_on", parse_moment),
        Column("status_since", parse_moment),
    ),
}
ENTITIES = tuple(ENTITY_COLUMNS)  # also the load order
FLAG_KINDS = {
    "actions_requested": FlagKind.ACTION_REQUESTED,
    "enrollment_updates_pending": FlagKind.ENROLLMENT_UPDATE_PENDING,
    "medicare_aged_out": FlagKind.MEDICARE_AGED_OUT,
}
RENAMED = {"annual_income": "annual_income_cents", "gross_premium": "gross_premium_cents",
           "aptc": "aptc_cents", "net_premium": "net_premium_cents"}  # fmt: skip
