"""One numbered record a page shows (a CRW case, a help request): the number checked, the
record read through its rules function and its read audited, or 404 — the same answer for a
bad number, a record that does not exist and one the reader may not see."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Via, record_read
from store.errors import Refused
from web.auth import deps_of, signed_in_or_redirect
from web.sessions import SignedIn

T = TypeVar("T")
Show = Callable[[sessionmaker[Session], int, str, datetime], T]


async def read_record(
    request: web.Request, pattern: re.Pattern[str], show: Show[T], action: str, target: Callable[[T], str]
) -> tuple[SignedIn, T]:
    """The signed-in reader and the record numbered in the URL's ``number``, its read recorded
    as ``action`` on ``target(record)``."""
    signed_in = signed_in_or_redirect(request)
    number = request.match_info["number"]
    if not pattern.fullmatch(number):
        raise web.HTTPNotFound()
    deps = deps_of(request)
    now = deps.clock()

    def read() -> T:
        found = show(deps.sessions, signed_in.enroller_id, number, now)
        record_read(deps.sessions, signed_in.enroller_id, action, target(found), now, Via("web"))
        return found

    try:
        return signed_in, await asyncio.to_thread(read)
    except Refused:
        raise web.HTTPNotFound() from None
