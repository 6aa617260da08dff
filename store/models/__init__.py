"""SQLAlchemy 2 models of the consumer store, one module per concept.

Every table and enumeration is re-exported here, so callers write ``from store.models import X``.
A model's module is imported when one of its names is first asked for (PEP 562), so a command
pays only for the tables it uses: defining all of them takes about 50 ms, more than the rest
of `bob outbox status`'s own work, which needs one. Asking for ``Base`` imports every module,
so Alembic and the seed see every table through ``Base.metadata``; so does the ORM's first use
(configuring the mappers), so a flush orders its tables by every foreign key.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from store.models import base
from store.models.base import NAMING, UtcDateTime, utcnow

if TYPE_CHECKING:
    from store.models.audit import AuditEntry
    from store.models.base import Base
    from store.models.cases import (
        Consent,
        Consumer,
        ConsumerFlag,
        Coverage,
        Delegation,
        DelegationStatus,
        Enrollment,
        EnrollmentStatus,
        FlagKind,
        Notice,
        NoticeKind,
        Program,
    )
    from store.models.crw_cases import CrwCase, CrwNote, CrwStatus
    from store.models.delivery import DigestKind, MailboxMessage, OutboxEmail, OutboxStatus
    from store.models.exports import ExportRecord, ExportScope, ExportStatus, Snapshot, SnapshotRow
    from store.models.follow_ups import OUTSTANDING, FollowUp, FollowUpKind, FollowUpSource, FollowUpStatus
    from store.models.help_requests import HelpCategory, HelpRequest, HelpRequestUpdate, HelpStatus
    from store.models.history import DelegationPeriod, EnrollerPeriod, EnrollmentPeriod, HistoryChange
    from store.models.incidents import Incident
    from store.models.ledgers import Alert, JobRun, RunStatus
    from store.models.people import Agency, Enroller, LinkCode, RateLimit, Role
    from store.models.preferences import AgencySchedule, DeliveryPreference, QuietTopic
    from store.models.slack_dms import SlackDm
    from store.models.unsubscribe import UnsubscribeKey
    from store.models.web import SignInLink, WebSession

# Each model module of this package and the names it gives.
MODELS: dict[str, tuple[str, ...]] = {
    "audit": ("AuditEntry",),
    "cases": (
        "Consent",
        "Consumer",
        "ConsumerFlag",
        "Coverage",
        "Delegation",
        "DelegationStatus",
        "Enrollment",
        "EnrollmentStatus",
        "FlagKind",
        "Notice",
        "NoticeKind",
        "Program",
    ),
    "crw_cases": ("CrwCase", "CrwNote", "CrwStatus"),
    "delivery": ("DigestKind", "MailboxMessage", "OutboxEmail", "OutboxStatus"),
    "exports": ("ExportRecord", "ExportScope", "ExportStatus", "Snapshot", "SnapshotRow"),
    "follow_ups": ("OUTSTANDING", "FollowUp", "FollowUpKind", "FollowUpSource", "FollowUpStatus"),
    "help_requests": ("HelpCategory", "HelpRequest", "HelpRequestUpdate", "HelpStatus"),
    "history": ("DelegationPeriod", "EnrollerPeriod", "EnrollmentPeriod", "HistoryChange"),
    "incidents": ("Incident",),
    "ledgers": ("Alert", "JobRun", "RunStatus"),
    "people": ("Agency", "Enroller", "LinkCode", "RateLimit", "Role"),
    "preferences": ("AgencySchedule", "DeliveryPreference", "QuietTopic"),
    "slack_dms": ("SlackDm",),
    "unsubscribe": ("UnsubscribeKey",),
    "web": ("SignInLink", "WebSession"),
}
HOMES = {name: module for module, names in MODELS.items() for name in names}


def import_every_model() -> None:
    """Define every table (``Base.metadata`` then holds them all)."""
    for module in MODELS:
        import_module(f"store.models.{module}")


if not TYPE_CHECKING:  # mypy reads the imports above, so a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        if name == "Base":
            import_every_model()
            value = base.Base
        elif name in HOMES:
            value = getattr(import_module(f"store.models.{HOMES[name]}"), name)
        else:
            raise AttributeError(f"module 'store.models' has no attribute {name!r}")
        globals()[name] = value
        return value


@event.listens_for(base.Base.registry, "before_configured")
def _every_model_before_the_first_mapping(_registry: Any) -> None:
    import_every_model()


__all__ = [
    "OUTSTANDING",
    "Agency",
    "AgencySchedule",
    "Alert",
    "AuditEntry",
    "Base",
    "Consent",
    "Consumer",
    "ConsumerFlag",
    "Coverage",
    "CrwCase",
    "CrwNote",
    "CrwStatus",
    "Delegation",
    "DelegationPeriod",
    "DelegationStatus",
    "DeliveryPreference",
    "DigestKind",
    "Enroller",
    "EnrollerPeriod",
    "Enrollment",
    "EnrollmentPeriod",
    "HistoryChange",
    "EnrollmentStatus",
    "ExportRecord",
    "ExportScope",
    "ExportStatus",
    "FlagKind",
    "FollowUp",
    "FollowUpKind",
    "FollowUpSource",
    "FollowUpStatus",
    "HelpCategory",
    "HelpRequest",
    "HelpRequestUpdate",
    "HelpStatus",
    "Incident",
    "JobRun",
    "LinkCode",
    "MailboxMessage",
    "NAMING",
    "Notice",
    "NoticeKind",
    "OutboxEmail",
    "OutboxStatus",
    "Program",
    "QuietTopic",
    "RateLimit",
    "Role",
    "RunStatus",
    "SignInLink",
    "SlackDm",
    "UnsubscribeKey",
    "Snapshot",
    "SnapshotRow",
    "UtcDateTime",
    "WebSession",
    "utcnow",
]
