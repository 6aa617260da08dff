"""A topic of bob's own to quiet in tests, while bob has none of its own yet.

``stand_in_topic`` reclassifies one existing topic as bob's own for one test, so the quiet
rules run on real alerts; the tests that loop over ``QUIETABLE_TOPICS`` cover bob's own
topics themselves once there are any.
"""

from __future__ import annotations

import pytest

import rules.preferences

STAND_IN = "enrollment_updates_pending"


@pytest.fixture
def stand_in_topic(monkeypatch: pytest.MonkeyPatch) -> str:
    """One topic treated as bob's own (quietable) for the test; returns its name."""
    monkeypatch.setattr(rules.preferences, "CONTRACT_TOPICS", rules.preferences.CONTRACT_TOPICS - {STAND_IN})
    monkeypatch.setattr(
        rules.preferences, "QUIETABLE_TOPICS", (*rules.preferences.QUIETABLE_TOPICS, STAND_IN)
    )
    return STAND_IN
