"""What `bob demo` does (its arguments: :mod:`app.cli_demo`): a newcomer's first five
minutes — a synthetic agency on SQLite, the Daily Summary for the last few business dates
(the scheduler's catch-up path), and the emails sent over a real SMTP conversation to a
local capture server, written as .eml files."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import DatabaseConfig
from app.demo_web import demo_web_config, serve_demo
from app.runtime import Runtime
from mailer.daily_summary import run_daily_summary
from mailer.sender import drain_outbox
from mailer.sink import smtp_or_capture
from rules.calendar import business_date, days
from store.mailbox import mailbox_messages, read_message
from store.migrate import upgrade
from store.models import CrwCase, CrwStatus, DigestKind, Enroller, MailboxMessage, Role, utcnow
from store.private_files import make_private_folder
from store.seed import SeedPlan, seed_book

DEMO_DB = Path("var/demo.db")
# In mail.capture_dir: the .eml files the last demo captured, one name a line.
DEMO_MAIL_LIST = ".bob-demo-mail"


def demo_command(runtime: Runtime, args: argparse.Namespace) -> None:
    for stale in (DEMO_DB, DEMO_DB.with_suffix(".db-wal"), DEMO_DB.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    config = dataclasses.replace(
        runtime.config,
        database=DatabaseConfig(url=f"sqlite:///{DEMO_DB}"),
        smtp=dataclasses.replace(runtime.config.smtp, host=""),
    )
    if args.serve:
        config = demo_web_config(config)
    demo = Runtime(config)
    try:
        _run(demo, args)
        if args.serve:
            serve_demo(demo)
    finally:
        demo.close()


def _run(demo: Runtime, args: argparse.Namespace) -> None:
    upgrade(demo.engine)
    plan = SeedPlan(agencies=args.agencies, consumers=args.consumers, seed=args.seed)
    print(f"1. {seed_book(demo.engine, plan).summary()} into {DEMO_DB}")
    _run_daily_summaries(demo, args.days)
    _drain_into_capture(demo)
    _show_mailboxes(demo)


def _run_daily_summaries(demo: Runtime, business_days: int) -> None:
    """Run the last ``business_days`` dates, as the scheduler's catch-up would."""
    schedule = demo.config.schedule
    today = business_date(utcnow(), schedule.zone)
    print(f"2. Daily Summary for the last {business_days} business dates ({schedule.time_zone}):")
    for day in days(today - timedelta(days=max(business_days - 1, 0)), today):
        print(f"   {run_daily_summary(demo.sessions, day, demo.delivery).summary()}")


def _drain_into_capture(demo: Runtime) -> None:
    """Send the outbox to the capture server; the previous demo's .eml files go first, so a
    re-run replaces them instead of adding numbered copies (other captured mail stays)."""
    config = demo.config
    directory = Path(config.mail.capture_dir)
    make_private_folder(directory)
    _forget_last_demo_mail(directory)
    before = set(directory.glob("*.eml"))
    with smtp_or_capture(config.smtp, directory) as (smtp, captured_in):
        drained = asyncio.run(drain_outbox(demo.sessions, smtp))
    written = sorted(path.name for path in set(directory.glob("*.eml")) - before)
    (directory / DEMO_MAIL_LIST).write_text("".join(f"{name}\n" for name in written), encoding="utf-8")
    print(f"3. Outbox drained over SMTP: {drained.summary()}; .eml files in {captured_in}/")


def _forget_last_demo_mail(directory: Path) -> None:
    """Delete the .eml files the last demo listed as its own, and nothing else."""
    listing = directory / DEMO_MAIL_LIST
    if not listing.is_file():
        return
    for name in listing.read_text(encoding="utf-8").split():
        if Path(name).name == name and name.endswith(".eml"):
            (directory / name).unlink(missing_ok=True)
    listing.unlink()


@dataclass(frozen=True)
class DemoPeople:
    """Real people of the demo book for the "Try next" commands (license numbers only)."""

    manager: str
    agent: str
    support: str | None
    crw_case: str | None
    latest_message_id: int | None


def _show_mailboxes(demo: Runtime) -> None:
    """Print the busiest Daily Summary of the last date and the commands to read more."""
    with demo.sessions() as session, session.begin():
        busiest = session.execute(
            select(MailboxMessage.recipient_id, MailboxMessage.id)
            .where(MailboxMessage.kind == DigestKind.DAILY_SUMMARY)
            .order_by(MailboxMessage.business_date.desc(), MailboxMessage.alert_count.desc())
            .limit(1)
        ).one()
        agent = session.get_one(Enroller, busiest.recipient_id)
        message = read_message(session, agent.id, busiest.id)
        count = session.scalar(select(func.count()).select_from(MailboxMessage))
        people = _demo_people(session, agent)
    print(
        f"4. {count} digests in secure mailboxes. The busiest Daily Summary of the last date "
        f"(synthetic people only), for license {agent.license_number}:\n"
    )
    print("   " + message.body_text.replace("\n", "\n   ")[:3000].rstrip())
    _print_next_steps(people)


def _demo_people(session: Session, agent: Enroller) -> DemoPeople:
    def first_with(role: Role) -> Enroller | None:
        return session.scalars(select(Enroller).where(Enroller.role == role).order_by(Enroller.id)).first()

    manager = first_with(Role.AGENCY_MANAGER)
    assert manager is not None
    support = first_with(Role.SUPPORT_STAFF)
    crw_case = session.scalar(
        select(CrwCase.case_number)
        .where(CrwCase.assigned_enroller_id == agent.id, CrwCase.status != CrwStatus.CLOSED)
        .order_by(CrwCase.risk.desc(), CrwCase.case_number)
        .limit(1)
    )
    latest = mailbox_messages(session, manager.id, limit=1)
    return DemoPeople(
        manager.license_number,
        agent.license_number,
        support.license_number if support else None,
        crw_case,
        latest[0].id if latest else None,
    )


def _print_next_steps(people: DemoPeople) -> None:
    bob = f"BOB_DATABASE_URL=sqlite:///{DEMO_DB} .venv/bin/bob"
    steps = [
        "people",
        f"mailbox list {people.manager}",
        f"mailbox show {people.manager} {people.latest_message_id}" if people.latest_message_id else None,
        f"crw list --as {people.agent}",
        f"crw show {people.crw_case} --as {people.agent}" if people.crw_case else None,
        f"crw agency --as {people.manager}",
        f"export agency --as {people.manager} --show-password",
        f"help-request new --as {people.agent} --category profile "
        "--topic 'Address change' --details 'The consumer moved'",
        f"help-request list --as {people.support}" if people.support else None,
        "outbox status",
    ]
    print(
        "\nThe web mailbox: `bob demo --serve` builds the demo, serves it and prints a one-time "
        "sign-in link for an agency manager."
    )
    print("\nTry next:")
    for step in steps:
        if step is not None:
            print(f"   {bob} {step}")
