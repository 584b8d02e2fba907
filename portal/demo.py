"""Sample records for the demo patient, so a newcomer sees a real diary and summary."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from education import pro_ctcae
from education.models import CheckInItem, Symptom
from portal.models import (
    Appointment,
    CheckIn,
    ClinicContacts,
    DiaryEntry,
    PatientProfile,
    Question,
    Severity,
    Treatment,
)

DEMO_DAYS = 30
# (slug looked up in the symptom vocabulary, words used when it is not loaded,
#  hour of the day, typical severity, how it moves over the month)
DEMO_SYMPTOMS = [
    ("bone-pain", "Bone pain in my hip", 9, 2, "worse"),
    ("fatigue", "Tired all the time", 20, 2, "same"),
    ("nausea", "Feeling sick", 13, 1, "better"),
    ("headaches-or-pressure-in-the-head", "Headache", 17, 1, "same"),
    ("difficulty-catching-breath", "Out of breath on the stairs", 11, 1, "worse"),
]
# A bad evening ten days ago: a temperature taken, and being sick (the red-flag rules, when
# loaded, flag both). (days ago, hour, slug, own words, answers and numbers)
DEMO_EVENTS = [
    (
        10,
        19,
        "high-temperature",
        "Hot and shivery, my temperature was 38.3",
        {"temperature_c": Decimal("38.3")},
    ),
    (
        10,
        21,
        "vomiting",
        "Sick three times since lunch",
        {"frequency": 2, "severity": Severity.MODERATE, "times_in_24h": 3},
    ),
]
# Three weekly check-ins, sent this many days ago at 10:02 (started two minutes before), with
# answers for the seed set (fixtures/check_in.json) in step with her diary: the pain and the
# breathlessness worse, the nausea better. One value per week for each term's attributes;
# NCI's branching applies (a lowest first answer skips the term's other items).
DEMO_CHECK_IN_DAYS_AGO = (20, 13, 6)
DEMO_CHECK_IN_ANSWERS = {
    "fatigue": {"severity": (2, 2, 2), "interference": (2, 1, 2)},
    "insomnia": {"severity": (1, 2, 1), "interference": (1, 1, 1)},
    "general-pain": {"frequency": (2, 3, 3), "severity": (2, 2, 3), "interference": (1, 2, 2)},
    "loss-of-appetite": {"severity": (1, 1, 0), "interference": (1, 0, 0)},
    "difficulty-catching-breath": {"severity": (1, 1, 2), "interference": (0, 1, 1)},
    "concentration": {"severity": (1, 1, 1), "interference": (0, 0, 1)},
    "anxious": {"frequency": (2, 1, 1), "severity": (1, 1, 1), "interference": (1, 0, 0)},
    "nausea": {"frequency": (2, 1, 1), "severity": (1, 1, 1)},
    "sad": {"frequency": (1, 0, 1), "severity": (1, 1, 1), "interference": (0, 0, 0)},
    "numbness-tingling": {"severity": (0, 1, 1), "interference": (0, 0, 0)},
    "constipation": {"severity": (1, 0, 1)},
    "diarrhea": {"frequency": (0, 1, 0)},
}
DEMO_NOTES = [
    "Walked to the shop and back, had to sit down twice.",
    "Took the extra pain relief at night; slept better.",
    "Could not finish lunch.",
    "Better day, did some gardening.",
    "Woke at 4am with the ache.",
]
# Ofcom keeps 01632 960000 to 960999 for drama: these ring no one. The emergency number is
# the real UK one, as a made-up number would be the one thing a notice must never get wrong.
DEMO_CLINIC = {
    "clinic_name": "Demo Cancer Centre (fictional 01632 numbers)",
    "acute_oncology_line": "01632 960 001",
    "breast_care_nurse_line": "01632 960 002",
    "breast_care_nurse_hours": "Monday to Friday, 9am to 5pm",
    "emergency_number": "999",
}
# Who she is, for the summary's header: the NHS number is in the range NHS England keeps
# for testing (999 000 0018 is valid by its check digit and belongs to no one).
DEMO_PROFILE = {
    "date_of_birth": date(1968, 3, 14),
    "hospital_number": "DEMO-000123",
    "nhs_number": "9990000018",
}
# (name, kind, started this many days ago, line of treatment)
DEMO_TREATMENTS = [
    ("Ribociclib with letrozole", Treatment.Kind.CDK46_INHIBITOR, 420, 1),
    ("Denosumab (bone protection)", Treatment.Kind.OTHER, 300, None),
]
DEMO_QUESTIONS = [
    "Should I change my pain relief for the hip?",
    "Is being this tired expected with my treatment?",
    "Who do I call at the weekend if the pain gets worse?",
]


@transaction.atomic
def seed_demo_records(user) -> None:
    """Replace the user's diary, weekly check-ins, questions, appointments and treatments
    with a month of sample data, and give her a profile (date of birth, hospital and NHS
    numbers). The check-ins are the clinic's active questions answered three weeks running,
    when it has any (fixtures/check_in.json); each answered term is a diary entry.

    Deterministic apart from "today", so running it twice gives the same records.
    """
    DiaryEntry.objects.for_patient(user).delete()
    CheckIn.objects.for_patient(user).delete()
    Question.objects.for_patient(user).delete()
    Appointment.objects.for_patient(user).delete()
    Treatment.objects.for_patient(user).delete()

    rng = random.Random(2026)
    # A second stream for the other PRO-CTCAE answers, so the severities stay as they were.
    answers_rng = random.Random(2027)
    today = timezone.localdate()
    slugs = [slug for slug, *_ in DEMO_SYMPTOMS] + [slug for _, _, slug, *_ in DEMO_EVENTS]
    symptoms = Symptom.objects.in_bulk(slugs, field_name="slug")
    now = timezone.now()
    entries = []
    for day_index in range(DEMO_DAYS):
        day = today - timedelta(days=DEMO_DAYS - 1 - day_index)
        progress = day_index / (DEMO_DAYS - 1)
        for position, (slug, words, hour, typical, drift) in enumerate(DEMO_SYMPTOMS):
            shift = {"worse": round(progress * 2), "better": -round(progress * 1), "same": 0}
            severity = typical + shift[drift] + rng.choice([-1, 0, 0, 0, 1])
            severity = max(Severity.NONE, min(Severity.VERY_SEVERE, severity))
            occurred_at = timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(60))))
            if occurred_at > now:
                occurred_at = now - timedelta(minutes=5 * (position + 1))
            note = (
                DEMO_NOTES[(day_index + position) % len(DEMO_NOTES)] if rng.random() < 0.15 else ""
            )
            symptom = symptoms.get(slug)
            entries.append(
                DiaryEntry(
                    patient=user,
                    symptom=symptom,
                    own_words=words,
                    occurred_at=occurred_at,
                    note=note,
                    **_answers(symptom, severity, answers_rng),
                )
            )
    for days_ago, hour, slug, words, answers in DEMO_EVENTS:
        day = today - timedelta(days=days_ago)
        symptom = symptoms.get(slug)
        if symptom is not None and pro_ctcae.Attribute.PRESENCE in symptom.attributes:
            # A vocabulary whose symptom also asks whether she had it: she did.
            answers = {**answers, pro_ctcae.Attribute.PRESENCE.value: True}
        entries.append(
            DiaryEntry(
                patient=user,
                symptom=symptom,
                own_words=words,
                occurred_at=timezone.make_aware(datetime.combine(day, time(hour, 10))),
                **answers,
            )
        )
    entries += _check_in_entries(user, today)
    # Oldest first, one at a time: each entry's notice looks at the ones saved before it
    # (a rise within the week, a companion symptom the day before), as when she logs them.
    for entry in sorted(entries, key=lambda entry: entry.occurred_at):
        entry.record_notice()
        entry.save()
    Question.objects.bulk_create(Question(patient=user, text=text) for text in DEMO_QUESTIONS)
    PatientProfile.objects.update_or_create(patient=user, defaults=DEMO_PROFILE)
    Treatment.objects.bulk_create(
        Treatment(
            patient=user, name=name, kind=kind, started_on=today - timedelta(days=ago), line=line
        )
        for name, kind, ago, line in DEMO_TREATMENTS
    )
    last_visit = timezone.make_aware(
        datetime.combine(today - timedelta(days=DEMO_DAYS), time(10, 30))
    )
    next_visit = timezone.make_aware(datetime.combine(today + timedelta(days=5), time(14, 15)))
    Appointment.objects.bulk_create(
        [
            Appointment(
                patient=user,
                starts_at=last_visit,
                with_whom="Dr Okafor, oncologist",
                location="Oncology outpatients, level 2",
                purpose="Scan results",
            ),
            Appointment(
                patient=user,
                starts_at=next_visit,
                with_whom="Dr Okafor, oncologist",
                location="Oncology outpatients, level 2",
                purpose="Treatment review",
            ),
        ]
    )


def _check_in_entries(user, today: date) -> list[DiaryEntry]:
    """Her three submitted check-ins (saved), and an unsaved entry per answered term."""
    items = [
        item
        for item in CheckInItem.objects.filter(active=True)
        .exclude(symptom__pro_ctcae_term="")
        .select_related("symptom")
        if item.symptom.attributes
    ]
    entries = []
    for week, days_ago in enumerate(DEMO_CHECK_IN_DAYS_AGO if items else ()):
        submitted = timezone.make_aware(
            datetime.combine(today - timedelta(days=days_ago), time(10, 2))
        )
        answers = {item.symptom.pk: _check_in_answers(item.symptom, week) for item in items}
        check_in = CheckIn.objects.create(
            patient=user,
            started_at=submitted - timedelta(minutes=2),
            submitted_at=submitted,
            answers={str(pk): given for pk, given in answers.items()},
        )
        entries += [
            DiaryEntry(
                patient=user,
                symptom=item.symptom,
                check_in=check_in,
                occurred_at=submitted,
                **_entry_fields(answers[item.symptom.pk]),
            )
            for item in items
        ]
    return entries


def _check_in_answers(symptom: Symptom, week: int) -> dict:
    """The term's answers that week (DEMO_CHECK_IN_ANSWERS; a term the clinic added, mild
    throughout), with NCI's branching: a lowest first answer skips the term's other items."""
    table = DEMO_CHECK_IN_ANSWERS.get(symptom.slug, {})
    answers = {}
    for position, attribute in enumerate(symptom.attributes):
        value = table[attribute][week] if attribute in table else 1
        answers[attribute] = value
        if position == 0 and value == 0:
            break
    return answers


def _entry_fields(answers: dict) -> dict:
    """A check-in's answers (positions, presence 0 or 1) as an entry's fields."""
    presence = pro_ctcae.Attribute.PRESENCE
    return {name: bool(value) if name == presence else value for name, value in answers.items()}


def _answers(symptom: Symptom | None, severity: int, rng: random.Random) -> dict:
    """The symptom's own PRO-CTCAE questions, answered in step with how bad it was that
    day; severity alone when the vocabulary is not loaded."""
    asked = symptom.attributes if symptom is not None else [pro_ctcae.Attribute.SEVERITY]
    answers = {}
    for attribute in asked:
        match attribute:
            case pro_ctcae.Attribute.SEVERITY:
                value = severity
            case pro_ctcae.Attribute.PRESENCE:
                value = severity > Severity.NONE
            case _:
                # How often and how much it got in the way go with how bad, give or take one.
                value = severity + rng.choice([-1, 0, 0, 1])
                value = max(0, min(pro_ctcae.top_level(attribute), value))
        answers[attribute] = value
    # Every entry says how it was: a symptom that asks nothing (a vocabulary edited by hand)
    # still gets its severity.
    return answers or {pro_ctcae.Attribute.SEVERITY: severity}


def set_demo_clinic_contacts() -> bool:
    """Fills in the demo clinic's numbers on an install that has none; True if it did.
    A clinic's own numbers are never replaced."""
    if ClinicContacts.load().is_set:
        return False
    ClinicContacts.objects.update_or_create(pk=ClinicContacts.SINGLETON_PK, defaults=DEMO_CLINIC)
    return True
