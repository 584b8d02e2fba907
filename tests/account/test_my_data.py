import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from education.models import Symptom
from portal.models import (
    Appointment,
    AuditEvent,
    CheckIn,
    DiaryEntry,
    PatientProfile,
    Question,
    Severity,
    Treatment,
)
from tests.conftest import make_patient, sick_twice_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def bone_pain(db):
    return Symptom.objects.create(
        name="Bone pain",
        slug="bone-pain",
        body_site="bone",
        snomed_code="12584003",
        snomed_source="SNOMED CT browser, International Edition",
    )


@pytest.fixture
def diaries(alice, bob, bone_pain):
    now = timezone.now()
    alice_entries = [
        DiaryEntry.objects.create(
            patient=alice,
            symptom=bone_pain,
            own_words="my hip aches",
            severity=Severity.MODERATE,
            occurred_at=now - timedelta(days=2),
            note="worse after the stairs",
        ),
        DiaryEntry.objects.create(
            patient=alice,
            own_words='=HYPERLINK("http://evil.example")',
            severity=Severity.MILD,
            occurred_at=now - timedelta(days=1),
        ),
    ]
    Appointment.objects.create(
        patient=alice, starts_at=now + timedelta(days=3), with_whom="Dr Oak", purpose="scan"
    )
    Question.objects.create(patient=alice, text="Should I rest my hip?", entry=alice_entries[0])
    DiaryEntry.objects.create(
        patient=bob,
        own_words="bob's secret headache",
        severity=Severity.SEVERE,
        occurred_at=now,
        note="bob's private note",
    )
    Appointment.objects.create(patient=bob, starts_at=now, with_whom="Dr Bob-only")
    Question.objects.create(patient=bob, text="bob's private question")
    return alice_entries


