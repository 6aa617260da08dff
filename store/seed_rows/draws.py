"""Draws from one ``random.Random``: each helper makes exactly one ``random()`` call per value.

The seeder's output depends only on the order of these calls, so the same seed gives the
same rows; keep a draw where it is when moving code around.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def _cumulative(weights: Sequence[int | float]) -> list[float]:
    return list(accumulate(weights))


class Weighted(Generic[T]):
    """Values drawn with fixed weights: one ``random()`` and a bisect per draw."""

    def __init__(self, values: Sequence[T], weights: Sequence[int | float]) -> None:
        self.values = tuple(values)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


def pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[int(rng.random() * len(values))]


def below(rng: random.Random, high: int) -> int:
    """An int in [0, high)."""
    return int(rng.random() * high)


def between_ints(rng: random.Random, low: int, high: int) -> int:
    """An int in [low, high)."""
    return low + int(rng.random() * (high - low))


@cache
def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
