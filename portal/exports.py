"""A patient's own data, to take away: everything as one CSV file or a FHIR R4 Bundle (her
Patient record, an Observation per diary entry, a QuestionnaireResponse per weekly check-in
and a MedicationStatement per treatment), and the summary's entries for a date range as CSV."""

import csv
import io
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone

from education import pro_ctcae
from education.models import Symptom
from portal.checkin.questions import STEMS
from portal.models import (
    Appointment,
    CheckIn,
    DiaryEntry,
    NoticeLevel,
    PatientProfile,
    Question,
    Treatment,
    display_name,
)

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# The components' codes are the HL7 Symptoms IG's (hl7.fhir.uv.symptoms STU1,
# SymptomObservation profile): severity LOINC 64750-3, frequency LOINC 104156-5.
SEVERITY_CODES = [
    {"system": LOINC, "code": "64750-3", "display": "Severity of symptoms"},
    # SNOMED CT 246112005 |Severity (attribute)|, as this export has always coded it.
    {"system": SNOMED, "code": "246112005", "display": "Severity"},
]
FREQUENCY_CODES = [
    {"system": LOINC, "code": "104156-5", "display": "Condition frequency - Reported"}
]
# LOINC 8310-5 "Body temperature", as the FHIR vital-signs profile codes it.
TEMPERATURE_CODES = [{"system": LOINC, "code": "8310-5", "display": "Body temperature"}]
# NHS England's identifier system for the NHS number (UK Core Patient).
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# A hospital number is the hospital's own: no system we could name, so only its type, HL7
# v2 table 0203 "MR" (medical record number), with the words the patient knows it by.
HOSPITAL_NUMBER_TYPE = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
            "code": "MR",
            "display": "Medical record number",
        }
    ],
    "text": "Hospital number",
}

CSV_COLUMNS = [
    "record",
    "id",
    "when",
    "symptom",
    "snomed_ct_code",
    "own_words",
    "pro_ctcae_term",
    "frequency",
    "severity",
    "severity_level",
    "interference",
    "amount",
    "presence",
    "temperature_c",
    "times_in_24h",
    "notice_level",
    "red_flag",
    "note",
    "with_whom",
    "location",
    "purpose",
    "question",
    "asked",
    "answer",
    "diary_entry_id",
    "created_at",
    "updated_at",
    # Who entered it for the patient (a caregiver); empty when she did herself.
    "entered_by",
    # Her details, on the account row.
    "date_of_birth",
    "hospital_number",
    "nhs_number",
    "details_shown_to_caregivers",
    # A treatment's row.
    "treatment",
    "kind",
    "started_on",
    "stopped_on",
    "line_of_treatment",
    # A diary entry's weekly check-in (its id), when it is an answer from one.
    "check_in",
]

# A cell a spreadsheet would run as a formula (OWASP "CSV injection") is kept as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    return csv_safe(str(value))


def _entries(user) -> Iterable[DiaryEntry]:
    entries = DiaryEntry.objects.for_patient(user).select_related(
        "symptom", "entered_by", "red_flag"
    )
    return entries.order_by("occurred_at", "pk")


def _answer_words(entry: DiaryEntry) -> dict[str, str]:
    """Each answered PRO-CTCAE attribute -> NCI's response word."""
    return {answer.attribute: answer.word for answer in entry.answers}


def _notice_label(entry: DiaryEntry) -> str:
    return NoticeLevel(entry.notice_level).label if entry.notice_level else ""


def _entered_by(record) -> str:
    return display_name(record.entered_by) if record.entered_by_id else ""


def _profile(user) -> PatientProfile | None:
    """Her details, if she has ever saved them (an account that never did has none)."""
    return PatientProfile.objects.filter(patient=user).first()


def _treatments(user) -> Iterable[Treatment]:
    treatments = Treatment.objects.for_patient(user).select_related("entered_by")
    return treatments.order_by("started_on", "pk")


def _profile_row(user) -> dict:
    row = {
        "record": "account",
        "id": user.pk,
        "symptom": "",
        "own_words": "",
        "note": f"{user.get_full_name()} <{user.email}>".strip(),
        "created_at": user.date_joined,
    }
    profile = _profile(user)
    if profile is not None:
        row |= {
            "date_of_birth": profile.date_of_birth,
            "hospital_number": profile.hospital_number,
            "nhs_number": profile.nhs_number,
            "details_shown_to_caregivers": "yes" if profile.show_to_caregivers else "no",
            "updated_at": profile.updated_at,
        }
    return row


