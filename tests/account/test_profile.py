"""Your details: date of birth, hospital number and NHS number for the appointment summary,
set by the patient in My account, made on the first save, each bad value a field error."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import AuditEvent, CaregiverGrant, PatientProfile
from tests.account.test_pages import assert_our_page
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX, make_patient

pytestmark = pytest.mark.django_db

URL = "/account/details/"
VALID = {
    "date_of_birth": "1968-03-27",
    "hospital_number": "RSC 123456",
    "nhs_number": "943 476 5919",
    "show_to_caregivers": "on",
}


def test_the_page_is_in_my_account_and_makes_no_profile_until_saved(alice_client, alice):
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Your details</h1>" in html
    assert_our_page(html, URL)
    assert 'href="/account/details/" aria-current="page">Your details</a>' in html
    assert 'hx-history="false"' in html
    assert "no-store" in response["Cache-Control"]
    for name in ("date_of_birth", "hospital_number", "nhs_number", "show_to_caregivers"):
        assert f'name="{name}"' in html
    assert 'for="id_nhs_number"' in html and 'inputmode="numeric"' in html
    assert not PatientProfile.objects.exists()
    assert 'href="/account/details/"' in alice_client.get("/account/").content.decode()


def test_the_first_save_makes_the_profile_with_the_nhs_number_as_ten_digits(alice_client, alice):
    response = alice_client.post(URL, VALID)
    assert response.status_code == 302
    assert response["Location"] == URL
    profile = PatientProfile.objects.get()
    assert (
        profile.patient,
        profile.date_of_birth,
        profile.hospital_number,
        profile.nhs_number,
        profile.show_to_caregivers,
    ) == (alice, date(1968, 3, 27), "RSC 123456", "9434765919", True)
    html = alice_client.get(URL).content.decode()
    assert "Your details are saved." in html
    assert 'value="943 476 5919"' in html  # shown as her letters print it
    assert 'value="1968-03-27"' in html


def test_saving_again_changes_the_same_profile_and_can_clear_it(alice_client, alice):
    alice_client.post(URL, VALID)
    response = alice_client.post(URL, {"hospital_number": "  X99  "})
    assert response.status_code == 302
    profile = PatientProfile.objects.get()
    assert (
        profile.date_of_birth,
        profile.hospital_number,
        profile.nhs_number,
        profile.show_to_caregivers,
    ) == (None, "X99", "", False)


def test_every_save_is_audited_with_ids_only(alice_client, alice):
    alice_client.post(URL, VALID)
    alice_client.post(URL, {**VALID, "hospital_number": "RSC 654321"})
    profile = PatientProfile.objects.get()
    events = AuditEvent.objects.filter(action__startswith="profile.").order_by("pk")
    assert [(e.action, e.record_type, e.record_id, e.actor_id, e.patient_id) for e in events] == [
        (action, "portal.patientprofile", str(profile.pk), alice.pk, alice.pk)
        for action in ("profile.create", "profile.edit")
    ]
    for event in events:
        text = str(vars(event))
        assert "9434765919" not in text and "RSC" not in text and "1968" not in text
    activity = alice_client.get("/account/activity/").content.decode()
    assert "Your details were saved" in activity and "Your details were changed" in activity


def test_with_htmx_a_save_returns_the_form_and_announces_it(alice_client, alice):
    response = alice_client.post(URL, VALID, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="profile-form">')
    assert "<html" not in html
    assert 'value="943 476 5919"' in html
    assert (
        '<p id="profile-status" class="visually-hidden" role="status" hx-swap-oob="true">'
        "Your details are saved.</p>"
    ) in html
    assert "HX-Request" in response["Vary"]
    assert PatientProfile.objects.get().nhs_number == "9434765919"


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


BAD = [
    ({"date_of_birth": _tomorrow}, "date_of_birth", "Your date of birth cannot be in the future."),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future."),
    ({"date_of_birth": "1899-12-31"}, "date_of_birth", "Enter a date of birth in 1900 or later."),
    ({"date_of_birth": "1970-02-31"}, "date_of_birth", "Enter your date of birth as a date"),
    ({"date_of_birth": "yesterday"}, "date_of_birth", "Enter your date of birth as a date"),
    (
        {"nhs_number": "9434765918"},
        "nhs_number",
        "This is not a valid NHS number: please check the digits.",
    ),
    (
        {"nhs_number": "943 476 5918"},
        "nhs_number",
        "This is not a valid NHS number: please check the digits.",
    ),
    # 100000001 has 10 as its check digit: no NHS number starts so.
    ({"nhs_number": "1000000010"}, "nhs_number", "This is not a valid NHS number"),
    ({"nhs_number": "94347659"}, "nhs_number", "Enter the 10 digits of your NHS number."),
    ({"nhs_number": "94347659190"}, "nhs_number", "Enter the 10 digits of your NHS number."),
    ({"nhs_number": "943-476-5919"}, "nhs_number", "Enter the 10 digits of your NHS number."),
    ({"nhs_number": "943476591x"}, "nhs_number", "Enter the 10 digits of your NHS number."),
    # Arabic-Indic and full-width digits pass "\d" but not the database's [0-9].
    (
        {"nhs_number": "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669"},
        "nhs_number",
        "Enter the 10 digits of your NHS number.",
    ),
    (
        {"nhs_number": "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19"},
        "nhs_number",
        "Enter the 10 digits of your NHS number.",
    ),
    ({"nhs_number": "9" * 21}, "nhs_number", "Ensure this value has at most 20 characters"),
    ({"hospital_number": "H" * 31}, "hospital_number", "at most 30 characters"),
    ({"hospital_number": "nul \x00"}, "hospital_number", "Null characters are not allowed."),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD)
@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 200)], ids=["plain", "htmx"])
def test_a_bad_value_is_an_error_next_to_its_field_and_nothing_is_saved(
    alice_client, alice, data, field, message, headers, status
):
    data = {key: value() if callable(value) else value for key, value in data.items()}
    response = alice_client.post(URL, {**VALID, **data}, headers=headers)
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert f'<ul class="errorlist" id="id_{field}_error">' in html
    assert f'href="#id_{field}"' in html  # the error summary links to it
    assert 'aria-invalid="true"' in html
    if headers:
        assert html.lstrip().startswith('<div id="profile-form">')
    assert not PatientProfile.objects.exists()


def test_a_bad_value_leaves_the_saved_profile_as_it_was(alice_client, alice):
    alice_client.post(URL, VALID)
    response = alice_client.post(
        URL, {**VALID, "hospital_number": "NEW 1", "nhs_number": "9434765918"}
    )
    assert response.status_code == 400
    profile = PatientProfile.objects.get()
    assert (profile.hospital_number, profile.nhs_number) == ("RSC 123456", "9434765919")
    assert AuditEvent.objects.filter(action="profile.edit").count() == 0


@pytest.mark.parametrize(
    ("born", "nhs_number"),
    [
        (lambda: timezone.localdate(), "1000000060"),  # check digit 11 is written 0
        (lambda: date(1900, 1, 1), " 943 476 5919 "),
    ],
)
def test_the_edges_are_accepted(alice_client, alice, born, nhs_number):
    response = alice_client.post(
        URL, {"date_of_birth": born().isoformat(), "nhs_number": nhs_number}
    )
    assert response.status_code == 302
    profile = PatientProfile.objects.get()
    assert profile.date_of_birth == born()
    assert profile.nhs_number == "".join(nhs_number.split())


def test_the_date_of_birth_may_be_typed_day_first(alice_client, alice):
    assert alice_client.post(URL, {"date_of_birth": "27/03/1968"}).status_code == 302
    assert PatientProfile.objects.get().date_of_birth == date(1968, 3, 27)


def test_a_caregiver_in_a_diary_she_helps_with_sets_her_own_details_not_the_patients(alice, bob):
    """My account is the account's own: the grant lets her into alice's diary only."""
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    PatientProfile.objects.create(patient=alice, hospital_number="ALICE-1")
    client = Client()
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.LOG))
    html = client.get(URL).content.decode()
    assert "ALICE-1" not in html
    assert client.post(URL, {"hospital_number": "DANA-1"}).status_code == 302
    assert PatientProfile.objects.get(patient=alice).hospital_number == "ALICE-1"
    assert PatientProfile.objects.get(patient=dana).hospital_number == "DANA-1"
    event = AuditEvent.objects.get(action="profile.create")
    assert (event.actor_id, event.patient_id) == (dana.pk, dana.pk)


def test_bobs_details_never_reach_alice(alice_client, alice, bob):
    PatientProfile.objects.create(
        patient=bob,
        hospital_number="BOB-77",
        nhs_number="9434765919",
        date_of_birth=date(1950, 1, 2),
    )
    html = alice_client.get(URL).content.decode()
    assert "BOB-77" not in html and "943 476 5919" not in html and "1950-01-02" not in html
    alice_client.post(URL, {"hospital_number": "ALICE-1"})
    assert PatientProfile.objects.get(patient=bob).hospital_number == "BOB-77"


def test_the_page_costs_the_same_queries_with_or_without_a_profile(
    alice_client, alice, django_assert_num_queries
):
    # session, user, her profile, the clinic's numbers for the footer
    with django_assert_num_queries(4):
        alice_client.get(URL)
    PatientProfile.objects.create(patient=alice, nhs_number="9434765919")
    with django_assert_num_queries(4):
        alice_client.get(URL)


def test_deleting_the_account_deletes_the_profile(alice_client, alice):
    alice_client.post(URL, VALID)
    response = alice_client.post(
        "/account/delete/", {"password": "alice-password-123", "understood": "on"}
    )
    assert response.status_code == 302
    assert not PatientProfile.objects.exists()


def test_the_page_needs_get_or_post(alice_client):
    assert alice_client.put(URL).status_code == 405
