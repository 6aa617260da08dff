from datetime import UTC, date, datetime

from sqlalchemy import func, select

from mailer.daily_summary import run_daily_summary
from store.models import Alert, MailboxMessage, OutboxEmail, Role


def test_it_delivers_a_daily_summary_and_manager_summary(book, sessions, delivery):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent")
    book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER)
    consumer = book.consumer(agent)
    book.notice(consumer, datetime(2026, 11, 22, 18, tzinfo=UTC))
    result = run_daily_summary(sessions, date(2026, 11, 23), delivery)
    assert result.alerts["nod_notice"] == 1
    assert result.digests == 2
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 1
        subjects = sorted(s.scalars(select(MailboxMessage.subject)))
        assert subjects == ["Daily Manager Summary - 11/23/2026", "Daily Summary - 11/23/2026"]
        assert s.scalar(select(func.count()).select_from(OutboxEmail)) == 2
