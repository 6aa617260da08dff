"""Small horizontal bar charts for the CRW tiles, laid out here and drawn by the template
``web/_charts.html`` as inline SVG: no script, no inline style (the CSP forbids both), and
every label goes through the template's autoescape.

Coordinates are in the SVG's own units; the stylesheet scales the drawing to the page, so
one layout reads at 375 px and on a desktop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.crw import RISK_LABELS, CrwTiles

WIDTH = 360
LABEL_WIDTH = 150
VALUE_ROOM = 40  # right of the longest bar, for its number
BAR_HEIGHT = 20
GAP = 8
MAX_LABEL_CHARS = 18


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (shortened when long)
    full_label: str  # as the chart's description reads it
    value: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    key: str  # unique on the page: the SVG's title and description ids start with it
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + GAP)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(key: str, title: str, items: Sequence[tuple[str, int]]) -> BarChart:
    """One bar per (label, count); the longest bar fills the room left of its number."""
    most = max((value for _, value in items), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = [
        Bar(
            _short(label),
            label,
            value,
            index * (BAR_HEIGHT + GAP),
            round(room * value / most, 1) if most else 0,
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(key, title, bars)


def tile_charts(prefix: str, tiles: CrwTiles) -> list[BarChart]:
    """The CRW tiles as charts: open cases by priority (Very High first), by age, by reason."""
    by_risk = [
        (f"{risk} {RISK_LABELS[risk]}", tiles.open_by_risk.get(risk, 0))
        for risk in sorted(RISK_LABELS, reverse=True)
    ]
    charts = [
        bar_chart(f"{prefix}-priority", "Open cases by priority", by_risk),
        bar_chart(f"{prefix}-aging", "Open cases by age", list(tiles.aging.items())),
    ]
    if tiles.by_reason:
        reasons = sorted(tiles.by_reason.items(), key=lambda item: (-item[1], item[0]))
        charts.append(bar_chart(f"{prefix}-reason", "Cases by reason", reasons))
    return charts
