"""How a `bob` process sets its interpreter: the garbage collector while a command starts,
and how `bob serve`'s one process shares its interpreter lock between the event loop
(Slack's acknowledgements, the web pages) and the worker threads (page rendering, exports).

A command's imports build some 90,000 tracked objects that live as long as the process and make
almost no garbage, yet they set off about 120 collections (84 for ``import sqlalchemy``
alone): 40-50 ms of CPU, an eighth of `bob outbox status` (measured with ``gc.callbacks``,
bench/cli_startup.py). :func:`collector_paused` runs them with the collector off, then
freezes what they built, so no later collection walks it either.

For `bob serve`, two settings, measured in bench/web.py (see bench/README.md):

- ``gc.freeze()`` once started: the ~140,000 objects of the imported libraries are no longer
  walked by every full garbage collection. Without it, a 20,000-row export triggered a full
  collection that held the lock (and so the loop) for 300-580 ms on this machine.
- a 1 ms switch interval instead of 5 ms: the loop gives the lock up at every socket call and
  otherwise waits up to one interval to get it back from a busy thread.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """Call once everything is imported and the server is listening."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[Callable[[], None]]:
    """The collector is off until the command calls the given function once its modules are
    imported: what exists then is frozen (never collected) and collection resumes. On the way
    out the frozen objects are given back, for a caller that runs many commands (the tests)."""

    was_enabled = gc.isenabled()

    def imported() -> None:
        gc.freeze()
        if was_enabled:
            gc.enable()

    gc.disable()
    try:
        yield imported
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
