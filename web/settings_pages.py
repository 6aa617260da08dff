"""The settings page: how the Daily Summary reaches the signed-in person (email, Slack
message, days with no alerts, quiet topics, delivery time). It shows and saves through
``store.preferences``, as ``/bob settings`` and ``bob prefs`` do; the secure mailbox always
receives every digest, whatever is chosen here."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from rules.access import Via
from rules.preference_form import (
    SLACK_SWITCHES,
    SWITCH_LABELS,
    Submitted,
    changes_of,
    chosen_time,
    delivery_summary,
    quiet_choices,
    time_choices,
)
from rules.preferences import Preferences
from store.errors import Refused
from store.models import Enroller
from store.preferences import change_preferences, effective_preferences
from web.auth import deps_of, posted_form, signed_in_or_redirect
from web.deps import WebDeps
from web.pages import page

SETTINGS_PATH = "/settings"
MAX_TIME_CHARS = 10
QUIET_FIELD = "quiet_"


@dataclass(frozen=True)
class Shown:
    """What the page shows: the preferences in effect and whether Slack is linked."""

    prefs: Preferences
    slack_linked: bool

    @property
    def switches(self) -> list[str]:
        """The switches offered: the Slack ones only to a person who linked Slack."""
        return [name for name in SWITCH_LABELS if self.slack_linked or name not in SLACK_SWITCHES]


def _shown(deps: WebDeps, enroller_id: int) -> Shown:
    with deps.sessions() as session:
        linked = session.get_one(Enroller, enroller_id).slack_user_id is not None
        return Shown(effective_preferences(session, enroller_id), linked)


def _submitted(form: Mapping[str, object], shown: Shown) -> Submitted:
    """The form as posted: an unticked checkbox is not posted at all, so each switch shown is
    on exactly when its field came back as "on"."""
    deliver_at = form.get("deliver_at")
    if not isinstance(deliver_at, str) or len(deliver_at) > MAX_TIME_CHARS:
        raise Refused("choose a delivery time from the list", "bad_value")
    quiet = [choice.value for choice in quiet_choices() if form.get(QUIET_FIELD + choice.value) == "on"]
    return Submitted({name: form.get(name) == "on" for name in shown.switches}, deliver_at, quiet)


def _save(deps: WebDeps, enroller_id: int, form: Mapping[str, object]) -> bool:
    """Save what the form changes; False when it changes nothing. A refusal is raised."""
    shown = _shown(deps, enroller_id)
    changes = changes_of(shown.prefs, _submitted(form, shown))
    if changes.is_empty():
        return False
    change_preferences(deps.sessions, enroller_id, enroller_id, changes, Via("web"), deps.clock())
    return True


async def _render(
    request: web.Request, shown: Shown, status: int = 200, notice: str = "", problem: str = ""
) -> web.Response:
    return await page(
        request,
        "settings.html",
        status=status,
        prefs=shown.prefs,
        slack_linked=shown.slack_linked,
        switches=[(name, SWITCH_LABELS[name]) for name in shown.switches],
        times=time_choices(shown.prefs),
        chosen_time=chosen_time(shown.prefs),
        delivery=delivery_summary(shown.prefs),
        quiet=quiet_choices(),
        quiet_field=QUIET_FIELD,
        notice=notice,
        problem=problem,
    )


async def settings(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    shown = await asyncio.to_thread(_shown, deps_of(request), signed_in.enroller_id)
    notice = {"1": "Saved.", "0": "Nothing changed."}.get(request.query.get("saved", ""), "")
    return await _render(request, shown, notice=notice)


async def save_settings(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    form = await posted_form(request)
    deps = deps_of(request)
    try:
        saved = await asyncio.to_thread(_save, deps, signed_in.enroller_id, form)
    except Refused as refused:
        shown = await asyncio.to_thread(_shown, deps, signed_in.enroller_id)
        return await _render(request, shown, status=400, problem=_sentence(str(refused)))
    raise web.HTTPSeeOther(f"{SETTINGS_PATH}?saved={int(saved)}")


def _sentence(message: str) -> str:
    """A refusal's one line as the page's sentence: capitalised, with a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(SETTINGS_PATH, settings, name="settings")
    router.add_post(SETTINGS_PATH, save_settings, name="save_settings")
