"""The printed summary's budget: what fits on two pages, decided here rather than hoped for.

Every printed block is measured in points from its text (wrapped at a width of characters
a wide font still fits) and laid out on pages as the browser will: a list item, a table
row, the whole overview table and the chart never split across a page, and a heading stays
with what follows it. When the blocks need more than two pages, the least urgent content
is cut first (where to read more, then notes, the timeline, the milder symptoms, the
questions, ...) and the print says what was left out and where to see it. Red flags are
never cut, and come first, so they are on page 1.

The sizes are the print rules in static/css/portal.css (the summary's print block): change
one and the other together. The page is the smaller of A4 and US Letter each way: A4's
width (210 mm) and Letter's height (279.4 mm), less the @page margins.
"""

import textwrap
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.utils import dateformat, timezone

from portal.summary.chart import CHART_WIDTH, chart_height

MM = 72 / 25.4
PAGES = 2
PAGE_WIDTH = (210 - 2 * 12) * MM
# Kept back for what the model does not see: rounding, a font a little wider than planned.
PAGE_HEIGHT = (279.4 - 12 - 14) * MM * 0.95
# Average character width of text, in ems: DejaVu Sans (wider than most) measures 0.5.
CHAR_EM = 0.55

BODY_PT, LINE = 10, 13
META_PT, META_LINE = 8.5, 10.8
TABLE_PT, TABLE_LINE, CELL_PAD = 9, 11.3, 4
H1, H2, H3 = 22, 27, 17
ITEM_GAP = 1.5
LIST_INDENT = 14
PARAGRAPH_GAP = 3
ANSWER_LINE = 20
# The overview's printed columns (fractions of the width): symptom, worst, latest, trend,
# days reported, last reported.
TABLE_COLUMNS = (0.24, 0.27, 0.27, 0.09, 0.06, 0.07)


@lru_cache(maxsize=4096)
def text_lines(text: str, width_pt: float, font_pt: float = BODY_PT) -> int:
    chars = max(int(width_pt / (font_pt * CHAR_EM)), 8)
    return max(len(textwrap.wrap(text, chars, break_long_words=True)), 1)


def paragraph(text: str, font_pt: float = BODY_PT, line: float = LINE) -> float:
    return text_lines(text, PAGE_WIDTH, font_pt) * line + PARAGRAPH_GAP


def item(text: str, extra: float = 0) -> float:
    return text_lines(text, PAGE_WIDTH - LIST_INDENT) * LINE + ITEM_GAP + extra


def table_row(cells: list[str]) -> float:
    lines = max(
        text_lines(cell, PAGE_WIDTH * share - CELL_PAD * 2, TABLE_PT)
        for cell, share in zip(cells, TABLE_COLUMNS, strict=True)
    )
    return lines * TABLE_LINE + CELL_PAD


@dataclass
class Block:
    height: float
    # A heading: on the same page as the block after it.
    keep_with_next: bool = False


def pages_needed(blocks: list[Block]) -> int:
    """Pages for the blocks laid out in order, none split, a heading kept with the next."""
    pages, used, index = 1, 0.0, 0
    while index < len(blocks):
        group = [blocks[index]]
        while group[-1].keep_with_next and index + len(group) < len(blocks):
            group.append(blocks[index + len(group)])
        height = sum(block.height for block in group)
        if used and used + height > PAGE_HEIGHT:
            pages, used = pages + 1, 0.0
        used += height
        while used > PAGE_HEIGHT:  # taller than a page: it runs on (never planned so)
            pages, used = pages + 1, used - PAGE_HEIGHT
        index += len(group)
    return pages


@dataclass
class Content:
    """The texts of everything the summary could print, in its order."""

    header: list[str]
    red_flags: list[str] = field(default_factory=list)
    worsening: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    # Each overview row's cells, worst first; own_words_rows of them are in the patient's
    # words (printed in a group of their own).
    table: list[list[str]] | None = None
    has_own_words: bool = False
    table_notes: list[str] = field(default_factory=list)
    # Label lines of each timeline row, most severe first; None when not shown.
    timeline: list[int] | None = None
    timeline_notes: list[str] = field(default_factory=list)
    questions: list[str] | None = None
    notes: list[str] | None = None
    reading: list[str] | None = None
    attention: bool = False

    @cached_property
    def table_heights(self) -> list[float]:
        """The height of the table's first n rows, for each n: the planner asks again at
        every cut, and a five-year overview has many rows."""
        heights = [0.0]
        for row in self.table or []:
            heights.append(heights[-1] + table_row(row))
        return heights


# What is cut first, and how far, one item at a time: (part, items kept at least).
CUTS = (
    ("reading", 0),
    ("notes", 2),
    ("timeline", 4),
    ("timeline", 0),
    ("notes", 0),
    ("others", 5),
    ("worsening", 10),
    ("table", 15),
    ("questions", 3),
    ("others", 0),
    ("worsening", 5),
    ("table", 8),
    ("questions", 1),
    ("worsening", 3),
    ("table", 0),
    ("worsening", 0),
    ("questions", 0),
)
PARTS = ("worsening", "others", "table", "timeline", "questions", "notes", "reading")
OMITTED = "x more not printed: see the summary in the portal."


