"""The exports page and the download of an export's file.

The reader sees their own exports (status, rows, expiry) and downloads a succeeded one until
it expires: the same encrypted workbook Slack or the CLI delivered, which opens with the
password sent by the other channel when it was made. The password is never stored, so no
page can show it. An agency manager also sees the agency's exports (no files).

Someone else's export, and a token that names none, answer 404; every download, allowed or
refused, is an audit entry (``export.fetch``, written by :func:`exports.history.fetch_export`).
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from aiohttp import web
from aiohttp.helpers import content_disposition_header
from sqlalchemy.orm import Session, sessionmaker

from exports.agency_history import AgencyExportLine, agency_exports
from exports.errors import ExportRefused
from exports.history import ExportHistoryEntry, fetch_export, list_exports
from rules.access import Action, Via
from web.auth import deps_of, signed_in_or_redirect
from web.pages import local_time, page
from web.permissions import allowed_actions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"[A-Za-z0-9_-]{6,64}")
# Refusals that mean "there is no such export of yours": the same 404 as a made-up token.
NOT_YOURS = {"not_found", "unknown_requester", "other_agency", "role_cannot_export", "agent_scope"}
# The reader's own export that cannot be had now says why: still being built, turned off by the
# agency since, or else failed, expired or deleted.
NOT_NOW: dict[str, type[web.HTTPException]] = {
    "processing": web.HTTPConflict,
    "downline_exports_prevented": web.HTTPForbidden,
}


def when(moment: datetime | None, zone: str) -> str:
    return local_time(moment, zone) if moment else "–"


def _read(
    sessions: sessionmaker[Session], enroller_id: int, now: datetime
) -> tuple[list[ExportHistoryEntry], list[AgencyExportLine] | None]:
    """The reader's exports, and the agency's when their role may see them."""
    mine = list_exports(sessions, enroller_id, now)
    agency = None
    if Action.READ_AGENCY_EXPORTS in allowed_actions(sessions, enroller_id):
        agency = agency_exports(sessions, enroller_id, now)
    return mine, agency


async def exports(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    deps = deps_of(request)
    now = deps.clock()
    mine, agency = await asyncio.to_thread(_read, deps.sessions, signed_in.enroller_id, now)
    return await page(request, "exports.html", mine=mine, agency=agency, now=now, when=when)


async def download(request: web.Request) -> web.StreamResponse:
    signed_in = signed_in_or_redirect(request)
    token = request.match_info["token"]
    if not TOKEN.fullmatch(token):
        raise web.HTTPNotFound()
    deps = deps_of(request)
    try:
        path = await asyncio.to_thread(
            fetch_export, deps.sessions, signed_in.enroller_id, token, deps.clock(), Via("web")
        )
    except ExportRefused as refused:
        if refused.reason in NOT_YOURS:
            raise web.HTTPNotFound() from None
        status = NOT_NOW.get(refused.reason, web.HTTPGone)
        raise status(reason="Export not available", text=f"Sorry: {refused}.") from None
    name = path.name.removeprefix(f"{token}_")
    headers = {
        "Content-Type": XLSX,
        "Content-Disposition": content_disposition_header("attachment", filename=name),
    }
    return web.FileResponse(path, headers=headers)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/exports", exports, name="exports")
    router.add_get("/exports/{token}/download", download, name="export_download")
