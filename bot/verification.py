"""Which HTTP requests reach Bolt: a bounded body, signed by Slack within five minutes of its
timestamp, seen for the first time, and a well-formed payload.

bob checks this itself, before Bolt parses anything, instead of Bolt's RequestVerification
middleware: that middleware logs the whole body of each request it refuses (at INFO, so
`bob serve -v` wrote a stale CRW note with a name, phone and SSN to the log, and 20 unsigned
1 MB bodies wrote 20 MB), and a non-numeric timestamp made it raise (a 500 and a traceback per
request). A refusal here is logged as one fixed word; no header value and no byte of the body.

Replay: within its window a captured request would verify again, so every accepted signature
is remembered until its timestamp leaves the window. Slack accepts timestamps five minutes
either side of now, so a request signed 290 s ahead stays valid for 590 s and is remembered
that long. The memory is per process: several bob processes behind one load balancer each keep
their own (a replay must then hit the same one).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.parsing import whole_number

WINDOW_SECONDS = 5 * 60
# Slack's largest payloads (a block action on a 100-block Home tab, URL-encoded) stay near
# 200 KB; twice that is room enough, and nothing bigger is read into memory.
MAX_BODY_BYTES = 512 * 1024
_INTERACTIVE = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}


class SignedRequests:
    """Slack's signature check (v0, HMAC-SHA256 over ``v0:<timestamp>:<body>``) with replay
    memory; ``clock`` is wall-clock seconds, the clock Slack's timestamps are in."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._clock = clock
        self._seen: set[str] = set()
        self._leaving: list[tuple[int, str]] = []  # (end of its window, signature), a heap

    def refusal(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """Why the request is refused ("unsigned", "stale", "bad signature", "replayed"), or
        None when it is accepted, which it then is only once."""
        raw_timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        timestamp = whole_number(raw_timestamp, max_digits=12)
        if timestamp is None or not signature:
            return "unsigned"
        now = self._clock()
        if abs(now - timestamp) > WINDOW_SECONDS:
            return "stale"
        base = b"v0:" + raw_timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return "bad signature"
        self._forget_before(now)
        if signature in self._seen:
            return "replayed"
        self._seen.add(signature)
        heapq.heappush(self._leaving, (timestamp + WINDOW_SECONDS, signature))
        return None

    def _forget_before(self, now: float) -> None:
        # Signatures whose window has closed could no longer verify; forgetting them costs
        # nothing per request however busy the window was.
        while self._leaving and self._leaving[0][0] < now:
            _, signature = heapq.heappop(self._leaving)
            self._seen.discard(signature)


def parse_payload(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The request's payload as Bolt reads it (JSON, a form, or a form's ``payload`` field
    of JSON), or None when it is not a JSON object or a form."""
    try:
        if content_type == "application/json" or text.startswith("{"):
            payload: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            payload = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and _shaped_for_bolt(payload) else None


def _shaped_for_bolt(payload: dict[str, Any]) -> bool:
    """The parts Bolt indexes into without checking (a view's type, an event's type, the
    actions) have the shape Slack gives them; otherwise Bolt would answer with a 500."""
    view, event = payload.get("view", {}), payload.get("event", {})
    actions, user = payload.get("actions", []), payload.get("user", {})
    return (
        isinstance(view, dict)
        and (not view or isinstance(view.get("type"), str))
        and isinstance(event, dict)
        and (not event or isinstance(event.get("type"), str))
        and isinstance(actions, list)
        and all(isinstance(action, dict) for action in actions)
        and isinstance(user, dict | str)
    )


def bolt_request(body: bytes, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest | None:
    """A Bolt request for a verified body, or None when its payload is malformed."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None
    content_type = headers.get("Content-Type", "").split(";")[0].strip()
    if parse_payload(text, content_type) is None:
        return None
    try:
        return AsyncBoltRequest(body=text, query=query, headers=dict(headers))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


async def require_a_slack_user(
    req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
) -> BoltResponse | None:
    """Bolt middleware: a command or an interactive payload that names no Slack user gets a
    400; every listener can then count on knowing who asked."""
    asks = "command" in req.body or req.body.get("type") in _INTERACTIVE
    if asks and not req.context.user_id:
        return BoltResponse(status=400, body="this request names no Slack user")
    return await next()
