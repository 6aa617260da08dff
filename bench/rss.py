"""A benchmark process's own peak memory: imported by each measured child, so it loads
nothing (a child's peak includes its imports: the full run's child loads what bob's run loads)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own peak RSS (``VmHWM``). Not ``ru_maxrss`` where ``/proc`` answers:
    Linux carries that over from the parent across exec, so a child of the (large) seeding
    process would report its peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start VmHWM again from the current RSS (Linux: 5 > clear_refs), so seeding does not count."""
    Path("/proc/self/clear_refs").write_text("5")
