"""The help requests page: the requests the reader may read and where each stands. Support
staff see every request, agency managers their agency's, everyone else their own (the rule
is :mod:`rules.casework.help_requests`'); one outside the reader's reach answers 404."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from aiohttp import web

from rules.access import Via, record_read
from rules.casework.help_requests import HelpRequestView, list_requests, show_request
from store.models import HelpStatus
from web.auth import deps_of, signed_in_or_redirect
from web.pages import local_time, page
from web.records import read_record

REQUEST_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}")
STATUS_WORDS = {status.value: status.value.replace("_", " ").capitalize() for status in HelpStatus}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)


async def help_requests(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    open_only = request.query.get("show") == "open"
    deps = deps_of(request)
    zone = signed_in.time_zone
    now = deps.clock()

    def read() -> list[HelpRequestView]:
        found = list_requests(deps.sessions, signed_in.enroller_id, now, open_only=open_only)
        target = "open" if open_only else "all"
        record_read(deps.sessions, signed_in.enroller_id, "help.list", target, now, Via("web"))
        return found

    found = await asyncio.to_thread(read)
    counts = Counter(view.status for view in found)
    return await page(
        request,
        "help_requests.html",
        requests=[(local_time(view.updated_at, zone), view) for view in found],
        counts=[(STATUS_WORDS[s.value], counts.get(s.value, 0)) for s in HelpStatus],
        open_only=open_only,
        status_words=status_words,
    )


async def help_request(request: web.Request) -> web.Response:
    signed_in, view = await read_record(
        request, REQUEST_NUMBER, show_request, "help.show", lambda found: found.number
    )
    zone = signed_in.time_zone
    return await page(
        request,
        "help_request.html",
        view=view,
        created=local_time(view.created_at, zone),
        updates=[(local_time(u["at"], zone), u) for u in view.updates],
        status_words=status_words,
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/help-requests", help_requests, name="help_requests")
    router.add_get("/help-requests/{number}", help_request, name="help_request")