@dataclass
class PrintPlan:
    """How many of each part's items print (the first ones); None: the part is not shown."""

    kept: dict[str, int | None]
    available: dict[str, int | None]
    pages: int
    # What the print says it left out (the view words them): per part cut short, and the
    # parts left out whole.
    omitted: dict[str, str] = field(default_factory=dict)
    not_printed: list[str] = field(default_factory=list)

    @property
    def dropped_parts(self) -> set[str]:
        return {part for part in PARTS if self.dropped(part)}

    def keeps(self, part: str) -> int:
        return self.kept.get(part) or 0

    def left_out(self, part: str) -> int:
        return (self.available.get(part) or 0) - self.keeps(part)

    def dropped(self, part: str) -> bool:
        """A part shown on screen that prints nothing."""
        return bool(self.available.get(part)) and not self.keeps(part)


def _blocks(content: Content, kept: dict[str, int | None]) -> list[Block]:
    blocks = [Block(H1)] + [Block(paragraph(text)) for text in content.header]

    def omitted(part: str) -> list[Block]:
        # The line saying what was left out, when something was.
        available = len(getattr(content, part) or [])
        return [Block(paragraph(OMITTED, META_PT, META_LINE))] if kept[part] < available else []

    if content.attention:
        blocks.append(Block(H2, keep_with_next=True))
        if not (content.red_flags or content.worsening or content.others):
            blocks.append(Block(paragraph("Nothing flagged " * 12)))
        if content.red_flags:
            blocks.append(Block(H3, keep_with_next=True))
            blocks += [Block(item(text)) for text in content.red_flags]
        for part in ("worsening", "others"):
            if kept[part]:
                blocks.append(Block(H3, keep_with_next=True))
                blocks += [Block(item(text)) for text in getattr(content, part)[: kept[part]]]
            blocks += omitted(part)
    if content.table is not None:
        blocks.append(Block(H2, keep_with_next=True))
        rows = content.table[: kept["table"]]
        if rows:
            head = table_row(["Symptom", "Worst", "Latest", "Trend", "Days", "Last"])
            group = TABLE_LINE + CELL_PAD if content.has_own_words else 0
            blocks.append(Block(head + group + content.table_heights[len(rows)]))
        else:
            blocks.append(Block(paragraph("No diary entries in this period.")))
        blocks += [Block(paragraph(text, META_PT, META_LINE)) for text in content.table_notes]
        blocks += omitted("table")
    if content.timeline is not None and kept["timeline"]:
        lines = content.timeline[: kept["timeline"]]
        chart = chart_height(lines) * PAGE_WIDTH / CHART_WIDTH
        blocks.append(Block(H2, keep_with_next=True))
        blocks.append(Block(chart + PARAGRAPH_GAP))
        blocks += [Block(paragraph(text, META_PT, META_LINE)) for text in content.timeline_notes]
    for part in ("questions", "notes", "reading"):
        texts = getattr(content, part)
        if texts is None or (texts and not kept[part]):
            continue
        blocks.append(Block(H2, keep_with_next=True))
        extra = ANSWER_LINE if part == "questions" else 0
        blocks += [Block(item(text, extra)) for text in texts[: kept[part]]]
        if not texts:
            blocks.append(Block(paragraph("None in this period.")))
        blocks += omitted(part)
    if any(getattr(content, part) and not kept[part] for part in PARTS):
        blocks.append(Block(paragraph(OMITTED * 3, META_PT, META_LINE)))
    return blocks


def plan(content: Content) -> PrintPlan:
    """Cut the least urgent items until the print fits on PAGES pages."""
    available = {
        part: None if getattr(content, part) is None else len(getattr(content, part))
        for part in PARTS
    }
    kept = {part: count or 0 for part, count in available.items()}

    def pages_with(part: str, count: int) -> int:
        return pages_needed(_blocks(content, {**kept, part: count}))

    pages = pages_needed(_blocks(content, kept))
    for part, floor in CUTS:
        if pages <= PAGES or kept[part] <= floor:
            continue
        # The most items of this part (down to floor) that fit, as cutting one at a time
        # would find them, found by halving (a five-year overview of 80 rows would
        # otherwise be laid out some 65 times): fewer items never need more pages, down to
        # one. None can need more than one, as a part cut away whole adds the line saying
        # what was left out, so 0 is tried only when no count from 1 up fits.
        low = max(floor, 1)
        if low < kept[part] and pages_with(part, low) <= PAGES:
            fits, too_many = low, kept[part]  # fits on PAGES pages; does not
            while too_many - fits > 1:
                middle = (fits + too_many) // 2
                if pages_with(part, middle) <= PAGES:
                    fits = middle
                else:
                    too_many = middle
            kept[part] = fits
            pages = pages_with(part, fits)
            break
        kept[part] = floor
        pages = pages_with(part, floor)
    return PrintPlan(
        kept={part: None if available[part] is None else kept[part] for part in PARTS},
        available=available,
        pages=pages,
    )


def row_cells(row, date_format: str) -> list[str]:
    """An overview row's printed cells (the template prints the same)."""
    return [
        row.name,
        row.worst_answers,
        row.latest_answers,
        f"{row.trend_arrow} {row.trend_word}".strip(),
        str(row.days_logged),
        dateformat.format(timezone.localtime(row.last_at), date_format),
    ]
