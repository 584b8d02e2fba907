"""The summary's timeline: columns of days, the table for screen readers, the SVG geometry."""

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import dateformat

from portal.models import Severity

if TYPE_CHECKING:
    from portal.summary.queries import SummaryRange, SymptomRow

# The chart's drawing units (the SVG scales to the page width).
CHART_WIDTH = 720
CHART_LABEL_WIDTH = 190
CHART_ROW_HEIGHT = 34
CHART_LEVEL_HEIGHT = 6
CHART_AXIS_HEIGHT = 24
CHART_LABEL_LINE = 15
# Characters of a label per line at 13 units in the 190-unit label column (wide fonts too).
LABEL_CHARS = 24
LEGEND_ITEM_WIDTH = 100


NOT_RATED = "Logged, no severity rating"


def _cell_word(row: "SymptomRow", index: int) -> str:
    if row.timeline[index] is not None:
        return Severity(row.timeline[index]).label
    if row.timeline_logged and row.timeline_logged[index]:
        return NOT_RATED
    return "Not logged"


@dataclass
class Timeline:
    summary_range: "SummaryRange"
    bucket_days: int
    rows: list["SymptomRow"]
    hidden_rows: int
    # The symptoms logged without a severity rating: listed, not drawn.
    unrated: list["SymptomRow"] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rows or self.unrated)

    @property
    def columns(self) -> list[tuple[date, date]]:
        start, end = self.summary_range.start, self.summary_range.end
        count = math.ceil(self.summary_range.days / self.bucket_days)
        spans = []
        for index in range(count):
            first = start + timedelta(days=index * self.bucket_days)
            last = min(first + timedelta(days=self.bucket_days - 1), end)
            spans.append((first, last))
        return spans

    @property
    def table(self) -> list[dict]:
        """The chart's data for screen readers: one row per column of the chart."""
        return [
            {
                "span": span,
                "words": [_cell_word(row, index) for row in self.rows],
            }
            for index, span in enumerate(self.columns)
        ]

    def chart(self) -> dict:
        """Geometry for the inline SVG: one strip per symptom, bar height = severity, each
        bar filled with its level's pattern (legend below), the full label wrapped."""
        columns = self.columns
        column_width = (CHART_WIDTH - CHART_LABEL_WIDTH) / len(columns)
        bar_width = max(round(column_width * 0.7, 1), 1)
        strips = []
        top = 0
        for row in self.rows:
            lines = label_lines(row.name)
            height = strip_height(len(lines))
            baseline = top + height - 6
            bars = []
            for column, value in enumerate(row.timeline):
                if value is None:
                    continue
                # A logged "None" still shows as a thin bar: logged differs from not logged.
                bar_height = 2 + value * CHART_LEVEL_HEIGHT
                bars.append(
                    {
                        "x": round(CHART_LABEL_WIDTH + column * column_width, 1),
                        "y": baseline - bar_height,
                        "height": bar_height,
                        "severity": value,
                        # The bar's tooltip, formatted once here rather than by a date
                        # filter per bar (up to 8 x 31 of them).
                        "title": f"{dateformat.format(columns[column][0], 'j M')}: "
                        f"{Severity(value).label}",
                    }
                )
            strips.append(
                {
                    "label": row.name,
                    "lines": [
                        {"text": text, "y": top + CHART_LABEL_LINE * (index + 1)}
                        for index, text in enumerate(lines)
                    ],
                    "baseline": baseline,
                    "top": baseline - 2 - Severity.VERY_SEVERE * CHART_LEVEL_HEIGHT,
                    "bars": bars,
                }
            )
            top += height
        plot_bottom = top
        ticks = []
        for column, anchor in ((0, "start"), (len(columns) - 1, "end")):
            x = CHART_LABEL_WIDTH + column * column_width
            ticks.append(
                {
                    "x": round(x if anchor == "start" else x + column_width, 1),
                    "anchor": anchor,
                    "day": columns[column][0] if anchor == "start" else columns[column][1],
                }
            )
        legend_y = plot_bottom + CHART_AXIS_HEIGHT
        legend = [
            {
                "severity": int(level),
                "label": level.label,
                "x": CHART_LABEL_WIDTH + index * LEGEND_ITEM_WIDTH,
                "text_x": CHART_LABEL_WIDTH + index * LEGEND_ITEM_WIDTH + 18,
            }
            for index, level in enumerate(Severity)
        ]
        return {
            "width": CHART_WIDTH,
            "height": chart_height([len(strip["lines"]) for strip in strips]),
            "label_width": CHART_LABEL_WIDTH,
            "bar_width": bar_width,
            "strips": strips,
            "ticks": ticks,
            "tick_y": plot_bottom + 16,
            "legend": legend,
            "legend_y": legend_y,
            "legend_text_y": legend_y + 11,
        }


def label_lines(name: str) -> list[str]:
    """A symptom's full name, wrapped to the label column (never cut)."""
    return textwrap.wrap(name, LABEL_CHARS, break_long_words=True) or [""]


def strip_height(lines: int) -> int:
    return max(CHART_ROW_HEIGHT, CHART_LABEL_LINE * lines + 8)


def chart_height(label_lines_per_row: list[int]) -> int:
    """The chart's height in drawing units: the strips, the axis and the legend."""
    return sum(strip_height(lines) for lines in label_lines_per_row) + CHART_AXIS_HEIGHT + 18
