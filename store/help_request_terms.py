"""A help request's categories (the portal's four) and statuses: plain enumerations apart
from the SQLAlchemy models, so `bob help-request --help` can list them without importing
SQLAlchemy. :mod:`store.models` re-exports both."""

from __future__ import annotations

import enum


class HelpCategory(enum.StrEnum):
    CONSUMER_CASE = "Consumer Case/Application Issue"
    PROFILE = "Agency/Entity or Enroller Profile Issue"
    CONTRACTS = "Agent Contracts or Certification Services"
    SERVICE_CENTER = "Agent/CEC Service Center"


class HelpStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    PENDING_INFORMATION = "pending_information"
    RESOLVED = "resolved"
    CLOSED = "closed"
