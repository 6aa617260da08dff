"""`logging.format = "json"`: one JSON object per line for a log collector.

Each line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``event`` (the message as bob
wrote it) and ``run_id`` when the line belongs to a run or request. An exception adds only its
type (``error``): a driver's or a library's message may quote the values it was given, and
bob's own messages never need more than their text to be acted on.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

from store.log_context import current_run


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        run_id = current_run.get()
        if run_id is not None:
            line["run_id"] = run_id
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


def use_json_lines(stream: TextIO | None = None) -> logging.Handler:
    """Make every handler of the root logger (or a new one on ``stream``) write JSON lines."""
    root = logging.getLogger()
    if stream is not None or not root.handlers:
        root.addHandler(logging.StreamHandler(stream))
    for handler in root.handlers:
        handler.setFormatter(JsonLines())
    return root.handlers[-1]
