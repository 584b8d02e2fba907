"""The summary costs the same number of queries for one week and for five years."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from education.models import RedFlagRule
from portal.models import Appointment, CheckIn, DiaryEntry, Question
from tests.conftest import local, symptom

# Session, user, her appointments (upcoming and past: the choice, and the default range's
# start), her profile and current treatments, overview (aggregates and latest), needs
# attention (red flags grouped per rule and day, flagged entries grouped per symptom),
# timeline, questions, notes, reading, audit row, the clinic's phone numbers; and (issue 13)
# her weekly check-ins, counted with the last one's time in one aggregate.
QUERIES = 17


def _daily_diary(patient, symptoms, start: date, days: int) -> None:
    """Every symptom every day; the last one graded by how often only (no severity), with a
    red flag every other day."""
    flag = RedFlagRule.objects.get_or_create(
        name="Any answer at its top level",
        defaults={
            "condition": "top_level",
            "level": "contact",
            "patient_wording": "Call now.",
            "source_document": "A triage tool",
            "source_version": "v1",
        },
    )[0]
    last = len(symptoms) - 1
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            symptom=item,
            severity=None if position == last else (day + position) % 5,
            frequency=(day + position) % 5 if position >= last - 1 else None,
            temperature_c=Decimal("37.0") if position == last else None,
            red_flag=flag if position == last and day % 2 == 0 else None,
            notice_level="contact" if position == last and day % 2 == 0 else "",
            occurred_at=local(start + timedelta(days=day), 8 + position),
            note="A note" if day % 3 == 0 else "",
        )
        for day in range(days)
        for position, item in enumerate(symptoms)
    )
    # A weekly check-in every seventh day (its answers would be entries like those above).
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            started_at=local(start + timedelta(days=day), 9),
            submitted_at=local(start + timedelta(days=day), 9) + timedelta(minutes=2),
        )
        for day in range(0, days, 7)
    )


@pytest.fixture
def five_symptoms(db):
    return [symptom(name) for name in ("Bone pain", "Fatigue", "Nausea", "Headache", "Cough")]


def _summary_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/summary/?{query}")
    assert response.status_code == 200
    return len(captured)


def test_a_week_and_five_years_take_the_same_number_of_queries(
    client, alice, bob, five_symptoms, django_assert_max_num_queries
):
    end = date(2026, 10, 31)
    week_start, years_start = end - timedelta(days=6), end - timedelta(days=5 * 365)
    _daily_diary(alice, five_symptoms, week_start, 7)
    _daily_diary(bob, five_symptoms, years_start, 5 * 365 + 1)
    for patient in (alice, bob):
        Question.objects.create(patient=patient, text="A question")

    client.force_login(alice)
    week = _summary_queries(client, f"start={week_start}&end={end}")
    client.force_login(bob)
    started = time.monotonic()
    with django_assert_max_num_queries(QUERIES):
        years = _summary_queries(client, f"start={years_start}&end={end}")
    elapsed = time.monotonic() - started

    assert week == years == QUERIES
    context = client.get(f"/summary/?start={years_start}&end={end}").context
    assert context["attention"].red_flags
    assert context["check_ins"].count == CheckIn.objects.filter(patient=bob).count() == 261
    assert DiaryEntry.objects.filter(patient=bob).count() == 5 * (5 * 365 + 1)
    # Generous on a shared machine; per-row Python would show up here long before 5 s.
    assert elapsed < 5, elapsed


def test_the_default_range_costs_no_query_more(client, alice, five_symptoms):
    """The default range starts at the last appointment, read with the appointment choice."""
    _daily_diary(alice, five_symptoms, date.today() - timedelta(days=20), 20)
    Appointment.objects.create(patient=alice, starts_at=local(date.today() - timedelta(days=9)))
    client.force_login(alice)
    client.get("/summary/")
    response_queries = _summary_queries(client, "")
    assert response_queries == QUERIES
    assert client.get("/summary/").context["summary_range"].since_appointment
