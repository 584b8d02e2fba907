"""The summary's line on weekly check-ins: how many she submitted in the range and when the
last was, on the local days of the range; her answers are diary entries, counted as such."""

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.models import CheckIn, DiaryEntry, Severity
from portal.summary import printing
from tests.conftest import entry, local

pytestmark = pytest.mark.django_db

RANGE = "start=2026-11-01&end=2026-11-30"


def _check_in(patient, submitted: datetime | None, **fields) -> CheckIn:
    started = (submitted or local(date(2026, 11, 30), 8)) - timedelta(minutes=3)
    return CheckIn.objects.create(
        patient=patient, started_at=started, submitted_at=submitted, **fields
    )


def _line(client, query: str = RANGE) -> str | None:
    response = client.get(f"/summary/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    if "Weekly check-ins:" not in html:
        return None
    start = html.index("Weekly check-ins:")
    return html[start : html.index("</p>", start)]


def test_it_counts_the_range_s_check_ins_and_says_when_the_last_was(alice_client, alice, bob):
    for day in (9, 16, 23, 30):
        _check_in(alice, local(date(2026, 11, day), 10))
    _check_in(alice, local(date(2026, 10, 26), 10))  # before the range
    _check_in(alice, None)  # still open: not submitted
    _check_in(bob, local(date(2026, 11, 29), 10))
    assert _line(alice_client) == "Weekly check-ins: 4 in this period, last Mon 30 Nov."


def test_one_check_in_says_its_day(alice_client, alice):
    _check_in(alice, local(date(2026, 11, 12), 10))
    assert _line(alice_client) == "Weekly check-ins: 1 in this period, on Thu 12 Nov."


def test_the_range_is_her_local_days(alice_client, alice):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    _check_in(alice, datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    july = "start=2026-07-01&end=2026-07-31"
    june = "start=2026-06-01&end=2026-06-30"
    assert _line(alice_client, july) == "Weekly check-ins: 1 in this period, on Wed 1 Jul."
    assert _line(alice_client, june) == "Weekly check-ins: none in this period."


def test_a_range_over_two_years_gives_the_year(alice_client, alice):
    _check_in(alice, local(date(2027, 1, 4), 10))
    line = _line(alice_client, "start=2026-12-01&end=2027-01-31")
    assert line == "Weekly check-ins: 1 in this period, on Mon 4 Jan 2027."


def test_a_patient_who_never_checked_in_gets_no_line(alice_client, alice, bob, bone_pain):
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 11, 10), 9))
    _check_in(bob, local(date(2026, 11, 10), 10))
    _check_in(alice, None)  # started, never submitted
    assert _line(alice_client) is None


def test_the_answers_count_as_diary_entries_and_nothing_else_is_marked(
    alice_client, alice, bone_pain
):
    check_in = _check_in(alice, local(date(2026, 11, 16), 10))
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 11, 10), 9))
    DiaryEntry.objects.create(
        patient=alice,
        symptom=bone_pain,
        severity=Severity.MODERATE,
        occurred_at=check_in.submitted_at,
        check_in=check_in,
    )
    response = alice_client.get(f"/summary/?{RANGE}")
    (row,) = response.context["rows"]
    assert (row.entries, row.days_logged, row.worst) == (2, 2, Severity.MODERATE)
    html = response.content.decode()
    doc = html[html.index('<div class="summary-doc">') :]
    # The line is the summary's one mention of check-ins: no row or entry is marked.
    assert doc.lower().count("check-in") == 1
    assert "Weekly check-ins: 1 in this period, on Mon 16 Nov." in doc


def test_the_print_plans_the_line_in_its_two_pages(alice_client, alice, monkeypatch):
    _check_in(alice, local(date(2026, 11, 30), 10))
    planned = []
    real_plan = printing.plan

    def spy(content):
        planned.append(content)
        return real_plan(content)

    monkeypatch.setattr(printing, "plan", spy)
    alice_client.get(f"/summary/?{RANGE}")
    (content,) = planned
    assert "Weekly check-ins: 1 in this period, on Mon 30 Nov." in content.header


def test_the_line_is_kept_in_a_full_print(alice_client, alice):
    from tests.conftest import symptom

    start = date(2026, 11, 1)
    for n in range(70):
        item = symptom(f"Symptom number {n}")
        for day in range(3):
            entry(alice, item, Severity.MILD, local(start + timedelta(days=day), 9))
    for day in (2, 9):
        _check_in(alice, local(date(2026, 11, day), 10))
    response = alice_client.get("/summary/?start=2026-11-01&end=2026-11-14")
    assert response.context["print_plan"].pages <= 2
    html = response.content.decode()
    # In the header, which always prints (no print-omit on it).
    assert '<p class="summary-meta">Weekly check-ins: 2 in this period, last Mon 9 Nov.</p>' in (
        html
    )
