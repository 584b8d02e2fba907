"""The CSV download of the entries in the chosen range."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from education.models import RedFlagRule
from portal.exports import csv_safe
from portal.models import AuditEvent, DiaryEntry, Severity
from tests.conftest import entry, local, sick_twice_rule, symptom

RANGE = "start=2026-10-01&end=2026-10-10"


def _download(client, query=RANGE):
    response = client.get(f"/summary/entries.csv?{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(text)))


def test_it_downloads_the_range_oldest_first_in_local_time(alice_client, alice):
    bone = symptom("Bone pain", "bone")
    entry(alice, bone, Severity.SEVERE, local(date(2026, 10, 2), 9, 15), "Worse on stairs")
    entry(alice, "hip ache", Severity.MILD, local(date(2026, 10, 1), 0, 0))
    entry(alice, bone, Severity.MILD, local(date(2026, 10, 11), 0, 0))  # outside
    response, rows = _download(alice_client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="symptom-diary-2026-10-01-to-2026-10-10.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    assert rows == [
        [
            "date",
            "time",
            "symptom",
            "PRO-CTCAE term",
            "own words",
            "frequency",
            "severity",
            "severity (0-4)",
            "interference",
            "amount",
            "presence",
            "temperature (°C)",
            "times in 24 h",
            "notice level",
            "red flag",
            "note",
            "entered by",
        ],
        ["2026-10-01", "00:00", "", "", "hip ache", "", "Mild", "1"] + [""] * 9,
        ["2026-10-02", "09:15", "Bone pain", "", "", "", "Severe", "3"]
        + [""] * 7
        + ["Worse on stairs", ""],
    ]


def test_it_carries_every_pro_ctcae_answer_number_and_red_flag(alice_client, alice):
    vomiting = symptom("Vomiting", pro_ctcae_term="Vomiting", asks_frequency=True)
    rash = symptom("Rash", pro_ctcae_term="Rash", asks_severity=False, asks_presence=True)
    hot = symptom("High temperature", asks_severity=False, measurement="temperature")
    sick_rule = sick_twice_rule(vomiting)
    when = local(date(2026, 10, 4), 8)
    DiaryEntry.objects.create(
        patient=alice,
        symptom=vomiting,
        own_words="threw up three times",
        frequency=3,
        severity=Severity.MODERATE,
        times_in_24h=3,
        notice_level="contact",
        red_flag=sick_rule,
        occurred_at=when,
    )
    DiaryEntry.objects.create(patient=alice, symptom=rash, presence=True, occurred_at=when)
    DiaryEntry.objects.create(
        patient=alice, symptom=hot, temperature_c=Decimal("38.4"), occurred_at=when
    )
    DiaryEntry.objects.create(
        patient=alice, own_words="weary", interference=4, amount=2, occurred_at=when
    )
    _, rows = _download(alice_client)
    header, *entries = rows
    found = [dict(zip(header, row, strict=True)) for row in entries]
    sick, spots, fever, weary = found
    assert sick["symptom"] == "Vomiting" and sick["PRO-CTCAE term"] == "Vomiting"
    assert (sick["frequency"], sick["severity"], sick["severity (0-4)"]) == (
        "Frequently",
        "Moderate",
        "2",
    )
    assert sick["times in 24 h"] == "3"
    assert sick["notice level"] == "Contact the care team"
    assert sick["red flag"] == "Being sick 2 or more times in 24 hours"
    assert (spots["presence"], spots["severity"], spots["severity (0-4)"]) == ("Yes", "", "")
    assert fever["temperature (°C)"] == "38.4"
    assert (fever["notice level"], fever["red flag"]) == ("", "")
    assert (weary["interference"], weary["amount"]) == ("Very much", "Somewhat")


def test_a_red_flag_rule_named_like_a_formula_is_kept_as_text(alice_client, alice):
    rule = RedFlagRule.objects.create(
        name="=1+1 reported",
        condition="top_level",
        level="contact",
        patient_wording="Call now.",
        source_document="A triage tool",
        source_version="v1",
    )
    DiaryEntry.objects.create(
        patient=alice,
        own_words="bad",
        severity=Severity.VERY_SEVERE,
        red_flag=rule,
        notice_level="contact",
        occurred_at=local(date(2026, 10, 4)),
    )
    _, rows = _download(alice_client)
    assert rows[1][14] == "'=1+1 reported"


@pytest.mark.parametrize(
    ("note", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1 more pill", "'+1 more pill"),
        ("-2 from yesterday", "'-2 from yesterday"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("Fine = good", "Fine = good"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(alice_client, alice, note, cell):
    entry(alice, "=cmd|' /C calc'!A0", Severity.MILD, local(date(2026, 10, 3)), note)
    _, rows = _download(alice_client)
    assert rows[1][4] == "'=cmd|' /C calc'!A0"
    assert rows[1][15] == cell


def test_csv_safe_leaves_ordinary_text_alone():
    assert csv_safe("") == ""
    assert csv_safe("Bone pain") == "Bone pain"
    assert csv_safe("-") == "'-"


def test_the_export_is_audited_without_health_data(alice_client, alice):
    _download(alice_client)
    event = AuditEvent.objects.get(action="summary.export")
    assert (event.actor_id, event.record_type, event.record_id) == (alice.pk, "summary", "")


def test_an_empty_range_gives_just_the_header(alice_client):
    _, rows = _download(alice_client)
    assert len(rows) == 1


def test_the_summary_links_to_the_csv_for_the_same_range(alice_client):
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert 'href="/summary/entries.csv?start=2026-10-01&amp;end=2026-10-10"' in html
