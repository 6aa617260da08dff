"""Delivery preferences in the store: read them resolved, change them with an audit entry.

Every door (the CLI, Slack's ``/bob settings``, the web settings page, one-click unsubscribe,
the enrollers import) changes preferences through this module, so each change is checked by
:mod:`rules.preferences`, allowed by :mod:`rules.access` and audited the same way.

Resolution is one query with LEFT JOINs: the person's choice, else the agency's default, else
bob's (``COALESCE``), with the person's quiet topics joined in; a Daily Summary run reads every
recipient's preferences with it at once, never one person at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, Time, and_, delete, false, func, literal, select, true
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, Attempt, Via, act, audit, may, may_choose_delivery
from rules.preferences import (
    BOB_DEFAULTS,
    BOB_WINDOW,
    SETTING_NAMES,
    AgencyChanges,
    Changes,
    DeliveryWindow,
    Preferences,
    Settings,
    check_agency_changes,
    check_changes,
    quietable,
)
from store.db import insert_ignoring_duplicates
from store.errors import Refused
from store.models import Agency, AgencySchedule, DeliveryPreference, Enroller, QuietTopic
from store.outbox import retime_held_digest_emails, withdraw_digest_emails
from store.slack_dms import retime_held_digest_dms, withdraw_digest_dms
from store.zones import DEFAULT_TIME_ZONE

NOT_ALLOWED = Refused(
    "you may change only your own delivery preferences (an agency manager: those of the agency's people)",
    "not_allowed",
)
NOT_ACTIVE = Refused("that enroller is not active", "not_linked")


def _bob(value: bool) -> ColumnElement[bool]:
    return true() if value else false()


def _agency_default(name: str) -> ColumnElement[Any]:
    """The agency's default for setting ``name``, else bob's."""
    column = getattr(AgencySchedule, f"default_{name}")
    if name == "deliver_at":
        return column  # bob's default is None: as soon as the run is done
    return func.coalesce(column, _bob(getattr(BOB_DEFAULTS, name)))


def _window_end(column: Any, bob: time) -> ColumnElement[time]:
    return func.coalesce(column, literal(bob, Time()))


def _resolved() -> Select[Any]:
    """Every enroller's resolved settings, one row per quiet topic (or one with topic NULL)."""
    settings = [
        func.coalesce(getattr(DeliveryPreference, name), _agency_default(name)).label(name)
        for name in SETTING_NAMES
    ]
    chosen = [getattr(DeliveryPreference, name).is_not(None).label(f"chose_{name}") for name in SETTING_NAMES]
    return (
        select(
            Enroller.id,
            *settings,
            *chosen,
            _window_end(AgencySchedule.earliest_delivery, BOB_WINDOW.earliest).label("earliest"),
            _window_end(AgencySchedule.latest_delivery, BOB_WINDOW.latest).label("latest"),
            func.coalesce(Agency.time_zone, DEFAULT_TIME_ZONE).label("time_zone"),
            QuietTopic.topic,
        )
        .join(Agency, Agency.id == Enroller.agency_id)
        .outerjoin(DeliveryPreference, DeliveryPreference.enroller_id == Enroller.id)
        .outerjoin(AgencySchedule, AgencySchedule.agency_id == Enroller.agency_id)
        .outerjoin(QuietTopic, QuietTopic.enroller_id == Enroller.id)
        .order_by(Enroller.id, QuietTopic.topic)
    )


def _preferences(rows: Iterable[Any]) -> dict[int, Preferences]:
    found: dict[int, Preferences] = {}
    quiet: dict[int, set[str]] = {}
    for row in rows:
        if row.topic is not None:
            quiet.setdefault(row.id, set()).add(row.topic)
        if row.id in found:
            continue
        window = DeliveryWindow(row.earliest, row.latest)
        found[row.id] = Preferences(
            enroller_id=row.id,
            email_digest=bool(row.email_digest),
            slack_digest=bool(row.slack_digest),
            email_no_alerts=bool(row.email_no_alerts),
            slack_no_alerts=bool(row.slack_no_alerts),
            deliver_at=window.clamp(row.deliver_at) if row.deliver_at is not None else None,
            quiet_topics=frozenset(),
            window=window,
            time_zone=row.time_zone,
            chosen=_frozen(name for name in SETTING_NAMES if getattr(row, f"chose_{name}")),
        )
    return {
        enroller_id: _with_quiet(prefs, quiet.get(enroller_id, set())) for enroller_id, prefs in found.items()
    }


def _with_quiet(prefs: Preferences, topics: set[str]) -> Preferences:
    """Only topics that may still be quieted count (a topic bob reclassified is ignored)."""
    return replace(prefs, quiet_topics=_frozen(topic for topic in topics if quietable(topic)))


_NONE: frozenset[str] = frozenset()


def _frozen(items: Iterable[str]) -> frozenset[str]:
    """``frozenset(items)``, sharing one empty set: a run reads ten thousand people's
    preferences, most with no quiet topic and no choice of their own (216 bytes each)."""
    found = frozenset(items)
    return found if found else _NONE