def rows(user) -> Iterable[dict]:
    yield _profile_row(user)
    for entry in _entries(user):
        words = _answer_words(entry)
        yield {
            "record": "diary_entry",
            "id": entry.pk,
            "when": entry.occurred_at,
            "symptom": entry.symptom.name if entry.symptom_id else "",
            "snomed_ct_code": entry.symptom.snomed_code if entry.symptom_id else "",
            "pro_ctcae_term": entry.symptom.pro_ctcae_term if entry.symptom_id else "",
            "own_words": entry.own_words,
            **{name: words.get(name, "") for name in pro_ctcae.Attribute.values},
            "severity_level": entry.severity,
            "temperature_c": entry.temperature_c,
            "times_in_24h": entry.times_in_24h,
            "notice_level": _notice_label(entry),
            "red_flag": entry.red_flag.name if entry.red_flag_id else "",
            "note": entry.note,
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
            "entered_by": _entered_by(entry),
            "check_in": entry.check_in_id,
        }
    for treatment in _treatments(user):
        yield {
            "record": "treatment",
            "id": treatment.pk,
            "treatment": treatment.name,
            "kind": treatment.get_kind_display(),
            "started_on": treatment.started_on,
            "stopped_on": treatment.stopped_on,
            "line_of_treatment": treatment.line,
            "created_at": treatment.created_at,
            "updated_at": treatment.updated_at,
            "entered_by": _entered_by(treatment),
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
            "answer": question.answer,
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


def _symptom_concept(entry: DiaryEntry) -> dict:
    """The symptom: coded in SNOMED CT only where the vocabulary holds a verified code;
    named by its NCI PRO-CTCAE term where it has one, else by its name or the own words."""
    if not entry.symptom_id:
        return {"text": entry.own_words}
    symptom = entry.symptom
    concept = {"text": symptom.pro_ctcae_term or symptom.name}
    if symptom.snomed_code:
        concept["coding"] = [
            {"system": SNOMED, "code": symptom.snomed_code, "display": symptom.name}
        ]
    return concept


def _components(entry: DiaryEntry) -> list[dict]:
    """One component per PRO-CTCAE attribute answered, valued with NCI's response word (the
    word is the answer; the CSV keeps the 0-4 position of severity), then the numbers taken:
    the temperature in UCUM "Cel", and the times in the last 24 hours as a rate in UCUM
    "/d" (a count per day), which keeps the unit with the number."""
    components = []
    for answer in entry.answers:
        code = {"text": f"PRO-CTCAE {answer.attribute}"}
        if answer.attribute == pro_ctcae.Attribute.SEVERITY:
            code["coding"] = SEVERITY_CODES
        elif answer.attribute == pro_ctcae.Attribute.FREQUENCY:
            code["coding"] = FREQUENCY_CODES
        components.append({"code": code, "valueCodeableConcept": {"text": answer.word}})
    if entry.temperature_c is not None:
        components.append(
            {
                "code": {"coding": TEMPERATURE_CODES, "text": "Temperature"},
                "valueQuantity": {
                    "value": float(entry.temperature_c),
                    "unit": "°C",
                    "system": UCUM,
                    "code": "Cel",
                },
            }
        )
    if entry.times_in_24h is not None:
        components.append(
            {
                "code": {"text": "Times in the last 24 hours"},
                "valueQuantity": {
                    "value": entry.times_in_24h,
                    "unit": "times in 24 hours",
                    "system": UCUM,
                    "code": "/d",
                },
            }
        )
    if entry.notice_level:
        components.append(
            {
                "code": {"text": "Care notice shown to the patient"},
                "valueCodeableConcept": {"text": _notice_label(entry)},
            }
        )
    if entry.red_flag_id:
        components.append(
            {"code": {"text": "Red-flag rule raised"}, "valueString": entry.red_flag.name}
        )
    return components


def _observation(
    entry: DiaryEntry, patient_ref: str, performer_ref: str, check_in_ref: str = ""
) -> dict:
    """A diary entry as an Observation of the symptom, its answers as components shaped as
    the HL7 Symptoms IG shapes them, the patient's own words as a note.

    The IG's SymptomObservation codes every Observation LOINC 75325-1 "Symptom" and puts
    the symptom in value[x]; this export keeps the symptom as the Observation's code, as it
    always has, so that files already imported elsewhere keep their meaning."""
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
        "code": _symptom_concept(entry),
        "subject": {"reference": patient_ref},
        "performer": [{"reference": performer_ref}],
        "effectiveDateTime": entry.occurred_at.isoformat(),
        "issued": entry.created_at.isoformat(),
    }
    components = _components(entry)
    if components:
        observation["component"] = components
    notes = []
    if entry.symptom_id and entry.own_words:
        notes.append({"text": f"In the patient's words: {entry.own_words}"})
    if entry.note:
        notes.append({"text": entry.note})
    if notes:
        observation["note"] = notes
    if check_in_ref:
        # An answer from a weekly check-in: the questionnaire response it was derived from.
        observation["derivedFrom"] = [{"reference": check_in_ref}]
    return observation


