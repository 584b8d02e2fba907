"""The printed summary: at most two A4 pages for a month of five symptoms, nothing missing."""

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from education.models import RedFlagRule
from portal.models import (
    Appointment,
    AuditEvent,
    DiaryEntry,
    PatientProfile,
    Question,
    Severity,
    Treatment,
)
from tests.browser.conftest import sign_in_on
from tests.conftest import entry, load_vocabulary, local, make_patient, symptom

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


# -- Two pages at most, whatever the diary holds ---------------------------------------------

FORMATS = {"A4": [595, 842], "Letter": [612, 792]}
VALID_NHS_NUMBER = "9434765919"


def _ranges(today) -> dict[str, str]:
    five_years = today - timedelta(days=5 * 365)
    return {
        "7 days": "?days=7",
        "30 days": "?days=30",
        "90 days": "?days=90",
        "since the last appointment": "",
        "5 years": f"?start={five_years:%Y-%m-%d}&end={today:%Y-%m-%d}",
    }


def _text(page_obj) -> str:
    """A page's text, its ligatures ("ﬂ") as letters and its spaces single."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page_obj.extract_text()))


def _prints_on_two_pages(page, base_url: str, today, *, with_red_flags=True) -> dict[str, str]:
    """Each range on A4 and on Letter: two pages at most, every red flag on page 1 (and,
    for a diary that has them, some red flag on screen, so the check is not empty).
    Returns each range's whole printed text (A4)."""
    printed = {}
    seen_flags = set()
    for name, query in _ranges(today).items():
        page.emulate_media(media="screen")
        page.goto(f"{base_url}/summary/{query}")
        flags = [
            re.sub(r"\s+", " ", text).strip()
            for text in page.locator(".red-flags li").all_inner_texts()
        ]
        seen_flags.update(flags)
        page.emulate_media(media="print")
        for paper, size in FORMATS.items():
            reader = PdfReader(BytesIO(page.pdf(format=paper, prefer_css_page_size=True)))
            where = f"{name}, {paper}"
            assert reader.pages[0].mediabox[2:] == pytest.approx(size, abs=2), where
            assert len(reader.pages) <= 2, f"{where}: {len(reader.pages)} pages"
            first = _text(reader.pages[0])
            for flag in flags:
                assert flag in first, f"{where}: {flag!r} not on page 1"
            if paper == "A4":
                printed[name] = " ".join(_text(p) for p in reader.pages)
    page.emulate_media(media="screen")
    assert bool(seen_flags) == with_red_flags, seen_flags
    return printed


@pytest.fixture
def vocabulary(transactional_db):
    load_vocabulary()


def _who_and_what(patient, today) -> None:
    PatientProfile.objects.create(
        patient=patient,
        date_of_birth=date(1961, 3, 14),
        hospital_number="RX1234567",
        nhs_number=VALID_NHS_NUMBER,
    )
    Treatment.objects.create(
        patient=patient,
        name="Ribociclib and letrozole",
        kind=Treatment.Kind.CDK46_INHIBITOR,
        started_on=today - timedelta(days=400),
        line=2,
    )
    Treatment.objects.create(
        patient=patient,
        name="Denosumab",
        started_on=today - timedelta(days=200),
    )


def test_the_demo_patients_summary_prints_on_two_pages_for_every_range(
    page, live_server, checks, sign_in, vocabulary
):
    from portal.demo import seed_demo_records

    patient = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    seed_demo_records(patient)
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/")
    checks.check()

    printed = _prints_on_two_pages(page, live_server.url, timezone.localdate())

    month = printed["30 days"]
    assert "Alice Archer" in month
    assert "Born 14 Mar 1968" in month and "NHS no. 999 000 0018" in month
    assert "Hospital no. DEMO-000123" in month
    assert "Ribociclib with letrozole (CDK4/6 inhibitor; line 1), since" in month
    assert "For the appointment:" in month and "Treatment review" in month
    assert "Patient-reported, not a clinical record" in month
    assert month.index("Red flags") < month.index("Symptom overview")
    assert "Vomiting 2 or more times in 24 h" in month
    assert "Should I change my pain relief for the hip?" in month
    assert "Answer:" in month
    for navigation in ("Sign out", "Skip to main content", "Update summary"):
        assert navigation not in month


