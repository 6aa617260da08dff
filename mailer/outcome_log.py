"""Writing a batch's outcomes while the batch is still being sent.

Outcomes are written in chunks, in a thread, as the connections go on sending, each by the
conditional UPDATE of :func:`mailer.outbox_claims.log_outcomes` (only while the claim is
still ours). So the connections wait only for the last chunk of a batch, not for its whole
log, and an email is logged soon after it went out: a crash resends at most the outcomes not
yet written, fewer than a batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from mailer.outbox_claims import Outcome, log_outcomes

# Outcomes per write while sending: small enough that the log keeps up with the connections.
CHUNK = 50


class OutcomeLog:
    """A batch's outcomes: ``add`` each as it is known, ``finish`` once the batch is done."""

    def __init__(self, sessions: sessionmaker[Session], worker: str, chunk: int = CHUNK) -> None:
        self.sessions = sessions
        self.worker = worker
        self.chunk = chunk
        self.outcomes: list[Outcome] = []
        self._written = 0
        self._writing: asyncio.Future[None] | None = None

    def add(self, outcome: Outcome) -> None:
        """Keep ``outcome``; start writing the ones kept so far once a chunk is ready and the
        write before has finished (a failed write is raised by :meth:`finish`)."""
        self.outcomes.append(outcome)
        if self._writing is not None and (not self._writing.done() or self._writing.exception()):
            return
        if len(self.outcomes) - self._written >= self.chunk:
            chunk = self.outcomes[self._written :]
            self._written = len(self.outcomes)
            self._writing = asyncio.ensure_future(
                asyncio.to_thread(log_outcomes, self.sessions, self.worker, chunk)
            )

    async def finish(self, unsent: Sequence[int] = ()) -> None:
        """Write the outcomes not yet written and give back the ``unsent`` emails, in one
        transaction, after the write in flight."""
        if self._writing is not None:
            await self._writing
        rest = self.outcomes[self._written :]
        self._written = len(self.outcomes)
        await asyncio.to_thread(log_outcomes, self.sessions, self.worker, rest, unsent)
