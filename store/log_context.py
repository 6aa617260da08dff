"""Which run or request a log line belongs to: a context variable any layer may set, so a
log collector can group one Daily Summary's, one purge's or one Slack command's lines.

It lives in the store (the bottom layer) only so that every layer can import it; it holds
an identifier of work (``daily_summary:2026-11-30``), never a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_run: ContextVar[str | None] = ContextVar("bob_run_id", default=None)


@contextmanager
def working_on(run_id: str) -> Iterator[None]:
    """Tag every log line written inside the block (and in threads it starts with
    ``asyncio.to_thread``, which copy the context) with ``run_id``."""
    token = current_run.set(run_id)
    try:
        yield
    finally:
        current_run.reset(token)
