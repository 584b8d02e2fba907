"""A clinician signs off each symptom's guidance in the admin (who, when); an edit to the
guidance clears it; patients read 'Reviewed by …' only once it is signed."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from education.models import Symptom
from tests.conftest import HX, pass_second_factor
from tests.diary.test_log import entry_data

pytestmark = pytest.mark.django_db

LIST = "/staff-admin/education/symptom/"


def _staff(django_user_model, username: str, *, may_sign: bool):
    staff = django_user_model.objects.create_user(
        username,
        password="staff-password-123",
        is_staff=True,
        first_name="Priya",
        last_name="Shah, clinical nurse specialist",
    )
    codenames = ["view_symptom", "change_symptom"] + (["sign_off_guidance"] * may_sign)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="education", codename__in=codenames)
    )
    return staff


@pytest.fixture
def clinician(client, django_user_model):
    staff = _staff(django_user_model, "clinician", may_sign=True)
    pass_second_factor(client, staff)
    return staff


def _sign(client, *symptoms):
    return client.post(
        LIST,
        {"action": "sign_off_guidance", "_selected_action": [s.pk for s in symptoms]},
        follow=True,
    )


def test_the_action_records_who_signed_and_when(client, clinician, symptoms):
    seizures, fatigue = symptoms["seizures"], symptoms["fatigue"]
    before = timezone.now()
    response = _sign(client, seizures, fatigue)
    assert "Signed off the guidance of 1 symptom as Priya Shah" in response.content.decode()
    assert "1 had no guidance to sign." in response.content.decode()
    seizures.refresh_from_db()
    assert seizures.guidance_signed_off_by == clinician
    assert seizures.guidance_signed_off_by_name == "Priya Shah, clinical nurse specialist"
    assert before <= seizures.guidance_signed_off_at <= timezone.now()
    fatigue.refresh_from_db()
    assert not fatigue.is_signed_off  # routine, no guidance text


def test_the_list_shows_and_filters_what_is_unsigned(client, clinician, symptoms):
    _sign(client, symptoms["seizures"])
    unsigned = client.get(LIST, {"signed_off": "no"}).content.decode()
    signed = client.get(LIST, {"signed_off": "yes"}).content.decode()
    assert ">Seizures</a>" in signed and ">Seizures</a>" not in unsigned
    assert ">Chest pain</a>" in unsigned and ">Chest pain</a>" not in signed
    assert "Not signed off" in unsigned  # the filter's choice
    # A symptom without guidance has nothing to sign: it is in neither list.
    assert ">Fatigue</a>" not in unsigned and ">Fatigue</a>" not in signed


def test_editing_the_guidance_in_the_admin_clears_the_sign_off(client, clinician, symptoms):
    seizures = symptoms["seizures"]
    _sign(client, seizures)
    form = client.get(f"{LIST}{seizures.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "guidance_text": seizures.guidance_text + " Edited.",
            "symptom_sections-TOTAL_FORMS": "0",
            "symptom_sections-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"{LIST}{seizures.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    seizures.refresh_from_db()
    assert seizures.guidance_text.endswith(" Edited.")
    assert not seizures.is_signed_off
    assert seizures.guidance_signed_off_by is None
    assert seizures.guidance_signed_off_by_name == ""


def test_saving_without_touching_the_guidance_keeps_the_sign_off(clinician, symptoms):
    seizures = Symptom.objects.get(slug="seizures")
    seizures.sign_off(clinician)
    seizures.save()
    seizures = Symptom.objects.get(slug="seizures")
    seizures.synonyms += "\nconvulsion"
    seizures.save()
    assert Symptom.objects.get(slug="seizures").is_signed_off
    seizures.urgency = "contact"
    seizures.save()
    assert not Symptom.objects.get(slug="seizures").is_signed_off


def test_staff_without_the_permission_cannot_sign_off(client, django_user_model, symptoms):
    staff = _staff(django_user_model, "receptionist", may_sign=False)
    pass_second_factor(client, staff)
    assert "sign_off_guidance" not in client.get(LIST).content.decode()
    _sign(client, symptoms["seizures"])
    assert not Symptom.objects.get(slug="seizures").is_signed_off


def test_patients_see_the_source_without_a_reviewer_until_signed(alice_client, symptoms):
    html = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["seizures"], severity="1"), headers=HX
    ).content.decode()
    assert (
        "Source of this guidance: Portal default based on the article&#x27;s symptom lists." in html
    )
    assert "pending review" not in html
    assert "Reviewed by" not in html


def test_patients_see_who_reviewed_the_guidance_and_when(alice_client, django_user_model, symptoms):
    seizures = symptoms["seizures"]
    clinician = _staff(django_user_model, "clinician", may_sign=True)
    seizures.sign_off(clinician)
    seizures.guidance_signed_off_at = timezone.make_aware(datetime(2026, 11, 3, 10, 0))
    seizures.save()
    html = alice_client.post(
        "/diary/entries/new/", entry_data(seizures, severity="1"), headers=HX
    ).content.decode()
    assert "Source of this guidance: Portal default" in html
    assert (
        '<p class="meta">Reviewed by Priya Shah, clinical nurse specialist on 3 November 2026.</p>'
        in html
    )
