"""The demo patient gets a month of sample records, so a newcomer sees a real summary."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from education.models import CheckInItem
from portal.models import Appointment, CheckIn, DiaryEntry, NoticeLevel, Question
from tests.conftest import load_vocabulary, symptom


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def _demo():
    return get_user_model().objects.get(username="demo")


def test_demo_patient_gets_a_month_of_entries_questions_and_appointments(db, debug, client):
    call_command("create_demo_patient", verbosity=0)
    demo = _demo()
    entries = DiaryEntry.objects.for_patient(demo)
    assert entries.count() == 30 * 5 + 2  # a month of five symptoms, and one bad evening
    assert entries.filter(symptom__isnull=True).count() == 152  # no symptom fixture loaded
    assert entries.filter(occurred_at__gt=timezone.now()).count() == 0
    assert entries.filter(severity__gte=3).exists()
    assert Question.objects.for_patient(demo).count() == 3
    assert Appointment.objects.for_patient(demo).upcoming().count() == 1
    assert Appointment.objects.for_patient(demo).past().count() == 1

    client.force_login(demo)
    response = client.get("/summary/")
    assert response.status_code == 200
    assert response.context["summary_range"].days == 31
    assert len(response.context["rows"]) == 7  # the five, the temperature and being sick
    assert response.context["attention"]


def test_running_it_again_gives_the_same_records(db, debug):
    call_command("create_demo_patient", verbosity=0)
    first = sorted(DiaryEntry.objects.values_list("own_words", "severity", "note"))
    call_command("create_demo_patient", verbosity=0)
    assert sorted(DiaryEntry.objects.values_list("own_words", "severity", "note")) == first
    assert Question.objects.count() == 3
    assert Appointment.objects.count() == 2
    assert get_user_model().objects.filter(username="demo").count() == 1


def test_demo_entries_use_the_symptom_vocabulary_when_it_is_loaded(db, debug):
    bone = symptom("Bone pain", "bone")
    call_command("create_demo_patient", verbosity=0)
    assert DiaryEntry.objects.filter(symptom=bone).count() == 30


def test_every_demo_entry_links_a_symptom_from_the_real_vocabulary(db, debug):
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    call_command("create_demo_patient", verbosity=0)
    assert DiaryEntry.objects.count() == 152
    assert not DiaryEntry.objects.filter(symptom__isnull=True).exists()


def test_demo_entries_answer_each_symptoms_own_pro_ctcae_questions(db, debug):
    load_vocabulary()
    call_command("create_demo_patient", verbosity=0)
    entries = DiaryEntry.objects.select_related("symptom", "red_flag")
    for entry in entries:
        answered = [answer.attribute for answer in entry.answers]
        assert answered == entry.symptom.attributes, entry.symptom.slug
    nausea = entries.filter(symptom__slug="nausea")
    assert nausea.count() == 30
    assert not nausea.filter(frequency__isnull=True).exists()
    assert not entries.filter(symptom__slug="fatigue", interference__isnull=True).exists()

    fever = entries.get(symptom__slug="high-temperature")
    assert fever.temperature_c == Decimal("38.3") and fever.severity is None
    sick = entries.get(symptom__slug="vomiting")
    assert (sick.frequency, sick.severity, sick.times_in_24h) == (2, 2, 3)
    # Saved with the notice she would have seen: the red flags the cited rules raise.
    assert fever.red_flag.name == "Temperature 37.5 °C or above"
    assert sick.red_flag.name == "Being sick 2 or more times in 24 hours"
    assert fever.notice_level == sick.notice_level == NoticeLevel.CONTACT
    for entry in entries:
        notice = entry.care_notice()
        assert entry.notice_level == (notice.level if notice else NoticeLevel.NONE)


def test_the_demo_summary_leads_with_its_red_flags(db, debug, client):
    load_vocabulary()
    call_command("create_demo_patient", verbosity=0)
    client.force_login(_demo())
    response = client.get("/summary/")
    assert response.status_code == 200
    rules = [flag.rule for flag in response.context["attention"].red_flags]
    assert "Temperature 37.5 °C or above" in rules
    assert "Being sick 2 or more times in 24 hours" in rules
    html = response.content.decode()
    assert "Temperature 37.5 °C or above (High temperature)" in html
    assert "38.3 °C" in html


def test_demo_records_leave_other_patients_alone(db, debug, alice):
    Question.objects.create(patient=alice, text="Mine")
    call_command("create_demo_patient", verbosity=0)
    call_command("create_demo_patient", verbosity=0)
    assert Question.objects.filter(patient=alice).count() == 1


def _load_all():
    load_vocabulary("fixtures/check_in.json")


def test_the_demo_patient_sent_three_weekly_check_ins_of_the_seed_set(db, debug):
    _load_all()
    call_command("create_demo_patient", verbosity=0)
    demo = _demo()
    check_ins = list(CheckIn.objects.for_patient(demo).order_by("submitted_at"))
    assert len(check_ins) == 3
    assert not CheckIn.objects.for_patient(demo).open().exists()
    today = timezone.localdate()
    days = [(today - timezone.localtime(c.submitted_at).date()).days for c in check_ins]
    assert days == [20, 13, 6]  # a week apart, over the last three weeks
    items = list(CheckInItem.objects.filter(active=True).select_related("symptom"))
    assert len(items) == 12
    for check_in in check_ins:
        assert check_in.started_at < check_in.submitted_at <= timezone.now()
        assert set(check_in.answers) == {str(item.symptom_id) for item in items}
        entries = DiaryEntry.objects.filter(check_in=check_in).select_related("symptom")
        assert entries.count() == 12
        for entry in entries:
            given = check_in.answers[str(entry.symptom_id)]
            # Each entry keeps the term's answers; NCI's branching: a lowest first answer
            # skips the rest, otherwise every attribute the term asks is answered.
            assert {a.attribute: a.value for a in entry.answers} == given
            first = entry.symptom.attributes[0]
            expected = [first] if given[first] == 0 else entry.symptom.attributes
            # (As a set: PostgreSQL's jsonb keeps keys in its own order.)
            assert set(given) == set(expected), entry.symptom.slug
            assert entry.occurred_at == check_in.submitted_at
            notice = entry.care_notice()
            assert entry.notice_level == (notice.level if notice else NoticeLevel.NONE)
    diarrhoea = DiaryEntry.objects.filter(symptom__slug="diarrhea").order_by("occurred_at")
    assert [e.frequency for e in diarrhoea] == [0, 1, 0]
    # Her other records are as they were: a month of five symptoms and one bad evening.
    assert DiaryEntry.objects.for_patient(demo).filter(check_in__isnull=True).count() == 152


def test_the_demo_summary_shows_her_check_ins(db, debug, client):
    _load_all()
    call_command("create_demo_patient", verbosity=0)
    client.force_login(_demo())
    response = client.get("/summary/")
    assert response.status_code == 200
    last = timezone.localtime(CheckIn.objects.for_patient(_demo()).first().submitted_at)
    line = f"Weekly check-ins: 3 in this period, last {last:%a} {last.day} {last:%b}."
    assert line in response.content.decode()
    pain = next(row for row in response.context["rows"] if row.name == "General pain")
    assert pain.entries == 3


def test_running_it_again_gives_the_same_check_ins(db, debug):
    _load_all()
    call_command("create_demo_patient", verbosity=0)
    first = sorted(CheckIn.objects.values_list("answers", flat=True), key=str)
    call_command("create_demo_patient", verbosity=0)
    assert sorted(CheckIn.objects.values_list("answers", flat=True), key=str) == first
    assert CheckIn.objects.count() == 3
    assert DiaryEntry.objects.filter(check_in__isnull=False).count() == 36


def test_without_check_in_questions_the_demo_has_no_check_ins(db, debug):
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    call_command("create_demo_patient", verbosity=0)
    assert not CheckIn.objects.exists()