# NCI's item numbers, so a check-in's answers list in the library's order whatever the
# clinic's order was that week.
_ITEM_NUMBER = {term: number for number, term, _ in pro_ctcae.TERMS}
OWN_WORDS_LINK_ID = "own-words"


def _check_ins(user) -> list[CheckIn]:
    """Her submitted weekly check-ins, oldest first (an open one is not a response yet)."""
    check_ins = CheckIn.objects.for_patient(user).submitted().select_related("entered_by")
    return list(check_ins.order_by("submitted_at", "pk"))


def _answered_symptoms(check_ins: list[CheckIn]) -> dict[int, Symptom]:
    """The symptoms the check-ins' answers are about (one query; none without answers)."""
    ids = {int(key) for check_in in check_ins for key in check_in.answers if str(key).isdigit()}
    return Symptom.objects.in_bulk(ids)


def _answer_items(check_in: CheckIn, symptoms: dict[int, Symptom]) -> list[dict]:
    """One item per answered term and attribute, linked "<symptom id>-<attribute>", worded as
    the check-in asked it (portal.checkin.questions.STEMS), valued
    with NCI's response word (and its 0-4 position, or 0/1 for presence, as the code); an
    answer that is not one of NCI's positions, or about a symptom no longer known, is left
    out rather than guessed."""
    found = []
    for key, given in check_in.answers.items():
        symptom = symptoms.get(int(key)) if str(key).isdigit() else None
        if symptom is None or not symptom.pro_ctcae_term or not isinstance(given, dict):
            continue
        term = symptom.pro_ctcae_term
        for attribute in pro_ctcae.Attribute:
            value = given.get(attribute.value)
            if isinstance(value, bool):
                value = int(value)
            words = pro_ctcae.RESPONSE_WORDS[attribute.value]
            if not isinstance(value, int) or not 0 <= value < len(words):
                continue
            item = {
                "linkId": f"{symptom.pk}-{attribute.value}",
                # The question as the check-in asked it (NCI's stem with the 7-day recall).
                "text": STEMS[attribute.value].format(term=term.lower()),
                "answer": [{"valueCoding": {"code": str(value), "display": words[value]}}],
            }
            found.append((_ITEM_NUMBER.get(term, len(_ITEM_NUMBER) + 1), term, item))
    return [item for *_, item in sorted(found, key=lambda row: row[:2])]


def _questionnaire_response(
    check_in: CheckIn, symptoms: dict[int, Symptom], patient_ref: str, author_ref: str
) -> dict:
    """A weekly check-in as a completed QuestionnaireResponse: authored when she sent it,
    an item per answer in NCI's words, and her "Anything else?" words as they are."""
    items = _answer_items(check_in, symptoms)
    if check_in.own_words:
        items.append(
            {
                "linkId": OWN_WORDS_LINK_ID,
                "text": "Anything else?",
                "answer": [{"valueString": check_in.own_words}],
            }
        )
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": f"check-in-{check_in.pk}",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": check_in.submitted_at.isoformat(),
        "author": {"reference": author_ref},
    }
    if items:
        response["item"] = items
    return response


def _patient(user) -> dict:
    """Her name and email, and the details she saved: date of birth, NHS number (NHS
    England's system) and hospital number (the hospital's own, so no system)."""
    patient = {"resourceType": "Patient", "active": True}
    profile = _profile(user)
    identifiers = []
    if profile is not None and profile.nhs_number:
        identifiers.append(
            {"use": "official", "system": NHS_NUMBER_SYSTEM, "value": profile.nhs_number}
        )
    if profile is not None and profile.hospital_number:
        identifiers.append({"type": HOSPITAL_NUMBER_TYPE, "value": profile.hospital_number})
    if identifiers:
        patient["identifier"] = identifiers
    name = {}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    if name:
        patient["name"] = [name]
    if user.email:
        patient["telecom"] = [{"system": "email", "value": user.email}]
    if profile is not None and profile.date_of_birth:
        patient["birthDate"] = profile.date_of_birth.isoformat()
    return patient


