"""The numbers people read on a synthetic book: license, case and CRW case numbers, unique per id."""

from __future__ import annotations


def license_number(enroller_id: int) -> str:
    """A California-shaped license number (0 + letter + 5 digits), unique per enroller id."""
    letter = chr(ord("A") + (enroller_id // 100_000) % 26)
    return f"0{letter}{enroller_id % 100_000:05d}"


def case_number(consumer_id: int) -> str:
    """A 10-digit case number, unique per consumer id."""
    return f"{7_000_000_000 + consumer_id}"


def crw_case_number(consumer_id: int) -> str:
    """The number of the consumer's CRW case (a seeded consumer has at most one)."""
    return f"CRW-{case_number(consumer_id)}"