def test_the_csv_holds_all_of_alices_data_and_none_of_bobs(alice_client, alice, diaries):
    response = alice_client.post("/account/download/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mbc-portal-my-data-')
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    records = [row["record"] for row in rows]
    assert records == ["account", "diary_entry", "diary_entry", "appointment", "question"]
    entry = rows[1]
    assert entry["symptom"] == "Bone pain"
    assert entry["snomed_ct_code"] == "12584003"
    assert entry["own_words"] == "my hip aches"
    assert entry["severity"] == "Moderate"
    assert entry["note"] == "worse after the stairs"
    assert rows[3]["with_whom"] == "Dr Oak"
    assert rows[4]["question"] == "Should I rest my hip?"
    assert "alice@example.org" in rows[0]["note"]
    assert "bob" not in text.lower()


def test_the_csv_keeps_formulas_as_text(alice_client, diaries):
    rows = list(csv.DictReader(io.StringIO(alice_client.post("/account/download/csv/").text)))
    assert rows[2]["own_words"] == '\'=HYPERLINK("http://evil.example")'


def test_the_fhir_bundle_validates_and_holds_one_observation_per_entry(alice_client, diaries):
    response = alice_client.post("/account/download/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)  # FHIR R4B, which shares R4's Observation
    assert bundle.type == "collection"
    observations = [
        e.resource for e in bundle.entry if e.resource.get_resource_type() == "Observation"
    ]
    assert len(observations) == 2
    assert all(isinstance(o, Observation) for o in observations)
    first, second = observations
    assert first.code.coding[0].system == "http://snomed.info/sct"
    assert first.code.coding[0].code == "12584003"
    assert first.status == "final"
    (severity,) = first.component
    assert [(c.system, c.code) for c in severity.code.coding] == [
        ("http://loinc.org", "64750-3"),
        ("http://snomed.info/sct", "246112005"),
    ]
    assert severity.code.text == "PRO-CTCAE severity"
    assert severity.valueCodeableConcept.text == "Moderate"
    assert first.code.text == "Bone pain"
    assert [note.text for note in first.note] == [
        "In the patient's words: my hip aches",
        "worse after the stairs",
    ]
    # No verified code for the patient's own words: text only, never a guessed code.
    assert second.code.coding is None
    assert second.code.text == '=HYPERLINK("http://evil.example")'
    patient = bundle.entry[0]
    assert patient.resource.get_resource_type() == "Patient"
    assert first.subject.reference == patient.fullUrl
    assert "bob" not in response.content.decode().lower()


def test_downloads_are_audited_without_health_data(alice_client, alice, diaries):
    alice_client.post("/account/download/csv/")
    alice_client.post("/account/download/fhir/")
    events = AuditEvent.objects.filter(action="account.export", actor_id=alice.pk)
    assert sorted(e.record_id for e in events) == ["csv", "fhir"]


def test_downloads_are_post_only(alice_client):
    assert alice_client.get("/account/download/csv/").status_code == 405
    assert alice_client.get("/account/download/fhir/").status_code == 405


def test_the_download_page_offers_both_formats(alice_client):
    html = alice_client.get("/account/download/").content.decode()
    assert 'action="/account/download/csv/"' in html
    assert 'action="/account/download/fhir/"' in html


def test_the_download_page_says_what_each_file_holds(alice_client):
    html = alice_client.get("/account/download/").content.decode()
    assert "one row per diary entry, treatment, appointment and question" in html
    assert "(date of birth, hospital number, NHS number)" in html
    assert "each treatment as a medication statement" in html
    assert "Appointments and questions are in the spreadsheet only." in html


def test_deleting_the_account_needs_the_password_and_the_confirmation(alice_client, alice, diaries):
    response = alice_client.post("/account/delete/", {"password": "wrong", "understood": "on"})
    assert response.status_code == 400
    assert "That is not your current password" in response.content.decode()
    response = alice_client.post("/account/delete/", {"password": "alice-password-123"})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert DiaryEntry.objects.filter(patient=alice).count() == 2


def test_deleting_the_account_removes_the_diary_for_good(alice_client, alice, bob, diaries):
    alice_id = alice.pk
    response = alice_client.post(
        "/account/delete/", {"password": "alice-password-123", "understood": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(pk=alice_id).exists()
    assert not DiaryEntry.objects.filter(patient_id=alice_id).exists()
    assert not Appointment.objects.filter(patient_id=alice_id).exists()
    assert not Question.objects.filter(patient_id=alice_id).exists()
    assert not EmailAddress.objects.filter(user_id=alice_id).exists()
    # Bob's diary is untouched.
    assert DiaryEntry.objects.filter(patient=bob).count() == 1
    # Signed out, and the trail keeps only the account id.
    assert "_auth_user_id" not in alice_client.session
    event = AuditEvent.objects.get(action="account.delete")
    assert (event.actor_id, event.record_id) == (alice_id, str(alice_id))


def test_the_activity_page_lists_recent_sign_ins_to_this_account_only(client, alice, bob):
    client.post("/accounts/login/", {"login": "alice@example.org", "password": "nope-nope-nope"})
    client.post("/accounts/login/", {"login": "bob@example.org", "password": "bob-password-1234"})
    client.post("/accounts/logout/")
    client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "alice-password-123"}
    )
    html = client.get("/account/activity/").content.decode()
    assert html.count("Signed in from") == 1
    assert "Wrong password entered from" in html
    assert "127.0.0.1" in html
    assert html.count("<tr>") == 3  # header, her sign-in, her failed attempt


def test_audit_rows_hold_no_health_data(alice_client, alice, diaries):
    alice_client.post("/account/download/csv/")
    alice_client.post("/account/download/fhir/")
    alice_client.post("/account/delete/", {"password": "alice-password-123", "understood": "on"})
    words = ["hip", "stairs", "bone", "pain", "moderate", "hyperlink", "oak", "rest", "@"]
    for event in AuditEvent.objects.all():
        values = [str(getattr(event, f.attname)).lower() for f in AuditEvent._meta.fields]
        for word in words:
            assert not any(word in value for value in values), (word, values)


@pytest.fixture
def graded(alice, bone_pain):
    """Entries graded as PRO-CTCAE grades: several attributes, numbers, a red flag."""
    vomiting = Symptom.objects.create(
        name="Vomiting",
        slug="vomiting",
        body_site="general",
        pro_ctcae_term="Vomiting",
        asks_frequency=True,
        measurement="times",
        snomed_code="422400008",
        snomed_source="SNOMED CT browser, International Edition",
    )
    swelling = Symptom.objects.create(
        name="Swelling",
        slug="swelling",
        body_site="general",
        pro_ctcae_term="Swelling",
        asks_frequency=True,
        asks_interference=True,
    )
    rash = Symptom.objects.create(
        name="Rash",
        slug="rash",
        body_site="general",
        pro_ctcae_term="Rash",
        asks_severity=False,
        asks_presence=True,
    )
    hot = Symptom.objects.create(
        name="High temperature", slug="high-temperature", body_site="general"
    )
    sick_rule = sick_twice_rule(vomiting)
    now = timezone.now()
    made = [
        DiaryEntry(
            patient=alice,
            symptom=vomiting,
            own_words="threw up twice",
            frequency=2,
            severity=Severity.MODERATE,
            times_in_24h=2,
            occurred_at=now - timedelta(hours=4),
        ),
        DiaryEntry(
            patient=alice,
            symptom=swelling,
            frequency=4,
            severity=Severity.SEVERE,
            interference=1,
            occurred_at=now - timedelta(hours=3),
        ),
        DiaryEntry(
            patient=alice, symptom=rash, presence=False, occurred_at=now - timedelta(hours=2)
        ),
        DiaryEntry(
            patient=alice,
            symptom=hot,
            temperature_c=Decimal("38.2"),
            occurred_at=now - timedelta(hours=1),
        ),
    ]
    for entry in made:
        entry.red_flag = sick_rule if entry.symptom == vomiting else None
        entry.notice_level = "contact" if entry.symptom in (vomiting, swelling) else ""
        entry.save()
    return made


def _observations(client) -> list[Observation]:
    response = client.post("/account/download/fhir/")
    bundle = Bundle.model_validate(json.loads(response.content))
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Observation"]


def _components(observation: Observation) -> list[tuple]:
    found = []
    for component in observation.component or []:
        codes = [coding.code for coding in component.code.coding or []]
        if component.valueCodeableConcept is not None:
            value = component.valueCodeableConcept.text
        elif component.valueQuantity is not None:
            quantity = component.valueQuantity
            value = (float(quantity.value), quantity.unit, quantity.system, quantity.code)
        else:
            value = component.valueString
        found.append((component.code.text, codes, value))
    return found


def test_the_fhir_bundle_carries_each_answer_as_a_component_with_ncis_words(alice_client, graded):
    sick, swollen, spots, fever = _observations(alice_client)
    # Coded in SNOMED CT only where the symptom has a verified code; else its PRO-CTCAE term.
    assert [(c.system, c.code) for c in sick.code.coding] == [
        ("http://snomed.info/sct", "422400008")
    ]
    assert sick.code.text == "Vomiting"
    assert _components(sick) == [
        ("PRO-CTCAE frequency", ["104156-5"], "Occasionally"),
        ("PRO-CTCAE severity", ["64750-3", "246112005"], "Moderate"),
        (
            "Times in the last 24 hours",
            [],
            (2.0, "times in 24 hours", "http://unitsofmeasure.org", "/d"),
        ),
        ("Care notice shown to the patient", [], "Contact the care team"),
        ("Red-flag rule raised", [], "Being sick 2 or more times in 24 hours"),
    ]
    assert sick.note[0].text == "In the patient's words: threw up twice"
    assert swollen.code.coding is None and swollen.code.text == "Swelling"
    assert _components(swollen) == [
        ("PRO-CTCAE frequency", ["104156-5"], "Almost constantly"),
        ("PRO-CTCAE severity", ["64750-3", "246112005"], "Severe"),
        ("PRO-CTCAE interference", [], "A little bit"),
        ("Care notice shown to the patient", [], "Contact the care team"),
    ]
    assert _components(spots) == [("PRO-CTCAE presence", [], "No")]
    assert fever.code.text == "High temperature"
    assert _components(fever) == [
        ("Temperature", ["8310-5"], (38.2, "°C", "http://unitsofmeasure.org", "Cel")),
    ]


def test_each_observation_validates_on_its_own(alice_client, graded):
    data = json.loads(alice_client.post("/account/download/fhir/").content)
    resources = [item["resource"] for item in data["entry"]]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert len(observations) == 4
    for resource in observations:
        Observation.model_validate(resource)
        assert all("code" in c and len(c) == 2 for c in resource["component"])


def test_the_csv_carries_the_answers_numbers_and_red_flag_in_ncis_words(alice_client, graded):
    text = alice_client.post("/account/download/csv/").content.decode()
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["record"] == "diary_entry"]
    sick, swollen, spots, fever = rows
    assert (sick["pro_ctcae_term"], sick["frequency"], sick["severity"]) == (
        "Vomiting",
        "Occasionally",
        "Moderate",
    )
    assert (sick["severity_level"], sick["times_in_24h"]) == ("2", "2")
    assert sick["notice_level"] == "Contact the care team"
    assert sick["red_flag"] == "Being sick 2 or more times in 24 hours"
    assert (swollen["frequency"], swollen["interference"]) == ("Almost constantly", "A little bit")
    assert (spots["presence"], spots["severity"], spots["severity_level"]) == ("No", "", "")
    assert (fever["temperature_c"], fever["notice_level"], fever["red_flag"]) == ("38.2", "", "")


# -- Her details, her treatments and her answers (issue 12) ---------------------------------

VALID_NHS_NUMBER = "9434765919"


@pytest.fixture
def kept(alice, bob, dana):
    """Alice's details, a treatment she takes, one she stopped (entered by Dana, who helps
    her), an answered question; Bob's own details, treatment and answer."""
    today = timezone.localdate()
    PatientProfile.objects.create(
        patient=alice,
        date_of_birth=date(1961, 3, 14),
        hospital_number="=RX1234567",
        nhs_number=VALID_NHS_NUMBER,
    )
    taking = Treatment.objects.create(
        patient=alice,
        name="Ribociclib and letrozole",
        kind=Treatment.Kind.CDK46_INHIBITOR,
        started_on=date(2025, 6, 3),
        line=2,
    )
    stopped = Treatment.objects.create(
        patient=alice,
        name="-Capecitabine",
        kind=Treatment.Kind.CHEMOTHERAPY,
        started_on=date(2024, 1, 8),
        stopped_on=today - timedelta(days=1),
        entered_by=dana,
    )
    Question.objects.create(
        patient=alice, text="Can I fly?", asked=True, answer="+Yes, with a letter from the clinic"
    )
    PatientProfile.objects.create(
        patient=bob, date_of_birth=date(1950, 1, 1), hospital_number="BOB-HOSP-999"
    )
    Treatment.objects.create(patient=bob, name="Bob's tamoxifen", started_on=date(2023, 5, 1))
    Question.objects.create(patient=bob, text="Bob asks", answer="bob's private answer")
    return taking, stopped


@pytest.fixture
def dana(db):
    return make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")


def _csv(client) -> list[dict]:
    response = client.post("/account/download/csv/")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _bundle(client) -> tuple[dict, Bundle]:
    response = client.post("/account/download/fhir/")
    assert response.status_code == 200
    data = json.loads(response.content)
    return data, Bundle.model_validate(data)


def _resources(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def test_the_csv_carries_her_details_treatments_and_answers_as_text(alice_client, alice, kept):
    taking, stopped = kept
    rows = _csv(alice_client)
    assert [row["record"] for row in rows] == ["account", "treatment", "treatment", "question"]
    account, first, second, question = rows
    assert (account["date_of_birth"], account["nhs_number"]) == ("1961-03-14", VALID_NHS_NUMBER)
    assert account["hospital_number"] == "'=RX1234567"  # a formula start stays text
    assert account["details_shown_to_caregivers"] == "no"
    # Oldest first, as everything else in the file.
    assert first["id"] == str(stopped.pk)
    assert first["treatment"] == "'-Capecitabine"
    assert (first["kind"], first["started_on"]) == ("Chemotherapy", "2024-01-08")
    assert first["stopped_on"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    assert (first["line_of_treatment"], first["entered_by"]) == ("", "Dana Doe")
    assert (second["id"], second["treatment"]) == (str(taking.pk), "Ribociclib and letrozole")
    assert (second["kind"], second["started_on"]) == ("CDK4/6 inhibitor", "2025-06-03")
    assert (second["stopped_on"], second["line_of_treatment"]) == ("", "2")
    assert second["entered_by"] == ""
    assert (question["question"], question["asked"]) == ("Can I fly?", "yes")
    assert question["answer"] == "'+Yes, with a letter from the clinic"
    text = "".join(",".join(row.values()) for row in rows).lower()
    assert "bob" not in text and "1950" not in text


def test_every_csv_cell_that_starts_like_a_formula_is_kept_as_text(alice_client, kept, diaries):
    for row in _csv(alice_client):
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)


def test_the_fhir_patient_has_her_birth_date_and_both_numbers(alice_client, kept):
    _, bundle = _bundle(alice_client)
    (patient,) = _resources(bundle, "Patient")
    assert patient.birthDate.isoformat() == "1961-03-14"
    nhs, hospital = patient.identifier
    assert (nhs.system, nhs.value) == ("https://fhir.nhs.uk/Id/nhs-number", VALID_NHS_NUMBER)
    # The hospital's own number: no system, typed by the words she knows it by.
    assert hospital.system is None
    assert hospital.type.text == "Hospital number"
    assert hospital.value == "=RX1234567"
    assert [name.family for name in patient.name] == ["Archer"]


def test_each_treatment_is_a_medication_statement_by_name_with_its_dates(alice_client, kept):
    data, bundle = _bundle(alice_client)
    patient_url = bundle.entry[0].fullUrl
    stopped, taking = _resources(bundle, "MedicationStatement")
    assert all(isinstance(s, MedicationStatement) for s in (stopped, taking))
    # Named as she wrote it, never a guessed code.
    assert (taking.medicationCodeableConcept.text, taking.medicationCodeableConcept.coding) == (
        "Ribociclib and letrozole",
        None,
    )
    assert taking.status == "active"
    assert taking.effectivePeriod.start.isoformat() == "2025-06-03"
    assert taking.effectivePeriod.end is None
    assert [note.text for note in taking.note] == [
        "Kind of treatment: CDK4/6 inhibitor",
        "Line of treatment: 2",
    ]
    assert taking.subject.reference == patient_url
    assert taking.informationSource.reference == patient_url
    assert stopped.medicationCodeableConcept.text == "-Capecitabine"
    assert stopped.status == "completed"
    assert stopped.effectivePeriod.start.isoformat() == "2024-01-08"
    yesterday = timezone.localdate() - timedelta(days=1)
    assert stopped.effectivePeriod.end.isoformat() == yesterday.isoformat()
    assert [note.text for note in stopped.note] == ["Kind of treatment: Chemotherapy"]
    # Dana entered it: she is the source, a RelatedPerson of the patient.
    (dana,) = _resources(bundle, "RelatedPerson")
    source = next(e for e in bundle.entry if e.resource is dana).fullUrl
    assert stopped.informationSource.reference == source
    assert dana.patient.reference == patient_url
    assert [name.text for name in dana.name] == ["Dana Doe"]
    for item in data["entry"]:
        if item["resource"]["resourceType"] == "MedicationStatement":
            MedicationStatement.model_validate(item["resource"])
    text = json.dumps(data).lower()
    assert "bob" not in text and "1950" not in text


def test_a_treatment_stopping_today_is_active_and_one_starting_later_is_intended(
    alice_client, alice
):
    today = timezone.localdate()
    Treatment.objects.create(
        patient=alice,
        name="Last dose today",
        started_on=today - timedelta(days=9),
        stopped_on=today,
    )
    Treatment.objects.create(patient=alice, name="Next week", started_on=today + timedelta(days=7))
    _, bundle = _bundle(alice_client)
    statuses = {
        s.medicationCodeableConcept.text: s.status
        for s in _resources(bundle, "MedicationStatement")
    }
    assert statuses == {"Last dose today": "active", "Next week": "intended"}


def test_the_fhir_bundle_has_no_questions(alice_client, kept):
    # It never carried questions or appointments; the CSV does.
    data, bundle = _bundle(alice_client)
    kinds = {e.resource.get_resource_type() for e in bundle.entry}
    assert kinds == {"Patient", "MedicationStatement", "RelatedPerson"}
    assert "Can I fly" not in json.dumps(data)


def test_a_patient_with_no_details_or_treatments_downloads_both_files(alice_client, alice, diaries):
    assert not PatientProfile.objects.filter(patient=alice).exists()
    account = _csv(alice_client)[0]
    assert account["record"] == "account"
    assert [account[c] for c in ("date_of_birth", "hospital_number", "nhs_number")] == ["", "", ""]
    assert account["details_shown_to_caregivers"] == ""
    data, bundle = _bundle(alice_client)
    patient = data["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    assert "birthDate" not in patient and "identifier" not in patient
    assert _resources(bundle, "MedicationStatement") == []


def test_a_profile_with_only_some_details_exports_only_those(alice_client, alice):
    PatientProfile.objects.create(patient=alice, hospital_number="H42", show_to_caregivers=True)
    account = _csv(alice_client)[0]
    assert (account["hospital_number"], account["nhs_number"]) == ("H42", "")
    assert (account["date_of_birth"], account["details_shown_to_caregivers"]) == ("", "yes")
    data, _ = _bundle(alice_client)
    patient = data["entry"][0]["resource"]
    assert "birthDate" not in patient
    assert [i["value"] for i in patient["identifier"]] == ["H42"]


def test_what_a_caregiver_entered_for_alice_is_in_alices_download_not_hers(
    client, alice, dana, kept
):
    """Dana entered Alice's stopped treatment: it is Alice's record, not Dana's."""
    client.force_login(dana)
    rows = _csv(client)
    assert [row["record"] for row in rows] == ["account"]
    assert rows[0]["hospital_number"] == ""
    data, bundle = _bundle(client)
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient"]
    text = json.dumps(data)
    assert "Capecitabine" not in text and VALID_NHS_NUMBER not in text


# -- Weekly check-ins (issue 13) -------------------------------------------------------------


@pytest.fixture
def checked_in(alice, bob, dana, bone_pain):
    """Two weekly check-ins Alice sent (the second entered by Dana, with a "Never" that skips
    the rest of nausea's items), one still open, an entry she logged herself, and Bob's."""
    nausea = Symptom.objects.create(
        name="Feeling sick",
        slug="feeling-sick",
        body_site="general",
        pro_ctcae_term="Nausea",
        asks_frequency=True,
    )
    fatigue = Symptom.objects.create(
        name="Fatigue",
        slug="fatigue",
        body_site="general",
        pro_ctcae_term="Fatigue",
        asks_interference=True,
    )
    now = timezone.now()
    first = CheckIn.objects.create(
        patient=alice,
        started_at=now - timedelta(days=7, minutes=3),
        submitted_at=now - timedelta(days=7),
        # Fatigue first, as a clinic might order it; the export lists NCI's order.
        answers={
            str(fatigue.pk): {"severity": 3, "interference": 2},
            str(nausea.pk): {"frequency": 2, "severity": 1},
        },
        own_words="=my hip aches",
    )
    second = CheckIn.objects.create(
        patient=alice,
        started_at=now - timedelta(minutes=5),
        submitted_at=now - timedelta(minutes=2),
        answers={
            str(nausea.pk): {"frequency": 0},
            str(fatigue.pk): {"severity": 1, "interference": 0, "colour": 2},
            # Not answers NCI defines: left out, never guessed.
            "999999": {"severity": 2},
            str(bone_pain.pk): {"severity": 9},
        },
        entered_by=dana,
    )
    CheckIn.objects.create(patient=alice, answers={str(nausea.pk): {"frequency": 4}})
    made = {
        "first fatigue": dict(check_in=first, symptom=fatigue, severity=3, interference=2),
        "first nausea": dict(check_in=first, symptom=nausea, frequency=2, severity=1),
        "second nausea": dict(check_in=second, symptom=nausea, frequency=0),
        "second fatigue": dict(check_in=second, symptom=fatigue, severity=1, interference=0),
    }
    entries = {}
    for name, fields in made.items():
        check_in = fields["check_in"]
        entries[name] = DiaryEntry.objects.create(
            patient=alice,
            occurred_at=check_in.submitted_at,
            entered_by=check_in.entered_by,
            **fields,
        )
    entries["her own"] = DiaryEntry.objects.create(
        patient=alice, symptom=bone_pain, severity=1, occurred_at=now - timedelta(days=1)
    )
    bob_check_in = CheckIn.objects.create(
        patient=bob,
        started_at=now - timedelta(days=1),
        submitted_at=now - timedelta(days=1),
        answers={str(nausea.pk): {"frequency": 3}},
        own_words="bob's secret words",
    )
    DiaryEntry.objects.create(
        patient=bob, symptom=nausea, frequency=3, occurred_at=now, check_in=bob_check_in
    )
    return {"first": first, "second": second, "nausea": nausea, "fatigue": fatigue, **entries}


def _answers(response: QuestionnaireResponse) -> list[tuple]:
    return [
        (item.linkId, item.text, [(a.valueCoding.code, a.valueCoding.display) for a in item.answer])
        if item.answer[0].valueCoding is not None
        else (item.linkId, item.text, item.answer[0].valueString)
        for item in response.item or []
    ]


def test_each_submitted_check_in_is_a_questionnaire_response(alice_client, checked_in):
    data, bundle = _bundle(alice_client)
    responses = _resources(bundle, "QuestionnaireResponse")
    assert len(responses) == 2  # not the open one, nor Bob's
    first, second = responses
    patient_url = bundle.entry[0].fullUrl
    nausea, fatigue = checked_in["nausea"].pk, checked_in["fatigue"].pk
    assert first.status == second.status == "completed"
    assert first.authored == checked_in["first"].submitted_at
    assert second.authored == checked_in["second"].submitted_at
    assert first.subject.reference == second.subject.reference == patient_url
    assert first.author.reference == patient_url
    # NCI's order (Nausea is item 9, Fatigue 53), each worded as the check-in asked it (NCI's
    # stem), with NCI's word and its position.
    assert _answers(first) == [
        (
            f"{nausea}-frequency",
            "In the last 7 days, how OFTEN did you have nausea?",
            [("2", "Occasionally")],
        ),
        (
            f"{nausea}-severity",
            "In the last 7 days, what was the SEVERITY of your nausea at its WORST?",
            [("1", "Mild")],
        ),
        (
            f"{fatigue}-severity",
            "In the last 7 days, what was the SEVERITY of your fatigue at its WORST?",
            [("3", "Severe")],
        ),
        (
            f"{fatigue}-interference",
            "In the last 7 days, how much did fatigue INTERFERE with your usual or daily "
            "activities?",
            [("2", "Somewhat")],
        ),
        ("own-words", "Anything else?", "=my hip aches"),
    ]
    assert [link for link, *_ in _answers(second)] == [
        f"{nausea}-frequency",
        f"{fatigue}-severity",
        f"{fatigue}-interference",
    ]
    assert _answers(second)[0][2] == [("0", "Never")]
    text = json.dumps(data)
    assert "bob" not in text.lower() and "colour" not in text


def test_each_questionnaire_response_validates_on_its_own(alice_client, checked_in):
    data = json.loads(alice_client.post("/account/download/fhir/").content)
    resources = [item["resource"] for item in data["entry"]]
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert [r["id"] for r in responses] == [
        f"check-in-{checked_in['first'].pk}",
        f"check-in-{checked_in['second'].pk}",
    ]
    for resource in responses:
        QuestionnaireResponse.model_validate(resource)


def test_a_check_in_s_observations_are_derived_from_its_response(alice_client, checked_in):
    _, bundle = _bundle(alice_client)
    url_of = {
        e.resource.id: e.fullUrl
        for e in bundle.entry
        if e.resource.get_resource_type() == "QuestionnaireResponse"
    }
    observations = {o.id: o for o in _resources(bundle, "Observation")}
    for name, check_in in [
        ("first fatigue", "first"),
        ("first nausea", "first"),
        ("second nausea", "second"),
        ("second fatigue", "second"),
    ]:
        observation = observations[f"diary-entry-{checked_in[name].pk}"]
        expected = url_of[f"check-in-{checked_in[check_in].pk}"]
        assert [ref.reference for ref in observation.derivedFrom] == [expected], name
    assert observations[f"diary-entry-{checked_in['her own'].pk}"].derivedFrom is None


def test_a_check_in_a_caregiver_entered_names_her_as_its_author(alice_client, checked_in):
    _, bundle = _bundle(alice_client)
    (caregiver,) = [e for e in bundle.entry if e.resource.get_resource_type() == "RelatedPerson"]
    assert caregiver.resource.name[0].text == "Dana Doe"
    second = _resources(bundle, "QuestionnaireResponse")[1]
    assert second.author.reference == caregiver.fullUrl
    observation = next(
        o
        for o in _resources(bundle, "Observation")
        if o.id == f"diary-entry-{checked_in['second nausea'].pk}"
    )
    assert observation.performer[0].reference == caregiver.fullUrl


def test_a_check_in_with_no_answer_nci_defines_is_still_a_response(alice_client, alice):
    now = timezone.now()
    CheckIn.objects.create(
        patient=alice,
        started_at=now - timedelta(minutes=1),
        submitted_at=now,
        answers={"own_words": {"severity": 1}, "12": "not a dict"},
    )
    _, bundle = _bundle(alice_client)
    (response,) = _resources(bundle, "QuestionnaireResponse")
    assert response.status == "completed" and response.item is None


def test_the_csv_names_each_answer_s_check_in(alice_client, checked_in):
    rows = {row["id"]: row for row in _csv(alice_client) if row["record"] == "diary_entry"}
    for name, check_in in [("first nausea", "first"), ("second fatigue", "second")]:
        assert rows[str(checked_in[name].pk)]["check_in"] == str(checked_in[check_in].pk)
    assert rows[str(checked_in["her own"].pk)]["check_in"] == ""
    assert len(rows) == 5  # Alice's, not Bob's
