"""Sample records for the demo patient, so a newcomer sees a real diary and summary."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from education.models import Symptom
from portal.models import Appointment, ClinicContacts, DiaryEntry, Question, Severity

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
DEMO_QUESTIONS = [
    "Should I change my pain relief for the hip?",
    "Is being this tired expected with my treatment?",
    "Who do I call at the weekend if the pain gets worse?",
]


@transaction.atomic
def seed_demo_records(user) -> None:
    """Replace the user's diary, questions and appointments with a month of sample data.

    Deterministic apart from "today", so running it twice gives the same records.
    """
    DiaryEntry.objects.for_patient(user).delete()
    Question.objects.for_patient(user).delete()
    Appointment.objects.for_patient(user).delete()

    rng = random.Random(2026)
    today = timezone.localdate()
    symptoms = Symptom.objects.in_bulk([slug for slug, *_ in DEMO_SYMPTOMS], field_name="slug")
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
            entries.append(
                DiaryEntry(
                    patient=user,
                    symptom=symptoms.get(slug),
                    own_words=words,
                    severity=severity,
                    occurred_at=occurred_at,
                    note=note,
                )
            )
    DiaryEntry.objects.bulk_create(entries)
    Question.objects.bulk_create(Question(patient=user, text=text) for text in DEMO_QUESTIONS)
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


def set_demo_clinic_contacts() -> bool:
    """Fills in the demo clinic's numbers on an install that has none; True if it did.
    A clinic's own numbers are never replaced."""
    if ClinicContacts.load().is_set:
        return False
    ClinicContacts.objects.update_or_create(pk=ClinicContacts.SINGLETON_PK, defaults=DEMO_CLINIC)
    return True
