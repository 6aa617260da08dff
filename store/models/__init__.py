"""SQLAlchemy 2 models of the consumer store, one module per concept.

Every table and enumeration is re-exported here, so callers write ``from store.models import X``
and Alembic sees every table through ``Base.metadata``.
"""

from store.models.audit import AuditEntry
from store.models.base import NAMING, Base, UtcDateTime, utcnow
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
from store.models.history import DelegationPeriod, EnrollerPeriod, EnrollmentPeriod
from store.models.incidents import Incident
from store.models.ledgers import Alert, JobRun, RunStatus
from store.models.people import Agency, Enroller, LinkCode, RateLimit, Role
from store.models.preferences import AgencySchedule, DeliveryPreference, QuietTopic
from store.models.slack_dms import SlackDm
from store.models.unsubscribe import UnsubscribeKey
from store.models.web import SignInLink, WebSession

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
    "Snapshot",
    "SnapshotRow",
    "UtcDateTime",
    "UnsubscribeKey",
    "WebSession",
    "utcnow",
]
