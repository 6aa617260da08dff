"""Named people and books for the export tests, and a reader for encrypted workbooks."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.workbook.workbook import Workbook

from store.models import Coverage, DelegationStatus, EnrollmentStatus, FlagKind, Program, Role
from tests.factories import Book

# Friday 2026-11-20, 10:00 in Los Angeles.
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class People:
    sunrise: int
    moonlight: int
    ana: int  # agent level 1 of Sunrise, holds the rich consumer
    ben: int  # agent level 2 of Sunrise
    max: int  # agency manager of Sunrise
    admin1: int
    admin2: int
    primary: int
    support: int
    mia: int  # agency manager of Moonlight, another agency
    rich_consumer: int
    pending_consumer: int


def build_people(book: Book) -> People:
    sunrise = book.agency()
    moonlight = book.agency(code="moonlight", name="Moonlight Health")
    ana = book.enroller(sunrise, "Ana", "Agent", license_number="0A12345")
    ben = book.enroller(sunrise, "Ben", "Broker", role=Role.AGENT_L2)
    max_ = book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER)
    admin1 = book.enroller(sunrise, "Ada", "Admin", role=Role.ADMIN_L1)
    admin2 = book.enroller(sunrise, "Abe", "Admin", role=Role.ADMIN_L2)
    primary = book.enroller(sunrise, "Pia", "Primary", role=Role.PRIMARY_CONTACT)
    support = book.enroller(sunrise, "Sue", "Support", role=Role.SUPPORT_STAFF)
    mia = book.enroller(moonlight, "Mia", "Moon", role=Role.AGENCY_MANAGER)
    rich = rich_consumer(book, ana)
    pending = book.consumer(ana, status=DelegationStatus.PENDING)
    for _ in range(3):
        book.consumer(ana)
    for _ in range(2):
        book.consumer(ben)
    book.consumer(ana, status=DelegationStatus.REMOVED)  # no longer in anyone's book
    moon_agent = book.enroller(moonlight, "Mo", "Moonagent")
    book.consumer(moon_agent)
    return People(sunrise, moonlight, ana, ben, max_, admin1, admin2, primary, support, mia, rich, pending)


def rich_consumer(book: Book, agent: int) -> int:
    """A consumer with every column filled, and history that must not show."""
    consumer = book.consumer(
        agent,
        case_number="CASE-RICH-1",
        first_name="Rosa",
        last_name="Ricci",
        date_of_birth=date(1975, 6, 30),
        ssn="123-45-6789",
        email="rosa.ricci@consumer.test",
        primary_phone="(916) 555-0101",
        secondary_phone="(916) 555-0102",
        written_language="Spanish",
        spoken_language="English",
        address_line1="12 Elm St",
        address_line2="Apt <4> & B",
        city="Sacramento",
        state="CA",
        zip_code="95814",
        county="Sacramento",
        mailing_address="PO Box 9, Sacramento CA 95812",
        household_size=4,
        annual_income_cents=6_543_210,
        fpl_percent=213,
        application_status="Submitted",
        eligibility_status="Eligible",
        medi_cal_status="Not Eligible",
        medi_cal_renewal_date=date(2027, 3, 1),
    )
    book.enrollment(
        consumer,
        plan_year=2025,
        carrier="Old Carrier",
        plan_name="Old Plan",
        status=EnrollmentStatus.TERMINATED,
    )
    book.enrollment(
        consumer,
        plan_year=2026,
        carrier="Blue Shield",
        plan_name="Silver 70 PPO",
        metal_tier="Silver",
        status=EnrollmentStatus.PENDING,
        binder_paid=False,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        gross_premium_cents=81234,
        aptc_cents=60000,
        net_premium_cents=21234,
        csr_level="CSR 87",
        program=Program.MIXED_HOUSEHOLD,
    )
    book.enrollment(
        consumer,
        coverage=Coverage.DENTAL,
        carrier="Delta Dental",
        plan_name="Dental HMO",
        status=EnrollmentStatus.EFFECTUATED,
    )
    book.consent(consumer, date(2026, 5, 31))
    book.consent(consumer, date(2030, 5, 31))
    book.notice(consumer, datetime(2026, 2, 3, 17, tzinfo=UTC))
    book.notice(consumer, datetime(2026, 10, 7, 17, tzinfo=UTC))
    raised = datetime(2026, 9, 1, tzinfo=UTC)
    book.flag(consumer, FlagKind.ACTION_REQUESTED, raised)
    book.flag(consumer, FlagKind.ACTION_REQUESTED, raised)
    book.flag(consumer, FlagKind.ACTION_REQUESTED, raised, resolved=raised)
    book.flag(consumer, FlagKind.ENROLLMENT_UPDATE_PENDING, raised)
    book.flag(consumer, FlagKind.MEDICARE_AGED_OUT, raised)
    return consumer


def midnight(day: date) -> datetime:
    """How openpyxl reads a date cell back."""
    return datetime(day.year, day.month, day.day)


RICH_ROW = (
    "CASE-RICH-1",
    "Rosa",
    "Ricci",
    midnight(date(1975, 6, 30)),
    "123-45-6789",
    "rosa.ricci@consumer.test",
    "(916) 555-0101",
    "(916) 555-0102",
    "Spanish",
    "English",
    "12 Elm St",
    "Apt <4> & B",
    "Sacramento",
    "CA",
    "95814",
    "Sacramento",
    "PO Box 9, Sacramento CA 95812",
    4,
    65432.10,
    2.13,
    "Mixed Household",
    "Submitted",
    "Eligible",
    "Not Eligible",
    midnight(date(2027, 3, 1)),
    2026,
    "Blue Shield",
    "Silver 70 PPO",
    "Silver",
    "Pending",
    midnight(date(2026, 1, 1)),
    midnight(date(2026, 12, 31)),
    812.34,
    600.0,
    212.34,
    "CSR 87",
    "Pending",
    "Delta Dental",
    "Dental HMO",
    "Effectuated",
    midnight(date(2030, 5, 31)),
    2,
    1,
    "Y",
    midnight(date(2026, 10, 7)),
    "Active",
    midnight(date(2025, 10, 1)),
    "Ana Agent (License 0A12345)",
)


def decrypt(path: Path, password: str) -> io.BytesIO:
    plain = io.BytesIO()
    with path.open("rb") as encrypted:
        office = OOXMLFile(encrypted)
        office.load_key(password=password, verify_password=True)
        office.decrypt(plain)
    plain.seek(0)
    return plain


def open_workbook(path: Path, password: str) -> Workbook:
    return openpyxl.load_workbook(decrypt(path, password))
