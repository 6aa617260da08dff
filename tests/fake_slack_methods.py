"""What the fake Slack answers to each Web API method bob calls (``_`` + the method's name
with dots as underscores), kept apart from the server that routes, throttles and refuses."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

BOT_USER = "UBOB"
TEAM = "T0TEST"


@dataclass
class Call:
    """One request the app made: a Web API method, an upload or a response_url post."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it reached Slack

    @property
    def text(self) -> str:
        """Everything a person could read in this call, as one string."""
        return json.dumps(self.params, ensure_ascii=False)


def dm_channel(user_id: str) -> str:
    """The id of the DM between bob and ``user_id``, as the fake names it."""
    return "D" + user_id.lstrip("U")


class SlackMethods:
    """The answers; the server (``tests.fake_slack.FakeSlack``) holds the state they use."""

    base: str
    history: dict[str, list[dict[str, Any]]]
    posted: list[Call]
    _ids: itertools.count[int]

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.base.replace("http://", "ws://") + "/link"}

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
        channel = str(params.get("channel", ""))
        channel = dm_channel(channel) if channel.startswith("U") else channel
        ts = f"{next(self._ids)}.000100"
        message = {"type": "message", "user": BOT_USER, "ts": ts, "text": params.get("text", "")}
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        self.history.setdefault(channel, []).append({**message, "blocks": params.get("blocks")})
        self.posted.append(Call("chat.postMessage", params))
        return {"channel": channel, "ts": ts}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        messages = list(reversed(self.history.get(str(params.get("channel")), [])))
        limit = int(params.get("limit", 100))
        shown = [
            m
            if str(params.get("include_all_metadata")).lower() in ("1", "true")
            else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages[:limit]
        ]
        return {"messages": shown, "has_more": len(messages) > limit}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": f"{next(self._ids)}.000200"}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": dm_channel(str(params.get("users", "")))}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", **params.get("view", {})}}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": params.get("view_id"), "team_id": TEAM, **params.get("view", {})}}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", "team_id": TEAM, **params.get("view", {})}}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files", [])
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
