"""The printed summary: at most two A4 pages for a month of five symptoms, nothing missing."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.models import Appointment, AuditEvent, Question, Severity
from tests.browser.conftest import sign_in_on
from tests.conftest import entry, local, make_patient, symptom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYMPTOMS = [
    ("Bone pain", "bone"),
    ("Fatigue", "general"),
    ("Nausea", "liver"),
    ("Headaches", "brain"),
    ("Shortness of breath", "lung"),
]


@pytest.fixture
def month_of_diary():
    patient = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    today = timezone.localdate()
    start = today - timedelta(days=29)
    created = [symptom(name, site) for name, site in SYMPTOMS]
    for day_index in range(30):
        for position, item in enumerate(created):
            severity = (day_index // 6 + position) % 3  # None, Mild or Moderate
            note = "Long walk, then rested all afternoon. " * 6 if day_index % 7 == 0 else ""
            entry(
                patient,
                item,
                severity,
                local(start + timedelta(days=day_index), 8 + position),
                note,
            )
    # The daily pattern rises two levels (None, Mild, then Moderate 7 days after the last
    # None) once for each symptom: bone pain and headaches on day 12, nausea on day 18,
    # fatigue and breathlessness on day 24. On top: a Very severe entry after None (day
    # 26), and None then Severe for headaches (days 17 and 19), which makes day 17's
    # Moderate a rise too.
    entry(patient, created[0], Severity.VERY_SEVERE, local(today - timedelta(days=3), 21))
    entry(patient, created[3], Severity.NONE, local(today - timedelta(days=12), 7))
    entry(patient, created[3], Severity.SEVERE, local(today - timedelta(days=10), 22))
    Question.objects.create(patient=patient, text="Can I take something stronger at night?")
    Appointment.objects.create(patient=patient, starts_at=local(start, 9), with_whom="Dr Okafor")
    return patient, start, today


def _day(today, days_before: int) -> str:
    return f"{today - timedelta(days=days_before):%-d %b %Y}"


def test_summary_prints_on_two_a4_pages_with_everything_a_clinician_needs(
    page, live_server, checks, sign_in, month_of_diary
):
    _, start, today = month_of_diary
    sign_in("alice@example.org", "alice-password-123")
    checks.check()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment summary")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    checks.check()

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    reader = PdfReader(BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))

    assert len(reader.pages) <= 2, f"{len(reader.pages)} pages"
    assert reader.pages[0].mediabox[2:] == pytest.approx([595, 842], abs=2)  # A4
    assert "Alice Archer" in text
    assert f"{start:%-d %B %Y}" in text and f"{today:%-d %B %Y}" in text
    assert "Patient-reported, not a clinical record" in text
    # One line per symptom, worst first, then newest (hand-computed from month_of_diary).
    lines = [
        f"Bone pain — Very severe at worst; Severe or worse on 1 of 30 days logged, most "
        f"recently {_day(today, 3)}; rose two or more levels within 7 days 2 times (from as "
        f"low as None to as high as Very severe), last on {_day(today, 3)}.",
        f"Headaches — Severe at worst; Severe or worse on 1 of 30 days logged, most recently "
        f"{_day(today, 10)}; rose two or more levels within 7 days 3 times (from as low as "
        f"None to as high as Severe), last on {_day(today, 10)}.",
        f"Shortness of breath — Moderate at worst; rose two or more levels within 7 days "
        f"(from None to Moderate) on {_day(today, 5)}.",
        f"Fatigue — Moderate at worst; rose two or more levels within 7 days (from None to "
        f"Moderate) on {_day(today, 5)}.",
        f"Nausea — Moderate at worst; rose two or more levels within 7 days (from None to "
        f"Moderate) on {_day(today, 11)}.",
    ]
    for line in lines:
        assert line in text, line
    assert [text.index(line) for line in lines] == sorted(text.index(line) for line in lines)
    for name, _ in SYMPTOMS:
        assert re.search(rf"{name} (Bone|General|Liver|Brain|Lung) \d+ ", text), name
    assert "Can I take something stronger at night?" in text
    for navigation in ("Sign out", "Skip to main content", "Appointments", "Update summary"):
        assert navigation not in text
    page.emulate_media(media="screen")


def test_summary_also_fits_two_us_letter_pages(page, live_server, sign_in, month_of_diary):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/")
    page.emulate_media(media="print")
    reader = PdfReader(BytesIO(page.pdf(format="Letter", prefer_css_page_size=True)))
    assert reader.pages[0].mediabox[2:] == pytest.approx([612, 792], abs=2)  # Letter
    assert len(reader.pages) <= 2, f"{len(reader.pages)} pages"
    text = " ".join(p.extract_text() for p in reader.pages)
    for name, _ in SYMPTOMS:
        assert name in text, name
    page.emulate_media(media="screen")


def test_the_print_button_opens_printing_and_records_it(
    page, live_server, checks, sign_in, month_of_diary
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/")
    checks.check()
    # Headless Chromium has no print dialog; record that print() was called.
    page.evaluate("window.print = () => { window.printed = true; }")
    with page.expect_response(f"{live_server.url}/summary/printed/") as response:
        page.get_by_role("button", name="Print").click()
    assert response.value.status == 204
    assert page.evaluate("window.printed") is True
    assert AuditEvent.objects.filter(action="summary.print").count() == 1
    expect(page).to_have_url(f"{live_server.url}/summary/")


def test_summary_reflows_at_200_percent_zoom(browser, live_server, month_of_diary):
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/")
    expect(page.get_by_role("heading", name="Symptom overview")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    context.close()


def test_sections_switched_off_are_not_printed(page, live_server, checks, sign_in, month_of_diary):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/?days=30")
    checks.check()
    page.get_by_role("checkbox", name="Notes").uncheck()
    page.get_by_role("checkbox", name="Timeline").uncheck()
    page.get_by_role("button", name="Update summary").click()
    expect(page.get_by_role("heading", name="Notes")).to_have_count(0)
    expect(page.get_by_role("heading", name="Symptom overview")).to_be_visible()
    checks.check()

    page.emulate_media(media="print")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(page.pdf(format="A4"))).pages)
    assert "Long walk" not in text
    assert "Symptom overview" in text


def test_bad_dates_show_an_accessible_error(page, live_server, checks, sign_in, month_of_diary):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/?start=2026-11-30&end=2026-11-01")
    expect(page.get_by_role("alert")).to_contain_text("on or after the first day")
    checks.check()


def test_appointments_and_questions_pages_are_accessible(
    page, live_server, checks, sign_in, month_of_diary
):
    sign_in("alice@example.org", "alice-password-123")
    appointment = Appointment.objects.get(patient__username="alice")
    for url in (
        "/",
        "/appointments/",
        "/appointments/new/",
        f"/appointments/{appointment.pk}/edit/",
        "/questions/",
    ):
        assert page.goto(f"{live_server.url}{url}").status == 200, url
        checks.check()

    page.goto(f"{live_server.url}/questions/")
    page.get_by_label("Your question").fill("Is the new scan booked?")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_role("status")).to_have_text("Added.")
    question = page.locator("li", has_text="Is the new scan booked?")
    question.get_by_role("button", name=re.compile("Mark as asked")).click()
    expect(question.get_by_role("button", name=re.compile("Mark as not asked"))).to_be_focused()
    expect(question).to_contain_text("Asked")
    expect(page.get_by_role("status")).to_have_text("Marked as asked.")
    checks.check()
