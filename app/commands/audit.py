"""What `bob audit` does (its arguments: :mod:`app.cli_audit`)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import timedelta

from app.commands.core import actor_id
from app.runtime import Runtime
from store.audit_log import audit_entries
from store.zones import local_midnight

FIELDS = (
    "at",
    "actor_license",
    "actor_slack_id",
    "action",
    "target",
    "outcome",
    "channel",
    "os_user",
    "detail",
)


def show_audit(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    zone = runtime.config.schedule.zone
    person = actor_id(runtime, args.person, acting=False) if args.person else None
    since = local_midnight(args.first, zone) if args.first else None
    until = local_midnight(args.last + timedelta(days=1), zone) if args.last else None
    with runtime.sessions() as session:
        rows = audit_entries(
            session, actor_id=person, action=args.action, since=since, until=until, limit=args.limit
        )
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(FIELDS)
        for row in rows:
            values = {**row.as_dict(), "detail": json.dumps(row.detail, sort_keys=True)}
            writer.writerow([_cell(values[name]) for name in FIELDS])
    else:
        for row in rows:
            who = row.actor_license or row.actor_slack_id or "-"
            via = f" via {row.channel}" if row.channel else ""
            by = f" (os user {row.os_user})" if row.os_user else ""
            print(
                f"{row.at.astimezone(zone):%Y-%m-%d %H:%M}  {who:<10} {row.action:<16} {row.outcome:<8} "
                f"{row.target or '-'}{via}{by}"
            )
        print(f"{len(rows)} entries" if rows else "no audit entries match")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ would run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
