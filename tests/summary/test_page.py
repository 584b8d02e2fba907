"""The appointment summary page: numbers, range edges, sections, privacy and bad input."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from education.models import Section
from portal.models import Appointment, AuditEvent, Question, Severity
from tests.conftest import entry, local, symptom

OCT_1, OCT_10 = date(2026, 10, 1), date(2026, 10, 10)
RANGE = "start=2026-10-01&end=2026-10-10"


@pytest.fixture
def fatigue(db):
    return symptom("Fatigue", "general")


@pytest.fixture
def october(alice, bone_pain, fatigue):
    """Hand-computed: see each test for the numbers."""
    day = lambda n: OCT_1 + timedelta(days=n - 1)  # noqa: E731
    entry(alice, bone_pain, Severity.MILD, local(day(1), 10))
    entry(alice, bone_pain, Severity.MODERATE, local(day(1), 18))
    entry(alice, bone_pain, Severity.SEVERE, local(day(3), 9))
    entry(alice, bone_pain, Severity.MODERATE, local(day(8), 9))
    entry(alice, bone_pain, Severity.VERY_SEVERE, local(day(9), 20))
    entry(alice, fatigue, Severity.SEVERE, local(day(2), 12))
    entry(alice, fatigue, Severity.MILD, local(day(9), 12))
    entry(alice, "Hip ache", Severity.MILD, local(day(4), 8))
    entry(alice, " hip ACHE ", Severity.MODERATE, local(day(4), 19))
    # Outside the range on either side (local days).
    entry(alice, bone_pain, Severity.NONE, local(date(2026, 9, 30), 23, 30))
    entry(alice, bone_pain, Severity.NONE, local(date(2026, 10, 11), 0, 0))


def _rows(client, query=RANGE):
    response = client.get(f"/summary/?{query}")
    assert response.status_code == 200
    return {row.name.strip().lower(): row for row in response.context["rows"]}


def test_overview_numbers_match_the_hand_computed_ones(alice_client, october):
    rows = _rows(alice_client)
    bone = rows["bone pain"]
    # Days 1, 3, 8, 9; worst Very severe on day 9, also the latest.
    assert (bone.days_logged, bone.entries) == (4, 5)
    assert (bone.worst_word, bone.latest_word) == ("Very severe", "Very severe")
    # First half (1-5 Oct): 1, 2, 3 -> 2.0; second half (6-10 Oct): 2, 4 -> 3.0.
    assert (bone.trend, bone.trend_word) == ("worse", "Worse")
    assert timezone.localtime(bone.first_at).date() == OCT_1
    assert timezone.localtime(bone.last_at).date() == date(2026, 10, 9)
    assert bone.body_site_label == "Bone"

    fatigue = rows["fatigue"]
    assert (fatigue.days_logged, fatigue.worst_word, fatigue.latest_word) == (2, "Severe", "Mild")
    assert fatigue.trend_word == "Better"

    # Own words are grouped ignoring case and spaces; both halves are needed for a trend.
    hip = rows["hip ache"]
    assert (hip.days_logged, hip.entries, hip.latest_word) == (1, 2, "Moderate")
    assert hip.trend is None and hip.trend_word == "Too few to compare"
    assert hip.body_site_label == "Not given"
    assert list(rows) == ["bone pain", "fatigue", "hip ache"]  # worst first


def test_overview_shows_words_and_arrows_not_numbers(alice_client, october):
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert '<th scope="row">Bone pain</th>' in html
    assert "Very severe" in html
    assert '<span aria-hidden="true">↑ </span>Worse' in html
    assert '<span aria-hidden="true">↓ </span>Better' in html


def test_an_entry_at_local_midnight_belongs_to_the_new_day(alice_client, alice, bone_pain):
    # 1 October 00:00 in London is 30 September 23:00 UTC (summer time).
    entry(alice, bone_pain, Severity.MILD, local(OCT_1, 0, 0))
    rows = _rows(alice_client, "start=2026-10-01&end=2026-10-01")
    assert rows["bone pain"].days_logged == 1
    assert _rows(alice_client, "start=2026-09-30&end=2026-09-30") == {}


def test_days_logged_follow_the_clinics_time_zone(alice_client, alice, bone_pain, settings):
    settings.TIME_ZONE = "America/New_York"
    # 23:30 and 00:30 local, either side of midnight, across the November clock change.
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 10, 31), 23, 30))
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 11, 1), 0, 30))
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 11, 1), 23, 30))
    rows = _rows(alice_client, "start=2026-10-31&end=2026-11-01")
    assert rows["bone pain"].days_logged == 2
    assert rows["bone pain"].entries == 3


def test_an_empty_range_says_so(alice_client, alice):
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "No diary entries in this period." in html
    assert "Nothing in this period was rated Severe" in html
    assert "<svg" not in html


def test_default_range_runs_from_the_last_past_appointment(alice_client, alice):
    today = timezone.localdate()
    Appointment.objects.create(patient=alice, starts_at=local(today - timedelta(days=40), 9))
    Appointment.objects.create(patient=alice, starts_at=local(today - timedelta(days=12), 9))
    Appointment.objects.create(patient=alice, starts_at=local(today + timedelta(days=3), 9))
    response = alice_client.get("/summary/")
    summary_range = response.context["summary_range"]
    assert (summary_range.start, summary_range.end) == (today - timedelta(days=12), today)
    assert "(13 days, since the last appointment)" in response.content.decode()


def test_default_range_is_the_last_30_days_without_a_past_appointment(alice_client, alice):
    today = timezone.localdate()
    Appointment.objects.create(patient=alice, starts_at=local(today + timedelta(days=3), 9))
    summary_range = alice_client.get("/summary/").context["summary_range"]
    assert (summary_range.start, summary_range.end) == (today - timedelta(days=29), today)
    assert summary_range.days == 30


@pytest.mark.parametrize("days", [7, 30, 90])
def test_presets_cover_the_last_n_days(alice_client, days):
    summary_range = alice_client.get(f"/summary/?days={days}").context["summary_range"]
    assert summary_range.days == days
    assert summary_range.end == timezone.localdate()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13-01&end=2026-12-31", "Enter a real date"),
        ("start=yesterday", "Enter a real date"),
        ("start=2026-10-10&end=2026-10-01", "on or after the first day"),
        ("end=2026-10-01", "Enter the first day too"),
        ("start=0001-01-01&end=2026-10-01", "from 2000 onwards"),
        ("start=9999-12-31&end=9999-12-31", "within the next year"),
        ("start=2026-10-01&end=9999-12-31", "within the next year"),
        ("days=5", "Select a valid choice"),
        ("days=" + "9" * 400, "Select a valid choice"),
        ("start=" + "2" * 5000, "Enter a real date"),
        ("start=2026-10-01%00", "Enter a real date"),
    ],
)
def test_bad_dates_give_an_inline_error_and_a_400(alice_client, query, message):
    response = alice_client.get(f"/summary/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert 'id="overview-heading"' not in html


def test_bad_dates_for_the_csv_are_a_400_too(alice_client):
    assert alice_client.get("/summary/entries.csv?start=2026-02-30").status_code == 400


def test_sections_can_be_switched_off(alice_client, october):
    html = alice_client.get(f"/summary/?{RANGE}&chosen=true&show=overview").content.decode()
    assert "Symptom overview" in html
    for heading in ('id="attention-heading"', 'id="timeline-heading"', 'id="notes-heading"'):
        assert heading not in html
    # The checkboxes remember the choice.
    assert 'value="overview" id="id_show_1" checked' in html
    assert 'value="notes" id="id_show_4">' in html


def test_every_section_shows_when_none_were_chosen_yet(alice_client, october):
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    for heading in (
        "Needs attention",
        "Symptom overview",
        "Timeline",
        "Questions for my care team",
        "Notes",
        "Where to read more",
    ):
        assert f">{heading}</h2>" in html
    assert html.index("Needs attention") < html.index("Symptom overview") < html.index("<svg")


def test_timeline_is_inline_svg_without_style_attributes_and_has_a_table(alice_client, october):
    response = alice_client.get(f"/summary/?{RANGE}")
    html = response.content.decode()
    assert '<svg class="timeline-chart"' in html and 'role="img"' in html
    assert "style=" not in html and "<style" not in html
    timeline = response.context["timeline"]
    assert timeline.bucket_days == 1
    bone = next(row for row in timeline.rows if row.name == "Bone pain")
    # Worst per day: day 1 Moderate (Mild then Moderate), day 3 Severe, 8 Moderate, 9 Very severe.
    assert bone.timeline == [2, None, 3, None, None, None, None, 2, 4, None]
    assert "<td>Very severe</td>" in html and "<td>Not logged</td>" in html


def test_a_long_range_groups_the_timeline_into_a_bounded_number_of_columns(alice_client, october):
    timeline = alice_client.get("/summary/?start=2026-01-01&end=2026-12-31").context["timeline"]
    assert timeline.bucket_days == 12
    assert len(timeline.columns) == 31
    bone = next(row for row in timeline.rows if row.name == "Bone pain")
    # Column 22 is 22 September to 3 October (days 264-275 of the year): worst Severe;
    # column 23, 4 to 15 October, holds the Very severe entry of 9 October.
    assert timeline.columns[22] == (date(2026, 9, 22), date(2026, 10, 3))
    assert bone.timeline[21:25] == [None, 3, 4, None]


def test_notes_are_the_newest_shortened_and_escaped(alice_client, alice, bone_pain):
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 10, 2)), note="x" * 500)
    entry(
        alice, bone_pain, Severity.MILD, local(date(2026, 10, 3)), note="<script>alert(1)</script>"
    )
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "x" * 159 + "…" in html and "x" * 160 not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_questions_show_only_the_ones_not_yet_asked(alice_client, alice):
    Question.objects.create(patient=alice, text="Can I travel in December?")
    Question.objects.create(patient=alice, text="Old question", asked=True)
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "Can I travel in December?" in html
    assert "Old question" not in html


def test_where_to_read_more_links_the_sections_of_the_symptoms(alice_client, alice, article):
    bone_section = Section.objects.get(slug="symptoms-of-bone-metastases")
    liver_section = Section.objects.get(slug="symptoms-of-liver-metastases")
    bone = symptom("Bone pain", "bone", sections=[bone_section])
    symptom("Jaundice", "liver", sections=[liver_section])
    entry(alice, bone, Severity.MILD, local(date(2026, 10, 2)))
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert 'href="/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"' in html
    assert "symptoms-of-liver-metastases" not in html


def test_summary_shows_the_patient_name_range_and_disclaimer(alice_client, october):
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "Alice Archer" in html
    assert "1 October 2026" in html and "10 October 2026" in html
    assert "Patient-reported, not a clinical record" in html
    assert '<button type="submit" class="button" data-print>Print</button>' in html


def test_summary_is_not_cached_or_kept_in_htmx_history(alice_client, october):
    response = alice_client.get(f"/summary/?{RANGE}")
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in response.content.decode()


def test_bobs_data_never_reaches_alices_summary(alice_client, alice, bob, bone_pain):
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 10, 2)))
    entry(bob, "bobs secret ache", Severity.VERY_SEVERE, local(date(2026, 10, 2)), "bobs note")
    entry(bob, bone_pain, Severity.VERY_SEVERE, local(date(2026, 10, 3)), "bobs other note")
    Question.objects.create(patient=bob, text="bobs question")
    Appointment.objects.create(patient=bob, starts_at=local(date(2026, 10, 1)))
    response = alice_client.get(f"/summary/?{RANGE}")
    html = response.content.decode()
    for secret in ("bobs", "Very severe</strong>"):
        assert secret not in html
    rows = response.context["rows"]
    assert [(row.name, row.entries, row.worst) for row in rows] == [("Bone pain", 1, 1)]
    csv = b"".join(alice_client.get(f"/summary/entries.csv?{RANGE}").streaming_content)
    assert b"bobs" not in csv and b"Very severe" not in csv
    # Bob's appointment does not set Alice's default range either.
    assert alice_client.get("/summary/").context["summary_range"].days == 30


def test_viewing_the_summary_is_audited_without_health_data(alice_client, alice, october):
    alice_client.get(f"/summary/?{RANGE}")
    event = AuditEvent.objects.get(action="summary.view")
    assert (event.actor_id, event.record_type, event.record_id) == (alice.pk, "summary", "")


def test_the_print_button_records_a_print_through_htmx(alice_client, alice):
    response = alice_client.post("/summary/printed/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert AuditEvent.objects.filter(action="summary.print", actor_id=alice.pk).count() == 1


def test_the_print_button_without_javascript_explains_how_to_print(alice_client, alice):
    response = alice_client.post("/summary/printed/", {"start": "2026-10-01", "end": "2026-10-10"})
    assert response.status_code == 302
    assert response["Location"] == f"/summary/?{RANGE}"
    html = alice_client.get(response["Location"]).content.decode()
    assert "use your browser&#x27;s Print command" in html
    assert AuditEvent.objects.filter(action="summary.print").count() == 1


def test_printing_needs_a_post(alice_client):
    assert alice_client.get("/summary/printed/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/summary/", "/summary/entries.csv?days=7", "/appointments/", "/questions/"]
)
def test_an_anonymous_visitor_is_asked_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
