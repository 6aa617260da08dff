"""Emailing an export's password to the requester's address on file.

The password takes a different path than the workbook (Slack DM or a file on disk), so one
intercepted channel never holds both. It is rendered into the outbox email and nowhere else:
never logged, never in Slack channel text.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from rules.templating import build_email
from store.db import transaction
from store.models import Enroller
from store.outbox import queue_emails


def email_password(
    sessions: sessionmaker[Session],
    requester_id: int,
    message_key: str,
    file_name: str,
    password: str,
    *,
    from_address: str,
    file_went: str,
) -> None:
    """Queue ``password`` to the requester's email on file; ``file_went`` says where the
    workbook itself went ("was sent to you in Slack")."""
    with transaction(sessions) as session:
        enroller = session.get_one(Enroller, requester_id)
        email = build_email(
            "export_password",
            {"file_name": file_name, "password": password, "file_went": file_went},
            message_key=message_key,
            to_address=enroller.email,
            recipient_id=enroller.id,
        )
        queue_emails(session, [email], from_address)
