"""The CRW charts' layout: bars in proportion to the largest, nothing divided by zero when
every count is 0, long reasons shortened on the drawing but whole in the description."""

from __future__ import annotations

from rules.crw import CrwTiles
from web.charts import LABEL_WIDTH, MAX_LABEL_CHARS, VALUE_ROOM, WIDTH, bar_chart, tile_charts

ROOM = WIDTH - LABEL_WIDTH - VALUE_ROOM


def test_bars_are_in_proportion_to_the_largest():
    chart = bar_chart("k", "Open cases by priority", [("a", 4), ("b", 1), ("c", 0)])
    assert [bar.width for bar in chart.bars] == [ROOM, ROOM / 4, 0]
    assert [bar.y for bar in chart.bars] == [0, 28, 56]
    assert chart.height == 84


def test_an_empty_workspace_draws_empty_bars():
    charts = tile_charts("mine", CrwTiles())
    assert [c.title for c in charts] == ["Open cases by priority", "Open cases by age"]  # no reasons yet
    assert all(bar.width == 0 and bar.value == 0 for c in charts for bar in c.bars)
    assert [b.full_label for b in charts[0].bars][0] == "5 Very High Risk"


def test_a_long_reason_is_shortened_on_the_drawing_only():
    reason = "Switched to Medi-Cal at renewal after moving counties"
    bar = bar_chart("k", "Cases by reason", [(reason, 2)]).bars[0]
    assert len(bar.label) == MAX_LABEL_CHARS and bar.label.endswith("…")
    assert bar.full_label == reason


def test_reasons_are_listed_most_common_first():
    tiles = CrwTiles(by_reason={"Moved": 1, "Premium increase": 5, "Aged out": 1})
    reasons = tile_charts("agency", tiles)[2]
    assert reasons.key == "agency-reason"
    assert [b.full_label for b in reasons.bars] == ["Premium increase", "Aged out", "Moved"]
