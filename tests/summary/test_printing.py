"""The print budget: what fits on two pages, the least urgent cut first, and said so."""

import random
import re
from datetime import date, timedelta

from portal.models import Severity
from portal.summary import printing
from tests.conftest import entry, local, symptom


def _content(**parts) -> printing.Content:
    return printing.Content(header=["Alice Archer", "For the appointment: none chosen."], **parts)


def test_a_short_summary_prints_whole():
    plan = printing.plan(
        _content(
            attention=True,
            red_flags=["Emergency: Seizures — 2 Dec; 1 report"],
            table=[["Bone pain", "Severe", "Mild", "→ Same", "3", "2 Dec"]],
            questions=["Is the scan booked?"],
            notes=["2 Dec, Bone pain: walked to the shop."],
            reading=["Bone metastases in Metastatic breast cancer"],
        )
    )
    assert plan.pages == 1
    assert all(plan.left_out(part) == 0 for part in printing.PARTS)


def test_the_least_urgent_go_first_and_red_flags_never():
    flags = [f"Red flag {n} — 2 Dec; 1 report" for n in range(12)]
    long = "a long sentence of the patient's own words " * 10
    plan = printing.plan(
        _content(
            attention=True,
            red_flags=flags,
            worsening=[f"Symptom {n} — {long}" for n in range(30)],
            table=[[f"Symptom {n}", long, long, "↑ Worse", "30", "2 Dec"] for n in range(60)],
            timeline=[1] * 8,
            questions=[long] * 20,
            notes=[long] * 5,
            reading=["A section"] * 6,
        )
    )
    assert plan.pages <= printing.PAGES
    assert plan.available["reading"] == 6 and plan.dropped("reading")
    assert plan.dropped("notes") and plan.dropped("timeline")
    # Red flags are not a part the plan can cut: all twelve print.
    assert "red_flags" not in plan.kept
    assert 0 < plan.keeps("table") < 60 and plan.keeps("worsening") < 30


def _plan_one_at_a_time(content: printing.Content) -> dict:
    """The plan as the rules say it: cut one item at a time, least urgent first."""
    kept = {part: len(getattr(content, part) or []) for part in printing.PARTS}
    pages = printing.pages_needed(printing._blocks(content, kept))
    for part, floor in printing.CUTS:
        while pages > printing.PAGES and kept[part] > floor:
            kept[part] -= 1
            pages = printing.pages_needed(printing._blocks(content, kept))
    return {"kept": kept, "pages": pages}


def test_the_plan_found_by_halving_is_the_one_cutting_one_at_a_time():
    rng = random.Random(3)
    words = [
        "pain",
        "in",
        "my",
        "hip",
        "that",
        "wakes",
        "me",
        "at",
        "night",
        "and",
        "is",
        "worse",
        "when",
        "I",
        "walk",
    ]

    def texts(most: int, longest: int) -> list[str]:
        return [
            " ".join(rng.choices(words, k=rng.randrange(1, longest)))
            for _ in range(rng.randrange(most))
        ]

    for _ in range(60):
        content = _content(
            attention=rng.random() < 0.8,
            red_flags=texts(4, 20),
            worsening=texts(30, 40),
            others=texts(30, 40),
            table=[[text, text, "Mild", "→ Same", "3", "2 Dec"] for text in texts(90, 30)],
            timeline=[rng.randrange(1, 4) for _ in range(rng.randrange(90))],
            questions=texts(25, 60),
            notes=texts(25, 60),
            reading=texts(8, 6),
        )
        plan = printing.plan(content)
        expected = _plan_one_at_a_time(content)
        assert {part: plan.keeps(part) for part in printing.PARTS} == expected["kept"]
        assert plan.pages == expected["pages"]


def test_blocks_never_split_and_headings_stay_with_what_follows():
    page = printing.PAGE_HEIGHT
    blocks = [printing.Block(page * 0.6), printing.Block(20, keep_with_next=True)]
    blocks.append(printing.Block(page * 0.39))
    # The heading would fit on page 1, but not with the block after it.
    assert printing.pages_needed(blocks) == 2
    assert printing.pages_needed([printing.Block(page * 0.5)] * 2) == 1
    assert printing.pages_needed([printing.Block(page * 0.5)] * 3) == 2


def test_a_long_own_words_cell_is_measured_wrapped():
    short = printing.table_row(["Nausea", "Mild", "Mild", "→ Same", "3", "2 Dec"])
    long = printing.table_row(["word " * 40, "Mild", "Mild", "→ Same", "3", "2 Dec"])
    assert long > short * 5


def test_every_symptom_prints_the_worst_and_says_where_the_rest_are(alice_client, alice):
    start = date(2026, 11, 1)
    for n in range(70):
        item = symptom(f"Symptom number {n}")
        for day in range(3):
            severity = Severity.VERY_SEVERE if n < 3 else Severity.MILD
            entry(alice, item, severity, local(start + timedelta(days=day), 9))
    response = alice_client.get("/summary/?start=2026-11-01&end=2026-11-07")
    assert response.status_code == 200
    plan = response.context["print_plan"]
    assert plan.pages <= 2 and 0 < plan.keeps("table") < 70
    html = response.content.decode()
    overview = re.search(r'<table class="summary-table overview-table">.*?</table>', html, re.S)
    rows = re.findall(r'<tr( class="print-omit")?>\s*<th scope="row">([^<]+)</th>', overview[0])
    assert len(rows) == 70  # all on screen
    printed = [name for omit, name in rows if not omit]
    assert printed[:3] == ["Symptom number 0", "Symptom number 1", "Symptom number 2"]
    assert len(printed) == plan.keeps("table")
    left = 70 - len(printed)
    assert (
        f'<p class="print-only omitted">{left} milder symptoms not printed: all 70 are in the '
        "summary in the portal and its CSV download.</p>"
    ) in html
