"""Builders for the summary, appointment and question tests (plain ORM)."""

from datetime import date, datetime, time

from django.utils import timezone

from education.models import Symptom, SymptomSection
from portal.models import DiaryEntry


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def symptom(name: str, body_site: str = "general", sections=(), **fields) -> Symptom:
    slug = name.lower().replace(" ", "-")
    created = Symptom.objects.create(name=name, slug=slug, body_site=body_site, **fields)
    for order, section in enumerate(sections):
        SymptomSection.objects.create(symptom=created, section=section, order=order)
    return created


def entry(patient, what, severity: int, when: datetime, note: str = "") -> DiaryEntry:
    """`what` is a Symptom, or a string for the patient's own words."""
    if isinstance(what, Symptom):
        return DiaryEntry.objects.create(
            patient=patient, symptom=what, severity=severity, occurred_at=when, note=note
        )
    return DiaryEntry.objects.create(
        patient=patient, own_words=what, severity=severity, occurred_at=when, note=note
    )
