"""The Daily Summary notification topics, declared as data.

A topic is a row: its name, the portal's title, a frequency policy and a selector. A
selector is one set-based SQL query over the whole store that returns the candidates
``(recipient_id, consumer_id, event_key)`` that hold as of ``window.cutoff`` — never a
Python loop over consumers. The recipient is the enroller the consumer is actively
delegated to. Changing states (enrollment status and binder, delegation status, enroller
active) are read from their history periods in effect at the cutoff, and every dated fact
counts only when it became true before the cutoff, so a past date replays exactly.

The first eight topics are the CalHEERS portal's frequency contract. The ones marked
``bobs_own`` are bob's: follow-up deadlines and delegations at risk, which an agency may turn
off (``agencies.bob_topics``) and a person may quiet by name (:data:`BOBS_OWN_TOPICS`). A
follow-up counts while it was raised before the cutoff and not resolved before it; its due
date is the one bob holds now (a due date moved by a later import is not history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from rules.policies import BeforeDue, DailyUntilResolved, EveryNDaysWhile, Once, OnDates, Policy
from store.day_count import days_until
from store.history import held, in_effect
from store.join_order import in_order
from store.models import (
    Agency,
    Consent,
    ConsumerFlag,
    Coverage,
    DelegationPeriod,
    DelegationStatus,
    Enroller,
    EnrollerPeriod,
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    FlagKind,
    FollowUp,
    Notice,
    NoticeKind,
)
from store.models.people import MAX_DUE_SOON_DAYS

# A one-time event older than this many local days when first evaluated is history, not
# news: importing a book with years of notices must not flood the first Daily Summary.
ONE_TIME_LOOKBACK_DAYS = 14

# "Follow-up due soon" alerts this many days before the due date, unless the agency lists
# its own days (``agencies.due_soon_days``, e.g. "30,15,5,1").
DUE_SOON_DAYS = (30, 15, 5, 1)


@dataclass(frozen=True)
class SelectionWindow:
    """What a selector sees: the business date, the instant the book is read as of (local
    midnight starting that date), the local midnight ``ONE_TIME_LOOKBACK_DAYS`` before it
    (calendar days, so a DST change does not move it by an hour) and the agencies whose
    calendar that is."""

    day: date
    cutoff: datetime
    lookback_start: datetime
    agency_ids: Select[int]
    # Every day count before a due date that any of the agencies alerts on: the due-soon
    # selector starts from the few follow-ups due on those dates.
    due_soon_days: tuple[int, ...] = ()


Candidates = Select[int, int, str]
Selector = Callable[[SelectionWindow], Candidates]


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    policy: Policy
    selector: Selector
    condition: str
    bobs_own: bool = False  # bob's own topic, not one of the CalHEERS portal's eight


def _key(prefix: str, *columns: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[str]:
    key: ColumnElement[str] = literal(prefix, String)
    for n, column in enumerate(columns):
        key = key + (literal(":", String) if n else literal("", String)) + cast(column, String)
    return key.label("event_key")


def _delegated(window: SelectionWindow) -> ColumnElement[bool]:
    """As of the cutoff, the consumer was actively delegated to an enroller of the window's
    agencies who was active."""
    return and_(
        DelegationPeriod.status == DelegationStatus.ACTIVE,
        in_effect(DelegationPeriod, window.cutoff),
        EnrollerPeriod.active.is_(True),
        in_effect(EnrollerPeriod, window.cutoff),
        Enroller.agency_id.in_(window.agency_ids),
    )


def _events_delegated(
    events: Any, consumer_id: ColumnElement[int] | InstrumentedAttribute[int], event_key: ColumnElement[str]
) -> Candidates:
    """Start from ``events`` (a table, tables or subquery: the few rows of the window) and
    look each one's delegation and enroller up by index, in that order on every database,
    so the plan never walks every delegation (see :mod:`store.join_order`)."""
    return (
        select(
            DelegationPeriod.enroller_id.label("recipient_id"),
            DelegationPeriod.consumer_id.label("consumer_id"),
            event_key,
        )
        .select_from(in_order(events, DelegationPeriod, Enroller, EnrollerPeriod))
        .where(
            DelegationPeriod.consumer_id == consumer_id,
            Enroller.id == DelegationPeriod.enroller_id,
            EnrollerPeriod.enroller_id == DelegationPeriod.enroller_id,
        )
    )


def _news(began: InstrumentedAttribute[datetime], window: SelectionWindow) -> ColumnElement[bool]:
    """A one-time event is news when it began before the cutoff, within the lookback."""
    return and_(began < window.cutoff, began >= window.lookback_start)


def binder_payment_pending(window: SelectionWindow) -> Candidates:
    enrollments = in_order(EnrollmentPeriod, Enrollment)
    key = _key("enrollment:", EnrollmentPeriod.enrollment_id)
    return _events_delegated(enrollments, EnrollmentPeriod.consumer_id, key).where(
        _delegated(window),
        Enrollment.id == EnrollmentPeriod.enrollment_id,
        Enrollment.coverage == Coverage.HEALTH,
        EnrollmentPeriod.status == EnrollmentStatus.PENDING,
        EnrollmentPeriod.binder_paid == False,  # noqa: E712 (indexable, where IS FALSE is not)
        in_effect(EnrollmentPeriod, window.cutoff),
    )


def consent_valid_thru(window: SelectionWindow) -> Candidates:
    latest = (
        select(Consent.consumer_id, func.max(Consent.valid_thru).label("valid_thru"))
        .where(Consent.created_at < window.cutoff)
        .group_by(Consent.consumer_id)
        .subquery()
    )
    key = _key("consent:", latest.c.consumer_id)
    return _events_delegated(latest, latest.c.consumer_id, key).where(
        _delegated(window),
        latest.c.valid_thru >= window.day,
        latest.c.valid_thru < window.day.replace(year=window.day.year + 1),
    )


def _open_flag(kind: FlagKind) -> Selector:
    def selector(window: SelectionWindow) -> Candidates:
        key = _key(f"{kind.value}:", DelegationPeriod.consumer_id)
        return (
            _events_delegated(ConsumerFlag, ConsumerFlag.consumer_id, key)
            .where(
                _delegated(window),
                ConsumerFlag.kind == kind,
                held(ConsumerFlag.raised_at, ConsumerFlag.resolved_at, window.cutoff),
            )
            .distinct()
        )

    selector.__name__ = f"open_{kind.value}"
    return selector


def nod_notice(window: SelectionWindow) -> Candidates:
    return _events_delegated(Notice, Notice.consumer_id, _key("notice:", Notice.id)).where(
        _delegated(window),
        Notice.kind == NoticeKind.NOD,
        _news(Notice.created_at, window),
    )


def _enrollment_became(status: EnrollmentStatus) -> Selector:
    def selector(window: SelectionWindow) -> Candidates:
        key = _key(f"{status.value}:", EnrollmentPeriod.enrollment_id)
        return _events_delegated(EnrollmentPeriod, EnrollmentPeriod.consumer_id, key).where(
            _delegated(window),
            EnrollmentPeriod.status == status,
            _news(EnrollmentPeriod.status_since, window),
            in_effect(EnrollmentPeriod, window.cutoff),
        )

    selector.__name__ = f"enrollment_{status.value}"
    return selector


def _outstanding(window: SelectionWindow) -> ColumnElement[bool]:
    """The follow-up was raised before the cutoff and not cleared or expired before it."""
    return held(FollowUp.created_at, FollowUp.resolved_at, window.cutoff)


def _due_soon_days(default: tuple[int, ...]) -> ColumnElement[str]:
    """The recipient's agency's due-soon days as ``,30,15,5,1,``, so a day count matches
    with ``LIKE '%,N,%'`` (agencies are few: one indexed look-up each)."""
    listed = select(Agency.due_soon_days).where(Agency.id == Enroller.agency_id).scalar_subquery()
    fallback = literal(",".join(str(n) for n in default), String)
    return literal(",", String) + func.coalesce(listed, fallback) + literal(",", String)


def follow_up_due_soon(window: SelectionWindow) -> Candidates:
    days = cast(days_until(FollowUp.due_on, window.day), String)
    pattern = literal("%,", String) + days + literal(",%", String)
    key = _key("follow_up:", FollowUp.id)
    due_dates = [window.day + timedelta(days=n) for n in window.due_soon_days or DUE_SOON_DAYS]
    return _events_delegated(FollowUp, FollowUp.consumer_id, key).where(
        _delegated(window),
        FollowUp.due_on.in_(due_dates),
        FollowUp.due_on > window.day,
        FollowUp.due_on <= window.day + timedelta(days=MAX_DUE_SOON_DAYS),
        _outstanding(window),
        _due_soon_days(DUE_SOON_DAYS).like(pattern),
    )


def follow_up_overdue(window: SelectionWindow) -> Candidates:
    key = _key("follow_up:", FollowUp.id)
    return _events_delegated(FollowUp, FollowUp.consumer_id, key).where(
        _delegated(window),
        FollowUp.due_on < window.day,
        _outstanding(window),
    )


def _delegation_of_enroller(window: SelectionWindow) -> ColumnElement[bool]:
    """The delegation's own enroller was active at the cutoff, in the window's agencies."""
    return and_(
        EnrollerPeriod.active.is_(True),
        in_effect(EnrollerPeriod, window.cutoff),
        Enroller.agency_id.in_(window.agency_ids),
    )


def _delegation_candidates() -> Candidates:
    return (
        select(
            DelegationPeriod.enroller_id.label("recipient_id"),
            DelegationPeriod.consumer_id.label("consumer_id"),
            _key("delegation:", DelegationPeriod.delegation_id),
        )
        .select_from(in_order(DelegationPeriod, Enroller, EnrollerPeriod))
        .where(
            Enroller.id == DelegationPeriod.enroller_id,
            EnrollerPeriod.enroller_id == DelegationPeriod.enroller_id,
        )
    )


def pending_delegation(window: SelectionWindow) -> Candidates:
    return _delegation_candidates().where(
        _delegation_of_enroller(window),
        DelegationPeriod.status == DelegationStatus.PENDING,
        in_effect(DelegationPeriod, window.cutoff),
    )


def delegation_removed(window: SelectionWindow) -> Candidates:
    earlier = DelegationPeriod.__table__.alias("was_active")
    return _delegation_candidates().where(
        _delegation_of_enroller(window),
        DelegationPeriod.status == DelegationStatus.REMOVED,
        _news(DelegationPeriod.valid_from, window),
        exists().where(
            earlier.c.delegation_id == DelegationPeriod.delegation_id,
            earlier.c.status == DelegationStatus.ACTIVE,
            earlier.c.valid_from < DelegationPeriod.valid_from,
        ),
    )


TOPICS: tuple[Topic, ...] = (
    Topic(
        "binder_payment_pending",
        "Binder Payment Pending",
        EveryNDaysWhile(7),
        binder_payment_pending,
        "A health enrollment is pending and its binder payment is unpaid; alerts when first "
        "seen and every 7 days after while it stays so.",
    ),
    Topic(
        "consent_valid_thru",
        "Consent Valid Thru",
        OnDates(("08-01", "09-01", "10-01")),
        consent_valid_thru,
        "On 8/1, 9/1 and 10/1 only: the consumer's latest consent for verification expires "
        "within the coming year.",
    ),
    Topic(
        "actions_requested",
        "Actions Requested for Consumer",
        DailyUntilResolved(),
        _open_flag(FlagKind.ACTION_REQUESTED),
        "The case has an action requested that is not yet resolved; alerts every day until it is.",
    ),
    Topic(
        "nod_notice",
        "NOD Notice",
        Once(),
        nod_notice,
        "A Notice of Determination was generated on the case; alerts once, the day after.",
    ),
    Topic(
        "enrollment_canceled",
        "Enrollment Canceled",
        Once(),
        _enrollment_became(EnrollmentStatus.CANCELED),
        "An enrollment was canceled; alerts once.",
    ),
    Topic(
        "enrollment_terminated",
        "Enrollment Terminated",
        Once(),
        _enrollment_became(EnrollmentStatus.TERMINATED),
        "An enrollment was terminated; alerts once.",
    ),
    Topic(
        "medicare_aged_out",
        "Medicare Aged Out",
        DailyUntilResolved(),
        _open_flag(FlagKind.MEDICARE_AGED_OUT),
        "A household member aged into Medicare and the case is not yet updated; alerts every "
        "day until resolved.",
    ),
    Topic(
        "enrollment_updates_pending",
        "Enrollment Updates Pending",
        DailyUntilResolved(),
        _open_flag(FlagKind.ENROLLMENT_UPDATE_PENDING),
        "An enrollment update is pending on the case; alerts every day until it is resolved.",
    ),
    Topic(
        "follow_up_due_soon",
        "Follow-up Due Soon",
        BeforeDue(DUE_SOON_DAYS),
        follow_up_due_soon,
        "A DMI, SVI or document follow-up is still outstanding; alerts 30, 15, 5 and 1 days "
        "before its due date (the agency may list other days).",
        bobs_own=True,
    ),
    Topic(
        "follow_up_overdue",
        "Follow-up Overdue",
        DailyUntilResolved(),
        follow_up_overdue,
        "A follow-up's due date has passed and it is neither cleared nor expired; alerts every "
        "day until it is.",
        bobs_own=True,
    ),
    Topic(
        "pending_delegation",
        "Pending Delegation",
        DailyUntilResolved(),
        pending_delegation,
        "A consumer's delegation to this enroller awaits acceptance; alerts every day until "
        "it is accepted or withdrawn.",
        bobs_own=True,
    ),
    Topic(
        "delegation_removed",
        "Delegation Removed",
        Once(),
        delegation_removed,
        "A consumer left this enroller's book (an active delegation was removed: agent-of-"
        "record risk); alerts once, to the enroller who lost it.",
        bobs_own=True,
    ),
)

TOPICS_BY_NAME = {topic.name: topic for topic in TOPICS}
CALHEERS_TOPICS: tuple[str, ...] = tuple(topic.name for topic in TOPICS if not topic.bobs_own)
#: bob's own topics, by name: what an agency can turn off and a person can quiet.
BOBS_OWN_TOPICS: tuple[str, ...] = tuple(topic.name for topic in TOPICS if topic.bobs_own)
TOPIC_ORDER = {topic.name: n for n, topic in enumerate(TOPICS)}