def preferences_for(
    session: Session,
    *,
    agency_ids: Collection[int] | None = None,
    enroller_ids: Collection[int] | None = None,
) -> dict[int, Preferences]:
    """The resolved preferences of every enroller (of ``agency_ids`` / ``enroller_ids`` when
    given), by enroller id, in one query: what a run reads for all its recipients."""
    query = _resolved()
    if agency_ids is not None:
        query = query.where(Enroller.agency_id.in_(agency_ids))
    if enroller_ids is not None:
        query = query.where(Enroller.id.in_(enroller_ids))
    return _preferences(session.execute(query))


def effective_preferences(session: Session, enroller_id: int) -> Preferences:
    """One enroller's resolved preferences; an enroller not on file is refused."""
    found = preferences_for(session, enroller_ids=[enroller_id])
    if enroller_id not in found:
        raise Refused("no enroller has that id", "unknown_enroller")
    return found[enroller_id]


def set_preferences(
    session: Session, enroller_id: int, changes: Changes, actor: Enroller, via: Via, at: datetime
) -> Preferences:
    """Apply ``changes`` to an enroller's preferences for ``actor`` (themselves, or a manager
    of their agency), in the caller's transaction, with a ``prefs.set`` audit entry; returns
    the preferences now in effect. Refuses before changing anything."""
    person = session.get(Enroller, enroller_id)
    if person is None or not may_choose_delivery(actor, person):
        raise NOT_ALLOWED
    check_changes(changes, effective_preferences(session, enroller_id).window)
    _write(session, enroller_id, changes, at)
    _follow_queued(session, at, enroller_ids=[enroller_id])
    detail = {**via.detail(), "changes": changes.as_detail()}
    audit(
        session,
        actor,
        "prefs.set",
        f"enroller:{enroller_id}",
        "ok",
        at,
        detail,
        slack_user_id=via.slack_user_id,
    )
    session.flush()
    return effective_preferences(session, enroller_id)


def change_preferences(
    sessions: sessionmaker[Session], actor_id: int, enroller_id: int, changes: Changes, via: Via, at: datetime
) -> Preferences:
    """:func:`set_preferences` in its own transaction as the active enroller ``actor_id``; a
    refusal is audited and committed before it is raised."""
    attempt = Attempt(
        "prefs.set", f"enroller:{enroller_id}", at, detail=via.detail(), slack_user_id=via.slack_user_id
    )
    return act(
        sessions,
        actor_id,
        attempt,
        lambda session, actor: set_preferences(session, enroller_id, changes, actor, via, at),
        NOT_ACTIVE,
    )


def turn_email_digests_off(session: Session, enroller_id: int, via: Via, at: datetime) -> Preferences:
    """The recipient's own one-click unsubscribe (their token, checked by the caller, stands
    for them): email digests off, audited as ``prefs.unsubscribe``."""
    changes = Changes(email_digest=False)
    _write(session, enroller_id, changes, at)
    _follow_queued(session, at, enroller_ids=[enroller_id])
    detail = {**via.detail(), "changes": changes.as_detail()}
    audit(session, enroller_id, "prefs.unsubscribe", f"enroller:{enroller_id}", "ok", at, detail)
    session.flush()
    return effective_preferences(session, enroller_id)


def _follow_queued(
    session: Session,
    at: datetime,
    *,
    enroller_ids: Collection[int] | None = None,
    agency_id: int | None = None,
) -> None:
    """Digests already queued follow the preferences now in effect: on a channel now off they
    are withdrawn (the unsubscribe page promises no more emails), and those held for a
    delivery time move to the new one. Otherwise a digest held until later today would
    still leave after the person (or their agency's default) said stop, or at a time no
    longer wanted. The mailbox keeps every digest."""
    session.flush()
    found = preferences_for(
        session, enroller_ids=enroller_ids, agency_ids=None if agency_id is None else [agency_id]
    )
    withdraw_digest_emails(session, [i for i, prefs in found.items() if not prefs.email_digest])
    withdraw_digest_dms(session, [i for i, prefs in found.items() if not prefs.slack_digest])

    def until(enroller_id: int, day: date) -> datetime | None:
        return found[enroller_id].not_before(day)

    retime_held_digest_emails(session, [i for i, prefs in found.items() if prefs.email_digest], at, until)
    retime_held_digest_dms(session, [i for i, prefs in found.items() if prefs.slack_digest], at, until)


def _write(session: Session, enroller_id: int, changes: Changes, at: datetime) -> None:
    row = session.get(DeliveryPreference, enroller_id)
    if row is None:
        row = DeliveryPreference(enroller_id=enroller_id)
        session.add(row)
    row.chosen_at = at
    for name, value in changes.settings().items():
        setattr(row, name, value)
    for name in changes.reset:
        setattr(row, name, None)
    if changes.quiet:
        session.execute(
            insert_ignoring_duplicates(session, QuietTopic).on_conflict_do_nothing(),
            [{"enroller_id": enroller_id, "topic": topic} for topic in sorted(changes.quiet)],
        )
    if changes.unquiet:
        session.execute(
            delete(QuietTopic).where(
                and_(QuietTopic.enroller_id == enroller_id, QuietTopic.topic.in_(changes.unquiet))
            )
        )


