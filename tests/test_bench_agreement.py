"""The P1 benchmark fails when its floor and bob's full run saw different alerts or digests."""

from __future__ import annotations

from typing import Any

from bench.daily_run import disagreement, verdicts


def run(per_topic: dict[str, int], digests: int = 3, alerts_hash: str = "h1") -> dict[str, Any]:
    return {
        "per_topic": per_topic,
        "alerts_hash": alerts_hash,
        "digests": digests,
        "by_kind": {"daily_summary": digests},
    }


def test_the_same_alerts_and_digests_agree():
    same = run({"nod_notice": 2})
    assert disagreement([same, same], [same, same]) == ""


def test_a_floor_with_other_alerts_is_named_in_counts():
    said = disagreement([run({"nod_notice": 2})], [run({"nod_notice": 3})])
    assert "nod_notice': 2" in said and "nod_notice': 3" in said


def test_the_same_counts_from_other_rows_disagree_too():
    said = disagreement([run({"nod_notice": 2}, alerts_hash="a")], [run({"nod_notice": 2}, alerts_hash="b")])
    assert said == "the same counts, but other (topic, recipient, consumer) alert rows"


def test_a_disagreement_is_a_miss_whatever_the_timing():
    row = {"consumers": 10_000, "ratio": 1.1, "full_s": 1.0, "rss_mb": 90.0, "disagreement": "floor != full"}
    assert ("floor != full", False) in verdicts(row, "sqlite")
    assert all(ok for _, ok in verdicts({**row, "disagreement": ""}, "sqlite"))


def test_at_1m_the_issue_14_targets_apply():
    row = {"consumers": 1_000_000, "ratio": 1.4, "full_s": 13.0, "rss_mb": 250.0, "disagreement": ""}
    assert all(ok for _, ok in verdicts(row, "sqlite"))
    assert not all(ok for _, ok in verdicts(row, "postgresql"))  # 13 s > 12 s
    assert not all(ok for _, ok in verdicts({**row, "ratio": 1.6}, "sqlite"))
