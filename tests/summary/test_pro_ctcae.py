"""The summary with PRO-CTCAE answers: entries without severity, measurements, red flags."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from education.models import RedFlagRule, Urgency
from portal.models import DiaryEntry, NoticeLevel, Severity
from tests.conftest import entry, local, symptom

RANGE = "start=2026-11-20&end=2026-11-29"
NOV = lambda day: date(2026, 11, day)  # noqa: E731


def log(patient, what, when, red_flag=None, **answers):
    """An entry with any PRO-CTCAE answers and numbers, and the red flag it raised."""
    about = {"own_words": what} if isinstance(what, str) else {"symptom": what}
    level = red_flag.level if red_flag else NoticeLevel.NONE
    return DiaryEntry.objects.create(
        patient=patient, occurred_at=when, red_flag=red_flag, notice_level=level, **about, **answers
    )


def rule(name, condition, level=Urgency.CONTACT, symptom=None, threshold=None):
    return RedFlagRule.objects.create(
        name=name,
        condition=condition,
        level=level,
        symptom=symptom,
        threshold=threshold,
        patient_wording="Call now.",
        source_document="A triage tool",
        source_version="v1",
    )


@pytest.fixture
def diarrhea(db):
    return symptom("Diarrhea", asks_severity=False, asks_frequency=True, measurement="times")


@pytest.fixture
def nausea(db):
    return symptom("Nausea", "liver", asks_frequency=True)


@pytest.fixture
def temperature(db):
    return symptom("High temperature", asks_severity=False, measurement="temperature")


def _attention_text(client, query=RANGE):
    """Every line of "Needs attention" as text: red flags, worsening, then the rest."""
    html = client.get(f"/summary/?{query}").content.decode()
    lists = re.findall(r'<ul class="attention-list[^"]*">(.*?)</ul>', html, re.S)
    items = [item for listed in lists for item in re.findall(r"<li[^>]*>(.*?)</li>", listed, re.S)]
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()) for item in items]


# -- The overview -------------------------------------------------------------------------


def test_entries_without_severity_are_listed_with_nci_words_and_numbers(
    alice_client, alice, diarrhea, nausea, temperature
):
    log(alice, diarrhea, local(NOV(21), 9), frequency=2, times_in_24h=3)
    log(alice, diarrhea, local(NOV(24), 9), frequency=3, times_in_24h=7)
    log(alice, diarrhea, local(NOV(25), 9), frequency=1, times_in_24h=1)
    log(alice, nausea, local(NOV(22), 9), frequency=4, severity=Severity.MILD)
    log(alice, nausea, local(NOV(26), 9), frequency=1, severity=Severity.MODERATE)
    log(alice, temperature, local(NOV(23), 9), temperature_c=Decimal("38.6"))
    log(alice, temperature, local(NOV(24), 9), temperature_c=Decimal("37.1"))
    entry(alice, "hip ache", Severity.SEVERE, local(NOV(27), 9))

    response = alice_client.get(f"/summary/?{RANGE}")
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["rows"]}

    # Highest on any scale first: Almost constantly (4), Severe (3), Frequently (3), none.
    assert list(rows) == ["Nausea", "hip ache", "Diarrhea", "High temperature"]
    runs = rows["Diarrhea"]
    assert (runs.worst, runs.latest, runs.worst_word) == (None, None, "")
    assert runs.worst_answers == "Frequently (frequency); 7 times in 24 h"
    assert runs.latest_answers == "Rarely (frequency); 1 time in 24 h"
    assert runs.trend is None and runs.days_logged == 3
    sick = rows["Nausea"]
    assert sick.worst_answers == "Almost constantly (frequency); Moderate (severity)"
    assert sick.latest_answers == "Rarely (frequency); Moderate (severity)"
    assert rows["High temperature"].worst_answers == "38.6 °C"
    assert rows["High temperature"].latest_answers == "37.1 °C"
    # Severity alone reads as it always did.
    assert rows["hip ache"].worst_answers == "Severe"

    html = response.content.decode()
    assert "<td>Frequently (frequency); 7 times in 24 h</td>" in html
    assert "<td>38.6 °C</td>" in html
    assert "National Cancer Institute, PRO-CTCAE™ item library version 1.0" in html


def test_a_yes_or_no_answer_reads_yes_when_any_entry_said_yes(alice_client, alice):
    rash = symptom("Rash", "general", asks_severity=False, asks_presence=True)
    log(alice, rash, local(NOV(21)), presence=True)
    log(alice, rash, local(NOV(22)), presence=False)
    (row,) = alice_client.get(f"/summary/?{RANGE}").context["rows"]
    assert (row.worst_answers, row.latest_answers) == ("Yes (presence)", "No (presence)")


# -- The timeline -------------------------------------------------------------------------


def test_the_chart_draws_severity_only_and_names_the_rest(
    alice_client, alice, diarrhea, nausea, temperature
):
    log(alice, diarrhea, local(NOV(21), 9), frequency=2)
    log(alice, temperature, local(NOV(21), 9), temperature_c=Decimal("38.0"))
    log(alice, nausea, local(NOV(20), 9), frequency=2, severity=Severity.SEVERE)
    # Rated by how often only on the 22nd: logged, but no bar.
    log(alice, nausea, local(NOV(22), 9), frequency=3)

    response = alice_client.get(f"/summary/?{RANGE}")
    timeline = response.context["timeline"]
    assert [row.name for row in timeline.rows] == ["Nausea"]
    assert [row.name for row in timeline.unrated] == ["Diarrhea", "High temperature"]
    (nausea_row,) = timeline.rows
    assert nausea_row.timeline[:4] == [3, None, None, None]
    assert [cells["words"][0] for cells in timeline.table][:4] == [
        "Severe",
        "Not logged",
        "Logged, no severity rating",
        "Not logged",
    ]
    assert [bar["severity"] for bar in timeline.chart()["strips"][0]["bars"]] == [3]
    html = response.content.decode()
    assert "Not on the chart, as they have no severity rating (see the overview): " in html
    assert "Diarrhea, High temperature." in html


def test_a_period_with_no_severity_at_all_has_no_chart_but_lists_the_symptoms(
    alice_client, alice, diarrhea
):
    log(alice, diarrhea, local(NOV(21), 9), frequency=2)
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert ">Timeline</h2>" in html
    assert "<svg" not in html
    assert "no severity rating (see the overview): Diarrhea." in html


# -- Needs attention: red flags first -----------------------------------------------------


def test_red_flags_lead_grouped_by_rule_with_count_and_last_date(
    alice_client, alice, diarrhea, temperature
):
    chest = symptom(
        "Chest pain",
        "lung",
        urgency=Urgency.EMERGENCY,
        guidance_text="Call the emergency number.",
        guidance_source="Test guidance",
    )
    chest_rule = rule("Chest pain reported", "reported", Urgency.EMERGENCY, symptom=chest)
    runs_rule = rule(
        "Diarrhoea more than 4 times in 24 hours", "times", symptom=diarrhea, threshold=5
    )
    fever_rule = rule("Temperature 37.5 °C or above", "temperature", threshold=Decimal("37.5"))
    for day in (21, 22, 24):
        log(alice, diarrhea, local(NOV(day), 8), runs_rule, frequency=3, times_in_24h=6)
    log(alice, diarrhea, local(NOV(25), 8), frequency=1, times_in_24h=1)  # no flag
    log(alice, temperature, local(NOV(23), 20), fever_rule, temperature_c=Decimal("38.1"))
    log(alice, chest, local(NOV(20), 7), chest_rule, severity=Severity.MILD)
    # Own words with a temperature: the rule names no symptom, so the line names the words.
    log(alice, "hot and shivery", local(NOV(26), 7), fever_rule, temperature_c=Decimal("37.9"))
    log(alice, chest, local(NOV(19), 7), chest_rule, severity=Severity.MILD)  # before the range
    entry(alice, "hip ache", Severity.SEVERE, local(NOV(27), 9))

    response = alice_client.get(f"/summary/?{RANGE}")
    attention = response.context["attention"]
    assert [
        (flag.rule, flag.label, flag.symptom, flag.reports) for flag in attention.red_flags
    ] == [
        ("Chest pain reported", "Chest pain", "", 1),
        (
            "Temperature 37.5 °C or above",
            "Temperature 37.5 °C or above",
            "High temperature, hot and shivery",
            2,
        ),
        ("Diarrhoea more than 4 times in 24 hours", "Diarrhea 5 or more times in 24 h", "", 3),
    ]
    text = _attention_text(alice_client)
    # One line per rule, in a clinician's words: the days, the reports, the highest grade;
    # emergencies first, then the newest. Never the patient's advice.
    assert text[:3] == [
        "Emergency: Chest pain — Fri 20 Nov; 1 report; highest: Mild (severity)",
        "Temperature 37.5 °C or above (High temperature, hot and shivery) — Mon 23 Nov, "
        "Thu 26 Nov; 2 reports; highest: 38.1 °C",
        "Diarrhea 5 or more times in 24 h — Sat 21 Nov, Sun 22 Nov, Tue 24 Nov; 3 reports; "
        "highest: Frequently (frequency); 6 times in 24 h",
    ]
    assert "Call now." not in client_html(alice_client)
    # Then the rest: a severe own-words symptom, a symptom with emergency guidance.
    assert text[3:] == [
        "hip ache — Severe at worst; Severe or worse on 1 of 1 day reported, last 27 Nov.",
        "Chest pain — reported on 1 day, Mild at worst; the patient's guidance: an emergency.",
    ]


def client_html(client, query=RANGE) -> str:
    return client.get(f"/summary/?{query}").content.decode()


def test_a_red_flag_on_many_days_gives_the_first_and_last_and_the_lowest_temperature(
    alice_client, alice, temperature
):
    cold_rule = rule("Temperature below 36 °C", "temperature_below", threshold=Decimal("36.0"))
    for day, reading in ((20, "35.8"), (21, "35.1"), (23, "35.9"), (25, "35.5"), (27, "35.7")):
        log(alice, temperature, local(NOV(day), 8), cold_rule, temperature_c=Decimal(reading))
    (flag,) = alice_client.get(f"/summary/?{RANGE}").context["attention"].red_flags
    assert flag.text("D j M") == (
        "Temperature below 36 °C (High temperature) — 5 days, Fri 20 Nov to Fri 27 Nov; "
        "5 reports; highest: 35.1 °C"
    )


def test_a_guidance_only_symptom_without_severity_is_listed_without_a_worst_word(
    alice_client, alice
):
    breath = symptom(
        "Shortness of breath",
        "lung",
        asks_severity=False,
        asks_interference=True,
        urgency=Urgency.CONTACT,
        guidance_text="Contact your care team if you are more breathless than usual.",
        guidance_source="Test guidance",
    )
    log(alice, breath, local(NOV(21)), interference=1)
    assert _attention_text(alice_client) == [
        "Shortness of breath — reported on 1 day; the patient's guidance: contact the care team."
    ]


def test_bobs_red_flags_never_reach_alices_summary(alice_client, alice, bob, temperature):
    fever_rule = rule("Temperature 37.5 °C or above", "temperature", threshold=Decimal("37.5"))
    log(bob, temperature, local(NOV(23)), fever_rule, temperature_c=Decimal("39.0"))
    log(alice, temperature, local(NOV(23)), temperature_c=Decimal("36.8"))
    attention = alice_client.get(f"/summary/?{RANGE}").context["attention"]
    assert attention.red_flags == [] and not attention
    assert "raised a red flag" in alice_client.get(f"/summary/?{RANGE}").content.decode()


def test_a_range_across_new_year_gives_the_year_with_the_weekday(alice_client, alice):
    seizure = symptom("Seizures", "brain")
    seizure_rule = rule("A seizure", "reported", Urgency.EMERGENCY, symptom=seizure)
    log(alice, seizure, local(date(2027, 1, 2)), seizure_rule, severity=Severity.MILD)
    text = _attention_text(alice_client, "start=2026-12-20&end=2027-01-05")
    assert text[0] == "Emergency: Seizures — Sat 2 Jan 2027; 1 report; highest: Mild (severity)"
