"""Every URL that names a patient's record, requested by another patient.

The list is read from the resolver, so a record URL added later is covered without editing
this file, and one in a new namespace fails until it says how to make its record. For each:
a 404 on GET and POST (plain and htmx), the record unchanged, and an audit row saying so.
"""

import re
from datetime import date, timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from portal.models import (
    Appointment,
    AuditEvent,
    CaregiverGrant,
    CheckIn,
    DiaryEntry,
    Question,
    Severity,
    Treatment,
)

pytestmark = pytest.mark.django_db

# Namespaces of URLs that are not a patient's records (staff admin, articles, accounts).
# The care team's pages are clinicians' (a patient finds none of them): tests/careteam/
# test_access.py walks them as a patient, a caregiver, another team's clinician, signed out.
NOT_PATIENT_RECORDS = {"admin", "education", "careteam", None}
# A section's id is public knowledge, not a patient's record.
NOT_A_RECORD_ID = {"diary:section_activity"}


def make_entry(patient):
    return DiaryEntry.objects.create(
        patient=patient,
        own_words="bob's private ache",
        severity=Severity.MILD,
        occurred_at=timezone.now() - timedelta(hours=1),
        note="bob's private note",
    )


def make_appointment(patient):
    return Appointment.objects.create(
        patient=patient, starts_at=timezone.now() + timedelta(days=3), purpose="bob's scan"
    )


def make_question(patient):
    return Question.objects.create(patient=patient, text="bob's private question")


def make_treatment(patient):
    return Treatment.objects.create(
        patient=patient, name="bob's private drug", kind="cdk46", started_on=date(2026, 1, 5)
    )


def make_check_in(patient):
    return CheckIn.objects.create(patient=patient, own_words="bob's private words")


def make_grant(patient):
    grant = CaregiverGrant(patient=patient, email="bobs-helper@example.org", patient_name="bob's")
    grant.new_token()
    grant.save()
    return grant


RECORDS = {
    "diary": make_entry,
    "appointments": make_appointment,
    "calendar": make_appointment,  # an appointment's .ics download
    "questions": make_question,
    "treatments": make_treatment,
    "caregivers": make_grant,
    "checkin": make_check_in,
}

HOSTILE_POST = {
    "text": "changed by alice",
    "own_words": "changed by alice",
    "severity": "4",
    "when": "other",  # the diary's time choice: another day, at this date and time
    "other_date": "2026-01-01",
    "other_time": "10:00",
    "note": "changed by alice",
    "purpose": "changed by alice",
    "starts_at": "2026-12-01T10:00",
    "asked": "on",
    "confirm": "on",
    "access": "log",
    "name": "changed by alice",
    "kind": "other",
    "started_on": "2026-01-01",
    "stopped_on": "2026-02-01",
    "line": "3",
}


def record_urls():
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and "<int:pk>" in str(pattern.pattern):
                name = f"{namespace}:{pattern.name}"
                if namespace not in NOT_PATIENT_RECORDS and name not in NOT_A_RECORD_ID:
                    # A check-in's question number is a step, not a record id.
                    route = (prefix + str(pattern.pattern)).replace("<int:number>", "1")
                    yield namespace, name, route

    return sorted(walk(get_resolver().url_patterns, "/", None))


def test_the_walk_finds_the_record_urls_we_know_of():
    names = {name for _, name, _ in record_urls()}
    assert {
        "diary:entry_detail",
        "diary:entry_edit",
        "diary:entry_delete",
        "diary:entry_unmatch",
        "appointments:appointment_edit",
        "appointments:appointment_delete",
        "questions:question_edit",
        "questions:question_asked",
        "questions:question_delete",
        "treatments:treatment_edit",
        "treatments:treatment_delete",
        "caregivers:grant_edit",
        "caregivers:grant_revoke",
    } <= names


@pytest.mark.parametrize(("namespace", "name", "route"), record_urls())
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_another_patients_record_is_a_404_unchanged_and_audited(
    alice_client, alice, bob, namespace, name, route, htmx
):
    assert namespace in RECORDS, f"{name}: say in RECORDS how to make this namespace's record"
    record = RECORDS[namespace](bob)
    before = model_to_dict(record)
    url = re.sub(r"<int:pk>", str(record.pk), route)
    headers = {"HX-Request": "true"} if htmx else {}

    for method in ("get", "post"):
        denied_before = AuditEvent.objects.filter(
            actor_id=alice.pk, outcome=AuditEvent.Outcome.DENIED, record_id=str(record.pk)
        ).count()
        if method == "get":
            response = alice_client.get(url, headers=headers)
        else:
            response = alice_client.post(url, HOSTILE_POST, headers=headers)
        if response.status_code == 405:
            continue  # the view does not take this method at all
        assert response.status_code == 404, (method, url, response.status_code)
        assert b"bob&#x27;s" not in response.content and b"bob's" not in response.content
        denied = AuditEvent.objects.filter(
            actor_id=alice.pk, outcome=AuditEvent.Outcome.DENIED, record_id=str(record.pk)
        )
        assert denied.count() == denied_before + 1, (method, url)
        assert denied.first().record_type == record._meta.label_lower

    record.refresh_from_db()
    assert model_to_dict(record) == before
