"""The CSV download of the entries in the chosen range."""

import csv
import io
from datetime import date

import pytest

from portal.exports import csv_safe
from portal.models import AuditEvent, Severity
from tests.conftest import entry, local, symptom

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
            "own words",
            "severity",
            "severity (0-4)",
            "note",
            "entered by",
        ],
        ["2026-10-01", "00:00", "", "hip ache", "Mild", "1", "", ""],
        ["2026-10-02", "09:15", "Bone pain", "", "Severe", "3", "Worse on stairs", ""],
    ]


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
    assert rows[1][3] == "'=cmd|' /C calc'!A0"
    assert rows[1][6] == cell


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