def _medication_status(treatment: Treatment, today: date) -> str:
    """As the portal counts a current treatment (Treatment.objects.current): taken from its
    start day to its stop day; "completed" once stopped, "intended" before it starts."""
    if treatment.stopped_on is not None and treatment.stopped_on < today:
        return "completed"
    if treatment.started_on > today:
        return "intended"
    return "active"


def _medication_statement(
    treatment: Treatment, patient_ref: str, source_ref: str, today: date
) -> dict:
    """A treatment as the patient keeps it: the drug or regimen by name only (never a
    guessed code), its dates, and the kind and line of treatment as notes."""
    period = {"start": treatment.started_on.isoformat()}
    if treatment.stopped_on is not None:
        period["end"] = treatment.stopped_on.isoformat()
    notes = [{"text": f"Kind of treatment: {treatment.get_kind_display()}"}]
    if treatment.line is not None:
        notes.append({"text": f"Line of treatment: {treatment.line}"})
    return {
        "resourceType": "MedicationStatement",
        "id": f"treatment-{treatment.pk}",
        "status": _medication_status(treatment, today),
        "medicationCodeableConcept": {"text": treatment.name},
        "subject": {"reference": patient_ref},
        "effectivePeriod": period,
        "dateAsserted": treatment.created_at.isoformat(),
        "informationSource": {"reference": source_ref},
        "note": notes,
    }


def as_fhir_bundle(user) -> dict:
    """A FHIR R4 collection Bundle: the Patient, one Observation per diary entry, one
    QuestionnaireResponse per submitted weekly check-in (its answers' Observations are
    derived from it), then one MedicationStatement per treatment. What a caregiver entered
    for the patient names her, a RelatedPerson of the patient, as its performer, author or
    information source."""
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    entries = [{"fullUrl": patient_url, "resource": _patient(user)}]
    caregiver_urls: dict[int, str] = {}

    def source_url(record) -> str:
        """The patient, or the caregiver who entered the record (added on first mention)."""
        if not record.entered_by_id:
            return patient_url
        url = caregiver_urls.get(record.entered_by_id, "")
        if not url:
            url = caregiver_urls[record.entered_by_id] = f"urn:uuid:{uuid.uuid4()}"
            caregiver = {
                "resourceType": "RelatedPerson",
                "patient": {"reference": patient_url},
                "relationship": [{"text": "Caregiver"}],
                "name": [{"text": display_name(record.entered_by)}],
            }
            entries.append({"fullUrl": url, "resource": caregiver})
        return url

    check_ins = _check_ins(user)
    check_in_urls = {check_in.pk: f"urn:uuid:{uuid.uuid4()}" for check_in in check_ins}
    for entry in _entries(user):
        check_in_url = check_in_urls.get(entry.check_in_id, "")
        observation = _observation(entry, patient_url, source_url(entry), check_in_url)
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": observation})
    symptoms = _answered_symptoms(check_ins)
    for check_in in check_ins:
        response = _questionnaire_response(check_in, symptoms, patient_url, source_url(check_in))
        entries.append({"fullUrl": check_in_urls[check_in.pk], "resource": response})
    today = timezone.localdate()
    for treatment in _treatments(user):
        statement = _medication_statement(treatment, patient_url, source_url(treatment), today)
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": statement})
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
    "PRO-CTCAE term",
    "own words",
    "frequency",
    "severity",
    "severity (0-4)",
    "interference",
    "amount",
    "presence",
    "temperature (°C)",
    "times in 24 h",
    "notice level",
    "red flag",
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
        .select_related("symptom", "entered_by", "red_flag")
        .order_by("occurred_at", "pk")
        .iterator(chunk_size=500)
    )
    for entry in entries:
        when = timezone.localtime(entry.occurred_at)
        words = _answer_words(entry)
        row = [
            when.strftime("%Y-%m-%d"),
            when.strftime("%H:%M"),
            entry.symptom.name if entry.symptom_id else "",
            entry.symptom.pro_ctcae_term if entry.symptom_id else "",
            entry.own_words,
            words.get("frequency", ""),
            words.get("severity", ""),
            "" if entry.severity is None else str(entry.severity),
            words.get("interference", ""),
            words.get("amount", ""),
            words.get("presence", ""),
            "" if entry.temperature_c is None else str(entry.temperature_c),
            "" if entry.times_in_24h is None else str(entry.times_in_24h),
            _notice_label(entry),
            entry.red_flag.name if entry.red_flag_id else "",
            entry.note,
            _entered_by(entry),
        ]
        yield [csv_safe(cell) for cell in row]
