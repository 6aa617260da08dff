"""The Consumer Retention Workspace pages: the reader's tiles and open cases, one case, and
for agency managers the agency's tiles and each enroller's activity.

A case outside the reader's reach, and the agency view for someone whose role has no agency
reach, answer 404 like an address that does not exist: no hint that there is something there.
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from rules.access import Action, Via, record_read
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles, show_case
from rules.casework.crw_rows import CrwCaseRow, EnrollerActivity
from rules.crw import CrwTiles
from store.errors import Refused
from web.auth import deps_of, signed_in_or_redirect
from web.charts import tile_charts
from web.pages import local_time, page
from web.permissions import allowed_actions
from web.records import read_record

CASE_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}")


async def my_crw(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    deps = deps_of(request)
    now = deps.clock()

    def read() -> tuple[CrwTiles, list[CrwCaseRow], frozenset[Action]]:
        tiles = my_tiles(deps.sessions, signed_in.enroller_id, now)
        cases = list_cases(deps.sessions, signed_in.enroller_id, now)
        record_read(deps.sessions, signed_in.enroller_id, "crw.list", "own", now, Via("web"))
        return tiles, cases, allowed_actions(deps.sessions, signed_in.enroller_id)

    tiles, cases, actions = await asyncio.to_thread(read)
    return await page(
        request,
        "crw.html",
        heading="Your Consumer Retention Workspace",
        tiles=tiles,
        charts=tile_charts("mine", tiles),
        cases=cases,
        activity=None,
        agency_link=Action.WORK_AGENCY_CRW_CASES in actions,
    )


async def agency_crw(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    deps = deps_of(request)
    now = deps.clock()

    def read() -> tuple[CrwTiles, list[EnrollerActivity], list[CrwCaseRow]]:
        tiles, activity = agency_overview(deps.sessions, signed_in.enroller_id, now)
        cases = list_cases(deps.sessions, signed_in.enroller_id, now, agency=True)
        record_read(deps.sessions, signed_in.enroller_id, "crw.list", "agency", now, Via("web"))
        return tiles, activity, cases

    try:
        tiles, activity, cases = await asyncio.to_thread(read)
    except Refused:
        raise web.HTTPNotFound() from None
    return await page(
        request,
        "crw.html",
        heading="Your agency's Consumer Retention Workspace",
        tiles=tiles,
        charts=tile_charts("agency", tiles),
        cases=cases,
        activity=activity,
        agency_link=False,
    )


async def crw_case(request: web.Request) -> web.Response:
    signed_in, detail = await read_record(
        request, CASE_NUMBER, show_case, "crw.show", lambda found: found.case_number
    )
    zone = signed_in.time_zone
    return await page(
        request,
        "crw_case.html",
        case=detail,
        opened=local_time(detail.opened_at, zone),
        closed=local_time(detail.closed_at, zone) if detail.closed_at else None,
        notes=[(local_time(note["at"], zone), note) for note in detail.notes],
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/crw", my_crw, name="crw")
    router.add_get("/crw/agency", agency_crw, name="crw_agency")
    router.add_get("/crw/cases/{number}", crw_case, name="crw_case")
