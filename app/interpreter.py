"""How `bob serve`'s one Python process shares its interpreter lock between the event loop
(Slack's acknowledgements, the web pages) and the worker threads (page rendering, exports).

Two settings, measured in bench/web.py (see bench/README.md):

- ``gc.freeze()`` once started: the ~140,000 objects of the imported libraries are no longer
  walked by every full garbage collection. Without it, a 20,000-row export triggered a full
  collection that held the lock (and so the loop) for 300-580 ms on this machine.
- a 1 ms switch interval instead of 5 ms: the loop gives the lock up at every socket call and
  otherwise waits up to one interval to get it back from a busy thread.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """Call once everything is imported and the server is listening."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.collect()
    gc.freeze()
