"""What `bob followups` does, twin of `/bob followups` (its arguments: :mod:`app.cli_followups`).

`--all` reads the list a page at a time and prints each page as it comes, so an agency's
whole queue never sits in memory at once; `--json` then prints one JSON list all the same.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

from app.commands.core import actor_id
from app.read_audit import record_cli_read
from app.runtime import Runtime
from rules.casework.follow_up_queue import (
    PAGE_SIZE,
    FollowUpFilter,
    FollowUpPage,
    FollowUpRow,
    list_follow_ups,
)
from store.models import utcnow

_ALL_PAGE = 1000


def followups_list(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    wanted = FollowUpFilter(args.due, args.overdue, args.agency)
    pages = _pages(runtime, actor, wanted, args.all, args.page)
    last = _print_json(pages) if args.json else _print_lines(pages, args.agency)
    record_cli_read(runtime, actor, "followups.list", wanted.reach)
    if args.json:
        return
    if last.total == 0:
        print("no outstanding follow-ups")
    elif not args.all and last.pages > 1:
        print(f"page {last.page} of {last.pages} ({last.total} follow-ups); --page N or --all for more")


def _pages(
    runtime: Runtime, actor: int, wanted: FollowUpFilter, every: bool, first: int
) -> Iterator[FollowUpPage]:
    """The page asked for, or with ``every`` each page in turn, all read as of one moment."""
    now = utcnow()
    page, size = (1, _ALL_PAGE) if every else (first, PAGE_SIZE)
    while True:
        found = list_follow_ups(runtime.sessions, actor, now, wanted, page, size)
        yield found
        if not every or page >= found.pages:
            return
        page += 1


def _print_lines(pages: Iterator[FollowUpPage], with_agent: bool) -> FollowUpPage:
    for found in pages:
        for row in found.rows:
            print(_line(row, with_agent))
    return found


def _print_json(pages: Iterator[FollowUpPage]) -> FollowUpPage:
    print("[", end="")
    first = True
    for found in pages:
        for row in found.rows:
            print(("\n  " if first else ",\n  ") + json.dumps(row.as_dict()), end="")
            first = False
    print("\n]" if not first else "]")
    return found


def _line(row: FollowUpRow, with_agent: bool) -> str:
    due = f"{row.due_on:%Y-%m-%d} {row.when:<18}"
    line = f"{row.case_number:<16} {row.kind:<8} {due} {row.status:<10} {row.needed}"
    return f"{line}  {row.agent}" if with_agent else line