@dataclass(frozen=True)
class AgencyDefaults:
    """What an agency's people follow until they choose, and the window they choose from."""

    agency_id: int
    defaults: Settings
    window: DeliveryWindow


def agency_defaults(session: Session, agency_id: int) -> AgencyDefaults:
    row = session.get(AgencySchedule, agency_id)
    if row is None:
        return AgencyDefaults(agency_id, BOB_DEFAULTS, BOB_WINDOW)
    window = DeliveryWindow(
        row.earliest_delivery or BOB_WINDOW.earliest, row.latest_delivery or BOB_WINDOW.latest
    )
    deliver_at = window.clamp(row.default_deliver_at) if row.default_deliver_at is not None else None
    defaults = Settings(
        email_digest=row.default_email_digest,
        slack_digest=row.default_slack_digest,
        email_no_alerts=row.default_email_no_alerts,
        slack_no_alerts=row.default_slack_no_alerts,
        deliver_at=deliver_at,
    )
    return AgencyDefaults(agency_id, defaults, window)


def set_agency_defaults(
    session: Session, agency_id: int, changes: AgencyChanges, actor: Enroller, via: Via, at: datetime
) -> AgencyDefaults:
    """Change an agency's window and the defaults its people follow, for a manager of that
    agency, with a ``prefs.agency`` audit entry; refuses before changing anything."""
    if actor.agency_id != agency_id or not may(actor, Action.CHOOSE_AGENCY_DELIVERY):
        raise Refused("only the agency's managers may change its delivery defaults", "not_allowed")
    check_agency_changes(changes, agency_defaults(session, agency_id).window)
    row = session.get(AgencySchedule, agency_id)
    if row is None:
        row = AgencySchedule(agency_id=agency_id)
        session.add(row)
    for name, value in changes.defaults.items():
        setattr(row, f"default_{name}", value)
    if changes.earliest is not None:
        row.earliest_delivery = changes.earliest
    if changes.latest is not None:
        row.latest_delivery = changes.latest
    if changes.reset_deliver_at:
        row.default_deliver_at = None
    turned_off = any(changes.defaults.get(name) is False for name in ("email_digest", "slack_digest"))
    window = changes.earliest is not None or changes.latest is not None
    if turned_off or window or "deliver_at" in changes.defaults or changes.reset_deliver_at:
        _follow_queued(session, at, agency_id=agency_id)
    detail = {**via.detail(), "changes": changes.as_detail()}
    audit(
        session,
        actor,
        "prefs.agency",
        f"agency:{agency_id}",
        "ok",
        at,
        detail,
        slack_user_id=via.slack_user_id,
    )
    session.flush()
    return agency_defaults(session, agency_id)


def change_agency_defaults(
    sessions: sessionmaker[Session],
    actor_id: int,
    agency_id: int,
    changes: AgencyChanges,
    via: Via,
    at: datetime,
) -> AgencyDefaults:
    """:func:`set_agency_defaults` in its own transaction, a refusal audited and committed."""
    attempt = Attempt(
        "prefs.agency", f"agency:{agency_id}", at, detail=via.detail(), slack_user_id=via.slack_user_id
    )
    return act(
        sessions,
        actor_id,
        attempt,
        lambda session, actor: set_agency_defaults(session, agency_id, changes, actor, via, at),
        NOT_ACTIVE,
    )


def import_preferences(session: Session, imported: dict[int, dict[str, object]]) -> set[int]:
    """Set the preferences an import file gives (enroller id → setting → value) for each
    enroller who has not chosen their own; a person's own choice is never overwritten.
    Returns the enrollers whose preferences changed. A chunk's enrollers are read at once."""
    if not imported:
        return set()
    stored = {
        row.enroller_id: row
        for row in session.scalars(
            select(DeliveryPreference).where(DeliveryPreference.enroller_id.in_(imported))
        )
    }
    changed: set[int] = set()
    for enroller_id, values in imported.items():
        row = stored.get(enroller_id)
        if row is None:
            session.add(DeliveryPreference(enroller_id=enroller_id, **values))
            changed.add(enroller_id)
        elif row.chosen_at is None and any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.add(enroller_id)
    session.flush()
    return changed


def agency_windows(session: Session, agency_ids: Iterable[int]) -> dict[int, DeliveryWindow]:
    """Each agency's delivery window (bob's where the agency set none)."""
    found = {agency_id: BOB_WINDOW for agency_id in agency_ids}
    query = select(AgencySchedule.agency_id, AgencySchedule.earliest_delivery, AgencySchedule.latest_delivery)
    for agency_id, earliest, latest in session.execute(query.where(AgencySchedule.agency_id.in_(found))):
        found[agency_id] = DeliveryWindow(earliest or BOB_WINDOW.earliest, latest or BOB_WINDOW.latest)
    return found
