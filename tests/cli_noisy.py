"""A command that writes more than a pipe holds: what `bob people | head` meets in a big book."""

from __future__ import annotations

import argparse

from app.runtime import Runtime


def shout(runtime: Runtime, args: argparse.Namespace) -> int:
    for n in range(100_000):
        print(f"line {n} of a long listing")
    return 0
