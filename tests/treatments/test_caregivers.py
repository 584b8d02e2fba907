"""Treatments in a diary someone helps with: view access reads them, log access also adds,
edits and deletes them as entered by her, as for appointments; all of it on the patient's
activity page, none of it with a treatment's name."""

from datetime import date

import pytest
from django.test import Client

from portal.models import AuditEvent, CaregiverGrant, Treatment
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX, make_patient

pytestmark = pytest.mark.django_db

VALID = {"name": "Palbociclib", "kind": "cdk46", "started_on": "2026-02-03"}


@pytest.fixture
def dana(db):
    return make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")


@pytest.fixture
def alices_treatment(alice):
    return Treatment.objects.create(
        patient=alice, name="Alices letrozole", kind="hormone", started_on=date(2025, 1, 2)
    )


def _client_in_alices_diary(alice, dana, access) -> Client:
    client = Client()
    client.force_login(dana)
    enter(client, make_grant(alice, dana, access))
    return client


@pytest.mark.parametrize("access", [CaregiverGrant.Access.VIEW, CaregiverGrant.Access.LOG])
def test_a_caregiver_reads_the_patients_treatments_not_her_own(
    alice, dana, alices_treatment, access
):
    Treatment.objects.create(patient=dana, name="Danas own", started_on=date(2025, 1, 2))
    client = _client_in_alices_diary(alice, dana, access)
    response = client.get("/treatments/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are in <strong>Alice\u2019s diary</strong>" in html
    assert "Alices letrozole" in html and "Danas own" not in html
    can_log = access == CaregiverGrant.Access.LOG
    assert ('href="/treatments/new/"' in html) is can_log
    assert (f'href="/treatments/{alices_treatment.pk}/edit/"' in html) is can_log
    event = AuditEvent.objects.get(action="treatment.view")
    assert (event.actor_id, event.patient_id, event.record_type) == (
        dana.pk,
        alice.pk,
        "treatments",
    )
    activity = Client()
    activity.force_login(alice)
    assert "Dana Doe viewed your treatments" in activity.get("/account/activity/").content.decode()


def test_the_patients_own_reading_is_not_in_the_trail(alice_client, alices_treatment):
    alice_client.get("/treatments/")
    assert not AuditEvent.objects.filter(action="treatment.view").exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "new/", {}),
        ("post", "new/", VALID),
        ("get", "{pk}/edit/", {}),
        ("post", "{pk}/edit/", VALID),
        ("get", "{pk}/delete/", {}),
        ("post", "{pk}/delete/", {}),
    ],
)
def test_view_access_cannot_add_change_or_delete(
    alice, dana, alices_treatment, method, path, data, htmx
):
    client = _client_in_alices_diary(alice, dana, CaregiverGrant.Access.VIEW)
    before = list(Treatment.objects.values())
    url = "/treatments/" + path.format(pk=alices_treatment.pk)
    response = getattr(client, method)(url, data, headers=HX if htmx else {})
    assert response.status_code == 403
    assert "You can see Alice\u2019s diary but not add to it" in response.content.decode()
    assert list(Treatment.objects.values()) == before
    denied = AuditEvent.objects.get(actor_id=dana.pk, outcome=AuditEvent.Outcome.DENIED)
    assert denied.patient_id == alice.pk


def test_log_access_adds_edits_and_deletes_as_entered_by_her(alice, dana, alices_treatment):
    client = _client_in_alices_diary(alice, dana, CaregiverGrant.Access.LOG)
    assert client.post("/treatments/new/", VALID).status_code == 302
    added = Treatment.objects.get(name="Palbociclib")
    assert (added.patient, added.entered_by) == (alice, dana)
    assert "Entered by Dana Doe" in client.get("/treatments/").content.decode()

    edit = {**VALID, "name": "Alices letrozole", "kind": "hormone", "stopped_on": "2026-03-01"}
    assert client.post(f"/treatments/{alices_treatment.pk}/edit/", edit).status_code == 302
    alices_treatment.refresh_from_db()
    assert (alices_treatment.stopped_on, alices_treatment.entered_by) == (date(2026, 3, 1), dana)

    assert client.post(f"/treatments/{added.pk}/delete/").status_code == 302
    assert not Treatment.objects.filter(pk=added.pk).exists()
    assert not Treatment.objects.filter(patient=dana).exists()

    events = AuditEvent.objects.filter(action__startswith="treatment.").exclude(
        action="treatment.view"
    )
    assert [(e.action, e.actor_id, e.patient_id) for e in events.order_by("pk")] == [
        ("treatment.create", dana.pk, alice.pk),
        ("treatment.edit", dana.pk, alice.pk),
        ("treatment.delete", dana.pk, alice.pk),
    ]
    assert all("letrozole" not in str(vars(e)).lower() for e in events)
    activity = Client()
    activity.force_login(alice)
    html = activity.get("/account/activity/").content.decode()
    for what in ("added a treatment", "changed a treatment", "deleted a treatment"):
        assert f"Dana Doe {what}" in html


def test_a_caregiver_cannot_reach_another_patients_treatment(alice, bob, dana):
    bobs = Treatment.objects.create(patient=bob, name="Bobs drug", started_on=date(2025, 1, 2))
    client = _client_in_alices_diary(alice, dana, CaregiverGrant.Access.LOG)
    assert client.get(f"/treatments/{bobs.pk}/edit/").status_code == 404
    assert client.post(f"/treatments/{bobs.pk}/delete/").status_code == 404
    assert Treatment.objects.filter(pk=bobs.pk).exists()
