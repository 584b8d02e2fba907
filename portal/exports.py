"""A patient's own data, to take away: everything as one CSV file or a FHIR R4 Bundle of
Observations, and the summary's entries for a date range as CSV."""

import csv
import io
import uuid
from collections.abc import Iterable, Iterator
from datetime import date

from django.utils import timezone

from portal.models import Appointment, DiaryEntry, Question, Severity, display_name

SNOMED = "http://snomed.info/sct"
# SNOMED CT 246112005 |Severity (attribute)| names the severity component.
SEVERITY_CODE = {"system": SNOMED, "code": "246112005", "display": "Severity"}

CSV_COLUMNS = [
    "record",
    "id",
    "when",
    "symptom",
    "snomed_ct_code",
    "own_words",
    "severity",
    "severity_level",
    "note",
    "with_whom",
    "location",
    "purpose",
    "question",
    "asked",
    "diary_entry_id",
    "created_at",
    "updated_at",
    # Who entered it for the patient (a caregiver); empty when she did herself.
    "entered_by",
]

# A cell a spreadsheet would run as a formula (OWASP "CSV injection") is kept as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else str(value)
    return csv_safe(str(value))


def _entries(user) -> Iterable[DiaryEntry]:
    entries = DiaryEntry.objects.for_patient(user).select_related("symptom", "entered_by")
    return entries.order_by("occurred_at")


def _entered_by(record) -> str:
    return display_name(record.entered_by) if record.entered_by_id else ""


def _profile_row(user) -> dict:
    return {
        "record": "account",
        "id": user.pk,
        "symptom": "",
        "own_words": "",
        "note": f"{user.get_full_name()} <{user.email}>".strip(),
        "created_at": user.date_joined,
    }


def rows(user) -> Iterable[dict]:
    yield _profile_row(user)
    for entry in _entries(user):
        yield {
            "record": "diary_entry",
            "id": entry.pk,
            "when": entry.occurred_at,
            "symptom": entry.symptom.name if entry.symptom_id else "",
            "snomed_ct_code": entry.symptom.snomed_code if entry.symptom_id else "",
            "own_words": entry.own_words,
            "severity": entry.get_severity_display(),
            "severity_level": entry.severity,
            "note": entry.note,
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
            "entered_by": _entered_by(entry),
        }
    appointments = Appointment.objects.for_patient(user).select_related("entered_by")
    for appointment in appointments.order_by("starts_at", "pk"):
        yield {
            "record": "appointment",
            "id": appointment.pk,
            "when": appointment.starts_at,
            "with_whom": appointment.with_whom,
            "location": appointment.location,
            "purpose": appointment.purpose,
            "note": appointment.notes,
            "created_at": appointment.created_at,
            "updated_at": appointment.updated_at,
            "entered_by": _entered_by(appointment),
        }
    questions = Question.objects.for_patient(user).select_related("entered_by")
    for question in questions.order_by("created_at", "pk"):
        yield {
            "record": "question",
            "id": question.pk,
            "question": question.text,
            "asked": "yes" if question.asked else "no",
            "diary_entry_id": question.entry_id or "",
            "created_at": question.created_at,
            "updated_at": question.updated_at,
            "entered_by": _entered_by(question),
        }


def as_csv(user) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(user):
        writer.writerow({column: _cell(row.get(column)) for column in CSV_COLUMNS})
    return out.getvalue()


def _observation(entry: DiaryEntry, patient_ref: str, performer_ref: str) -> dict:
    if entry.symptom_id and entry.symptom.snomed_code:
        code = {
            "coding": [
                {"system": SNOMED, "code": entry.symptom.snomed_code, "display": entry.symptom.name}
            ],
            "text": entry.own_words or entry.symptom.name,
        }
    else:
        code = {"text": entry.symptom.name if entry.symptom_id else entry.own_words}
    observation = {
        "resourceType": "Observation",
        "id": f"diary-entry-{entry.pk}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ],
                "text": "Patient-reported symptom",
            }
        ],
        "code": code,
        "subject": {"reference": patient_ref},
        "performer": [{"reference": performer_ref}],
        "effectiveDateTime": entry.occurred_at.isoformat(),
        "issued": entry.created_at.isoformat(),
        "component": [
            {
                "code": {"coding": [SEVERITY_CODE], "text": "Severity (PRO-CTCAE words)"},
                "valueCodeableConcept": {"text": entry.get_severity_display()},
            },
            {
                "code": {"text": "Severity level (0 none to 4 very severe)"},
                "valueInteger": entry.severity,
            },
        ],
    }
    if entry.note:
        observation["note"] = [{"text": entry.note}]
    return observation


def as_fhir_bundle(user) -> dict:
    """A FHIR R4 collection Bundle: the Patient, then one Observation per diary entry.
    An entry a caregiver made names her, a RelatedPerson of the patient, as its performer."""
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    patient = {"resourceType": "Patient", "active": True}
    name = {}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    if name:
        patient["name"] = [name]
    if user.email:
        patient["telecom"] = [{"system": "email", "value": user.email}]
    entries = [{"fullUrl": patient_url, "resource": patient}]
    caregiver_urls: dict[int, str] = {}
    for entry in _entries(user):
        performer_url = patient_url
        if entry.entered_by_id:
            performer_url = caregiver_urls.get(entry.entered_by_id, "")
            if not performer_url:
                performer_url = caregiver_urls[entry.entered_by_id] = f"urn:uuid:{uuid.uuid4()}"
                caregiver = {
                    "resourceType": "RelatedPerson",
                    "patient": {"reference": patient_url},
                    "relationship": [{"text": "Caregiver"}],
                    "name": [{"text": display_name(entry.entered_by)}],
                }
                entries.append({"fullUrl": performer_url, "resource": caregiver})
        observation = _observation(entry, patient_url, performer_url)
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": observation})
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }


SUMMARY_CSV_HEADER = [
    "date",
    "time",
    "symptom",
    "own words",
    "severity",
    "severity (0-4)",
    "note",
    "entered by",
]


def summary_csv_rows(patient, start: date, end: date) -> Iterator[list[str]]:
    """The header, then one row per entry on the days start..end, oldest first, read in
    chunks (bounded memory)."""
    yield SUMMARY_CSV_HEADER
    entries = (
        DiaryEntry.objects.for_patient(patient)
        .between(start, end)
        .select_related("symptom", "entered_by")
        .order_by("occurred_at", "pk")
        .iterator(chunk_size=500)
    )
    for entry in entries:
        when = timezone.localtime(entry.occurred_at)
        yield [
            when.strftime("%Y-%m-%d"),
            when.strftime("%H:%M"),
            csv_safe(entry.symptom.name if entry.symptom_id else ""),
            csv_safe(entry.own_words),
            Severity(entry.severity).label,
            str(entry.severity),
            csv_safe(entry.note),
            csv_safe(_entered_by(entry)),
        ]
