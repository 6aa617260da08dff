"""A local stand-in for Slack's Web API and response URLs that records what users would see.

It answers the calls bob makes (auth.test, chat.*, conversations.open and .history,
views.publish, views.open and the three steps of files_upload_v2), keeps the uploaded bytes and
every message posted per channel, and can be told to fail a method, to refuse one for a missing
scope (with Slack's ``needed``), or to answer some of a method's calls with 429 and Retry-After.
Every answer carries the token's scopes in ``x-oauth-scopes``, as Slack's do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, WSMsgType, web
from slack_sdk.signature import SignatureVerifier

from tests.fake_slack_methods import TEAM, Call, SlackMethods, dm_channel

ALL_SCOPES = ("commands", "chat:write", "im:write", "im:history", "files:write")


@dataclass
class FakeSlack(SlackMethods):
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    scopes: list[str] | str = field(default_factory=lambda: list(ALL_SCOPES))
    refused_scopes: dict[str, str] = field(default_factory=dict)
    throttled: dict[str, tuple[set[int], int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    rate_limited: list[tuple[str, float]] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    posted: list[Call] = field(default_factory=list)
    answers: dict[str, list[Call]] = field(default_factory=dict)  # response URL's name -> posts
    latency: float = 0.0
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    record_calls: bool = True
    base: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base}/response/{name}-{next(self._ids)}"

    def answers_to(self, response_url: str) -> list[Call]:
        """What the app posted to ``response_url`` (one that ``response_url()`` made), in order."""
        return list(self.answers.get(response_url.rsplit("/", 1)[-1], []))

    def fail(self, method: str, error: str = "internal_error") -> None:
        """Answer every later call of ``method`` with ``ok: false``."""
        self.failures[method] = error

    def granted(self) -> str:
        """The scopes as Slack's header lists them; a test may set ``scopes`` as that string."""
        return self.scopes if isinstance(self.scopes, str) else ",".join(self.scopes)

    def refuse_for_scope(self, method: str, needed: str) -> None:
        """Answer every later call of ``method`` as Slack does when the app lacks ``needed``."""
        self.refused_scopes[method] = needed
        self.scopes = [scope for scope in self.granted().split(",") if scope != needed]

    def rate_limit(self, method: str, calls: set[int], retry_after: int = 1) -> None:
        """Answer the ``calls``-th calls of ``method`` (counting from 1) with HTTP 429 and
        ``Retry-After: retry_after``."""
        self.throttled[method] = (calls, retry_after)

    def dms_to(self, user_id: str) -> list[dict[str, Any]]:
        """The messages in the DM with ``user_id``, oldest first."""
        return list(self.history.get(dm_channel(user_id), []))

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, found: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Wait until ``found()`` is truthy (the app works in the background) and return it;
        generous, because a loaded CI machine can stall a few seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := found()):
            if loop.time() > deadline:
                raise AssertionError(f"Slack never saw it; calls: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)
        return result

    async def start(self) -> None:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads history with GET
        app.router.add_get("/link", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name}", self._response)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(await request.post())
        for key in ("blocks", "view", "files", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if self.record_calls:
            self.calls.append(Call(method, params))
        if self.latency:
            await asyncio.sleep(self.latency)
        headers = {"x-oauth-scopes": self.granted()}
        number = self.counts[method] = self.counts.get(method, 0) + 1
        if method in self.throttled and number in self.throttled[method][0]:
            retry_after = self.throttled[method][1]
            self.rate_limited.append((method, time.monotonic()))
            headers["Retry-After"] = str(retry_after)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        if method in self.refused_scopes:
            needed = self.refused_scopes[method]
            refusal = {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": self.granted(),
            }
            return web.json_response(refusal, headers=headers)
        if method in self.failures:
            return web.json_response({"ok": False, "error": self.failures[method]}, headers=headers)
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404, headers=headers)
        return web.json_response({"ok": True, **answer(params)}, headers=headers)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: the app connects here (the URL apps.connections.open gave it), is
        greeted with hello, and acknowledges each envelope sent to it by its id."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        self.sockets.append(socket)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return socket

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a Socket Mode envelope (``slash_commands``, ``interactive``, ``events_api``) to
        the connected app and return its acknowledgement."""
        socket = await self.wait_for(lambda: self.sockets and self.sockets[-1])
        envelope_id = str(uuid.uuid4())
        await socket.send_json(
            {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        )
        return await self.wait_for(
            lambda: next((ack for ack in self.socket_acks if ack.get("envelope_id") == envelope_id), None)
        )

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if "upload" in self.failures:
            return web.Response(status=500, text="upload failed")
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id, "size": len(self.uploads[file_id])}))
        return web.Response(text="OK - uploaded")

    async def _response(self, request: web.Request) -> web.Response:
        call = Call("response_url", await request.json())
        self.calls.append(call)
        self.answers.setdefault(request.match_info["name"], []).append(call)
        return web.Response(text="ok")


@dataclass
class SlackUser:
    """Sends what Slack would send when a person uses the app: correctly signed requests."""

    bot_url: str
    slack: FakeSlack
    secret: str
    user_id: str = "U0ANA"
    channel_id: str = "C0GENERAL"

    def as_user(self, user_id: str) -> SlackUser:
        return SlackUser(self.bot_url, self.slack, self.secret, user_id, self.channel_id)

    def signed_headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = SignatureVerifier(self.secret).generate_signature(timestamp=str(timestamp), body=body)
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}

    def command_body(self, text: str, response_url: str | None = None) -> str:
        return urlencode(
            {
                "token": "legacy-unused",
                "team_id": TEAM,
                "team_domain": "bob-test",
                "channel_id": self.channel_id,
                "channel_name": "general",
                "user_id": self.user_id,
                "user_name": "someone",
                "command": "/bob",
                "text": text,
                "api_app_id": "A0BOB",
                "response_url": response_url or self.slack.response_url(),
                "trigger_id": f"trigger-{uuid.uuid4().hex}",
            }
        )

    async def post(
        self, body: str, headers: dict[str, str], content_type: str
    ) -> tuple[int, dict[str, Any] | str]:
        async with (
            ClientSession() as http,
            http.post(
                self.bot_url, data=body.encode(), headers={**headers, "Content-Type": content_type}
            ) as response,
        ):
            raw = await response.text()
            try:
                return response.status, json.loads(raw) if raw else ""
            except json.JSONDecodeError:
                return response.status, raw

    async def command(self, text: str, answered: bool = True) -> tuple[int, str]:
        """Type `/bob <text>`; returns the HTTP status and the text of the reply (see
        ``command_reply``)."""
        status, reply = await self.command_reply(text, answered)
        return status, str(reply.get("text", ""))

    async def answer(self, text: str) -> str:
        """Type `/bob <text>` for a command that acknowledges at once with nothing and answers
        through its response URL; returns the text of that first answer."""
        response_url = self.slack.response_url()
        body = self.command_body(text, response_url)
        acknowledged = await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")
        assert acknowledged == (200, ""), acknowledged
        first, *_ = await self.slack.wait_for(lambda: self.slack.answers_to(response_url))
        return str(first.params.get("text", ""))

    async def command_reply(self, text: str, answered: bool = True) -> tuple[int, dict[str, Any]]:
        """Type `/bob <text>`; returns the HTTP status and the whole reply (text, blocks,
        response_type): the acknowledgement's own or, when bob acknowledged with nothing (its
        reply took longer than Slack waits, or the command answers later by design), the first
        answer posted to the command's response URL. ``answered=False`` is for a command that
        opens a form, where an empty acknowledgement is all there is: it returns ``{}``."""
        response_url = self.slack.response_url()
        body = self.command_body(text, response_url)
        status, answer = await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")
        if isinstance(answer, dict):
            return status, answer
        if answer or not answered:
            return status, {"text": answer} if answer else {}
        first, *_ = await self.slack.wait_for(lambda: self.slack.answers_to(response_url))
        return status, dict(first.params)

    async def submit_view(
        self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> tuple[int, dict[str, Any] | str]:
        """Press Submit on an opened modal with ``values`` as its state (block id -> action id
        -> element state); returns the HTTP status and bob's answer (e.g. response_action)."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "bob-test"},
            "user": {"id": self.user_id, "username": "someone", "team_id": TEAM},
            "api_app_id": "A0BOB",
            "token": "legacy-unused",
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "view": {**view, "state": {"values": values}, "hash": uuid.uuid4().hex},
            "response_urls": [],
        }
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")

    async def press_button(
        self,
        action_id: str,
        value: str,
        response_name: str = "button",
        in_view: dict[str, Any] | None = None,
        pick: bool = False,
    ) -> tuple[int, dict[str, Any] | str]:
        """Press the button ``action_id`` carrying ``value`` on a message in the user's DM
        (bob answers through the response URL: ``slack.named("response_url")``), or, with
        ``in_view``, on that Home tab or modal (which has no response URL); with ``pick``,
        choose ``value`` in the menu ``action_id`` instead."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "bob-test"},
            "user": {"id": self.user_id, "username": "someone", "team_id": TEAM},
            "api_app_id": "A0BOB",
            "token": "legacy-unused",
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "container": {"type": "message", "channel_id": dm_channel(self.user_id), "is_ephemeral": False},
            "channel": {"id": dm_channel(self.user_id), "name": "directmessage"},
            "response_url": self.slack.response_url(response_name),
            "actions": [
                {
                    "type": "static_select" if pick else "button",
                    "action_id": action_id,
                    "block_id": "digest",
                    **({"selected_option": {"value": value}} if pick else {"value": value}),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if in_view is not None:
            del payload["channel"], payload["response_url"]
            payload["container"] = {"type": "view", "view_id": in_view["id"]}
            payload["view"] = in_view
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")

    async def open_home(self) -> int:
        body = json.dumps(
            {
                "token": "legacy-unused",
                "team_id": TEAM,
                "api_app_id": "A0BOB",
                "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10]}",
                "event_time": int(time.time()),
                "event": {
                    "type": "app_home_opened",
                    "user": self.user_id,
                    "tab": "home",
                    "channel": "D0HOME",
                    "event_ts": f"{time.time():.6f}",
                },
            }
        )
        status, _ = await self.post(body, self.signed_headers(body), "application/json")
        return status
