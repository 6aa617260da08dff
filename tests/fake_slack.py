"""A local stand-in for Slack's Web API and response URLs that records what users would see.

It answers the calls bob makes (auth.test, chat.*, conversations.open, views.publish,
views.open and the three steps of files_upload_v2), keeps the uploaded bytes, and can be told to
fail a method.
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

from aiohttp import ClientSession, web
from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOB"
TEAM = "T0TEST"


@dataclass
class Call:
    """One request the app made: a Web API method, an upload or a response_url post."""

    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        """Everything a person could read in this call, as one string."""
        return json.dumps(self.params, ensure_ascii=False)


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    # What auth.test reports in its X-OAuth-Scopes header, as Slack does.
    scopes: str = "commands,chat:write,im:write,files:write,users:read"
    base: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base}/response/{name}-{next(self._ids)}"

    def fail(self, method: str, error: str = "internal_error") -> None:
        """Answer every later call of ``method`` with ``ok: false``."""
        self.failures[method] = error

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, found: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``found()`` is truthy (the app works in the background) and return it."""
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
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name}", self._response)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
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
        self.calls.append(Call(method, params))
        if method in self.failures:
            return web.json_response({"ok": False, "error": self.failures[method]})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        headers = {"X-OAuth-Scopes": self.scopes} if method == "auth.test" else None
        return web.json_response({"ok": True, **answer(params)}, headers=headers)

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if "upload" in self.failures:
            return web.Response(status=500, text="upload failed")
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id, "size": len(self.uploads[file_id])}))
        return web.Response(text="OK - uploaded")

    async def _response(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://bob-test.slack.com/",
            "team": "Test",
            "user": "bob",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "BBOB",
        }

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": params.get("channel"), "ts": f"{next(self._ids)}.000100"}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": f"{next(self._ids)}.000200"}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": "D" + str(params.get("users", "")).lstrip("U")}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", **params.get("view", {})}}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", "team_id": TEAM, **params.get("view", {})}}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files", [])
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}


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

    def command_body(self, text: str) -> str:
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
                "response_url": self.slack.response_url(),
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

    async def command(self, text: str) -> tuple[int, str]:
        """Type `/bob <text>`; returns the HTTP status and the text of the immediate reply."""
        body = self.command_body(text)
        status, answer = await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")
        return status, answer.get("text", "") if isinstance(answer, dict) else answer

    async def command_reply(self, text: str) -> tuple[int, dict[str, Any]]:
        """Type `/bob <text>`; returns the HTTP status and the whole immediate reply (text,
        blocks, response_type), or ``{}`` for an empty acknowledgement."""
        body = self.command_body(text)
        status, answer = await self.post(body, self.signed_headers(body), "application/x-www-form-urlencoded")
        if isinstance(answer, str):
            return status, {"text": answer} if answer else {}
        return status, answer

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