def _heavy_five_years(patient, symptoms, today) -> None:
    """Every day for five years: eight symptoms; every third day long own words; every
    fifth a long note; red flags on several rules now and then; twenty long questions."""
    rules = {rule.pk: rule for rule in RedFlagRule.objects.all()}
    daily = [
        symptoms[slug]
        for slug in (
            "bone-pain",
            "fatigue",
            "nausea",
            "headaches-or-pressure-in-the-head",
            "difficulty-catching-breath",
            "vomiting",
            "diarrhea",
            "seizures",
        )
    ]
    words = [f"{'a long description of how it felt ' * 6}{n}"[:200] for n in range(6)]
    entries = []
    start = today - timedelta(days=5 * 365)
    for day in range(5 * 365 + 1):
        when = local(start + timedelta(days=day), 9)
        for position, item in enumerate(daily):
            answers = {name: (day + position) % 5 for name in item.attributes if name != "presence"}
            flag = None
            if item.slug == "vomiting" and day % 30 == 0:
                flag, answers["times_in_24h"] = rules[5], 7
            elif item.slug == "seizures" and day % 60 == 0:
                flag = rules[10]
            elif day % 45 == position:
                flag = rules[12]
            entries.append(
                DiaryEntry(
                    patient=patient,
                    symptom=item,
                    occurred_at=when + timedelta(minutes=position),
                    red_flag=flag,
                    notice_level=flag.level if flag else "",
                    note=("Long note. " * 200)[:2000] if day % 5 == 0 and position == 0 else "",
                    **answers,
                )
            )
        if day % 3 == 0:
            entries.append(
                DiaryEntry(
                    patient=patient,
                    own_words=words[day % len(words)],
                    severity=day % 5,
                    occurred_at=when + timedelta(hours=5),
                )
            )
        if day % 90 == 0:
            entries.append(
                DiaryEntry(
                    patient=patient,
                    symptom=symptoms["high-temperature"],
                    temperature_c=Decimal("38.6"),
                    red_flag=rules[1],
                    notice_level=rules[1].level,
                    occurred_at=when + timedelta(hours=8),
                )
            )
    DiaryEntry.objects.bulk_create(entries, batch_size=2000)
    Question.objects.bulk_create(
        Question(patient=patient, text=f"Question {n}: " + "Is this expected? " * (5 + n * 3))
        for n in range(20)
    )
    Appointment.objects.bulk_create(
        [
            Appointment(patient=patient, starts_at=local(today - timedelta(days=40), 10)),
            Appointment(
                patient=patient,
                starts_at=local(today + timedelta(days=3), 14),
                with_whom="Dr Okafor",
                purpose="Scan results",
            ),
        ]
    )


def test_a_heavy_five_year_diary_prints_on_two_pages_for_every_range(
    page, live_server, checks, sign_in, vocabulary
):
    from education.models import Symptom

    today = timezone.localdate()
    patient = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    _heavy_five_years(patient, Symptom.objects.in_bulk(field_name="slug"), today)
    _who_and_what(patient, today)
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/summary/?days=90")
    checks.check()

    printed = _prints_on_two_pages(page, live_server.url, today)

    years = printed["5 years"]
    assert "Emergency: Seizures" in years and "Vomiting 6 or more times in 24 h" in years
    assert "older notes not printed: see the diary" in years or "notes (see the diary)" in years
    assert "Other, in the patient's words" in years or "milder symptoms not printed" in years


def test_a_patient_with_every_symptom_prints_on_two_pages_for_every_range(
    page, live_server, sign_in, vocabulary
):
    from education.models import Symptom

    today = timezone.localdate()
    patient = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    every = list(Symptom.objects.order_by("pk"))
    assert len(every) >= 94  # the whole vocabulary
    rules = {rule.pk: rule for rule in RedFlagRule.objects.all()}
    entries = []
    for index, item in enumerate(every):
        for day in (1, 3, 6):
            answers = {name: (index + day) % 5 for name in item.attributes if name != "presence"}
            if "presence" in item.attributes:
                answers["presence"] = True
            if item.measurement == "temperature":
                answers["temperature_c"] = Decimal("38.9")
            top = day == 6 and index % 4 == 0
            entries.append(
                DiaryEntry(
                    patient=patient,
                    symptom=item,
                    occurred_at=local(today - timedelta(days=day), 8) + timedelta(minutes=index),
                    note=f"{item.name}: " + "it was a hard day, " * 20 if day == 3 else "",
                    red_flag=rules[12] if top else None,
                    notice_level=rules[12].level if top else "",
                    **answers,
                )
            )
    DiaryEntry.objects.bulk_create(entries)
    Appointment.objects.create(patient=patient, starts_at=local(today - timedelta(days=10), 9))
    sign_in("alice@example.org", "alice-password-123")

    printed = _prints_on_two_pages(page, live_server.url, today)

    assert f"milder symptoms not printed: all {len(every)} are in the summary" in printed["7 days"]
    assert "Any answer at its top level" in printed["7 days"]


def test_a_patient_with_one_symptom_prints_on_two_pages_for_every_range(
    page, live_server, sign_in, vocabulary
):
    """One symptom, logged twice a day for five years with long notes; being sick 6 times
    now and then raises its red flag."""
    from education.models import Symptom

    today = timezone.localdate()
    patient = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    vomiting = Symptom.objects.get(slug="vomiting")
    six_times = RedFlagRule.objects.get(name="Being sick 6 or more times in 24 hours")
    entries = []
    for day in range(5 * 365):
        for hour in (8, 20):
            flagged = day % 40 == 2 and hour == 20
            entries.append(
                DiaryEntry(
                    patient=patient,
                    symptom=vomiting,
                    own_words="threw up again, " * 8,
                    frequency=(day + hour) % 5,
                    severity=(day // 7) % 5,
                    times_in_24h=6 if flagged else None,
                    occurred_at=local(today - timedelta(days=day), hour),
                    note="A long and tiring day with little to eat. " * 10 if day % 3 else "",
                    red_flag=six_times if flagged else None,
                    notice_level=six_times.level if flagged else "",
                )
            )
    DiaryEntry.objects.bulk_create(entries)
    sign_in("alice@example.org", "alice-password-123")

    printed = _prints_on_two_pages(page, live_server.url, today)

    assert "Red flags Vomiting 6 or more times in 24 h" in printed["5 years"]


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
