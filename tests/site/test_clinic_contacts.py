"""The clinic's own phone numbers: one admin-edited row, shown as tel: links in every care
notice, the summary and the signed-in footer; staff are told when they are not set."""

import pytest
from django.db import IntegrityError
from django.forms import modelform_factory

from portal.models import ClinicContacts, DiaryEntry
from tests.conftest import HX
from tests.diary.test_log import entry_data

pytestmark = pytest.mark.django_db

ACUTE = '<a href="tel:01632960001">01632 960 001</a>'
NURSES = '<a href="tel:+441632960002">+44 (0)1632 960-002</a>'
EMERGENCY = '<a href="tel:999">999</a>'


@pytest.fixture
def contacts(db):
    return ClinicContacts.objects.create(
        clinic_name="Example Cancer Centre",
        acute_oncology_line="01632 960 001",
        breast_care_nurse_line="+44 (0)1632 960-002",
        breast_care_nurse_hours="Monday to Friday, 9am to 5pm",
        emergency_number="999",
    )


def _log(client, symptom, severity: str, headers=None) -> str:
    response = client.post(
        "/diary/entries/new/", entry_data(symptom, severity=severity), headers=headers or {}
    )
    if headers:
        return response.content.decode()
    entry = DiaryEntry.objects.latest("pk")
    return client.get(f"/diary/entries/{entry.pk}/").content.decode()


@pytest.mark.parametrize("headers", [HX, None], ids=["htmx-reply", "entry-page"])
def test_a_contact_notice_names_the_acute_line_and_the_nurses(
    alice_client, symptoms, contacts, headers
):
    html = _log(alice_client, symptoms["fatigue"], "3", headers)
    notice = html[html.index('class="care-notice"') :]
    notice = notice[: notice.index("</div>")]
    assert (
        "To reach your care team, call the 24-hour acute oncology line at Example Cancer "
        f"Centre on {ACUTE}." in notice
    )
    assert (
        f"For questions that are not urgent, the breast care nurses are on {NURSES} "
        "(Monday to Friday, 9am to 5pm)." in notice
    )
    assert f"In an emergency, call {EMERGENCY}." in notice


@pytest.mark.parametrize("headers", [HX, None], ids=["htmx-reply", "entry-page"])
def test_an_emergency_notice_names_the_emergency_number_and_the_acute_line(
    alice_client, symptoms, contacts, headers
):
    html = _log(alice_client, symptoms["seizures"], "1", headers)
    notice = html[html.index('class="care-notice care-notice-emergency"') :]
    notice = notice[: notice.index("</div>")]
    assert f"In an emergency, call {EMERGENCY}." in notice
    assert (
        "For urgent advice day or night, call the 24-hour acute oncology line at Example "
        f"Cancer Centre on {ACUTE}." in notice
    )
    assert "breast care nurses" not in notice


def test_without_numbers_a_notice_keeps_the_generic_wording(alice_client, symptoms):
    html = _log(alice_client, symptoms["seizures"], "1", HX)
    assert "In an emergency, call emergency services." in html
    assert "tel:" not in html


def test_the_footer_carries_the_numbers_on_a_signed_in_page(alice_client, contacts):
    html = alice_client.get("/appointments/").content.decode()
    footer = html[html.index('<footer class="site-footer') :]
    assert "Example Cancer Centre: 24-hour acute oncology line" in footer
    for link in (ACUTE, NURSES, EMERGENCY):
        assert link in footer


def test_signed_out_pages_show_no_clinic_numbers(client, article, contacts):
    # The acute oncology line is for the clinic's own patients.
    assert "tel:" not in client.get("/learn/").content.decode()


def test_the_summary_carries_the_numbers(alice_client, contacts):
    html = alice_client.get("/summary/").content.decode()
    head = html[html.index('<header class="summary-head">') :]
    head = head[: head.index("</header>")]
    assert '<p class="summary-contacts">Example Cancer Centre' in head
    for link in (ACUTE, NURSES, EMERGENCY):
        assert link in head


def test_staff_are_told_when_the_numbers_are_not_set(staff_client):
    html = staff_client.get("/appointments/").content.decode()
    assert "Your clinic has not set its phone numbers" in html
    assert '<a href="/staff-admin/portal/cliniccontacts/">Set them in the admin</a>' in html
    assert "Your clinic has not set its phone numbers" in (
        staff_client.get("/staff-admin/").content.decode()
    )
    # The link opens the form to add them, and then the one row to change.
    response = staff_client.get("/staff-admin/portal/cliniccontacts/")
    assert response.url == "/staff-admin/portal/cliniccontacts/add/"


def test_staff_are_not_told_once_the_numbers_are_set(staff_client, contacts):
    assert (
        "has not set its phone numbers" not in staff_client.get("/appointments/").content.decode()
    )
    response = staff_client.get("/staff-admin/portal/cliniccontacts/")
    assert response.url == "/staff-admin/portal/cliniccontacts/1/change/"


def test_patients_are_not_told_about_the_admin(alice_client):
    html = alice_client.get("/appointments/").content.decode()
    assert "has not set its phone numbers" not in html
    assert "staff-admin" not in html


def test_the_admin_allows_one_row_and_no_deleting(staff_client, contacts):
    assert staff_client.get("/staff-admin/portal/cliniccontacts/add/").status_code == 403
    assert staff_client.get("/staff-admin/portal/cliniccontacts/1/delete/").status_code == 403


def test_the_database_refuses_a_second_row(contacts):
    with pytest.raises(IntegrityError):
        ClinicContacts.objects.create(
            id=2, clinic_name="Another", acute_oncology_line="123", emergency_number="112"
        )


def test_a_fresh_install_has_no_numbers(db):
    contacts = ClinicContacts.load()
    assert contacts.pk == 1 and contacts._state.adding
    assert not contacts.is_set
    assert contacts.emergency_number == ""


ContactsForm = modelform_factory(
    ClinicContacts,
    fields=[
        "clinic_name",
        "acute_oncology_line",
        "breast_care_nurse_line",
        "breast_care_nurse_hours",
        "emergency_number",
    ],
)
GOOD = {
    "clinic_name": "Example Cancer Centre",
    "acute_oncology_line": "+44 (0)1632 960-001",
    "breast_care_nurse_line": "",
    "breast_care_nurse_hours": "",
    "emergency_number": "112",
}


def test_the_admin_form_takes_good_numbers(db):
    form = ContactsForm(GOOD)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("acute_oncology_line", "call 01632 960001"),
        ("acute_oncology_line", "01632 960 001 ext. 4"),
        ("acute_oncology_line", "01632+960001"),
        ("acute_oncology_line", "99"),
        ("breast_care_nurse_line", "nurses"),
        ("emergency_number", "9 9"),
    ],
)
def test_the_admin_form_refuses_a_bad_number(db, field, value):
    form = ContactsForm({**GOOD, field: value, "breast_care_nurse_hours": "9 to 5"})
    assert not form.is_valid()
    assert form.errors[field] == [
        "Enter a phone number: digits, spaces, brackets and hyphens, a + only at the start, "
        "and at least 3 digits."
    ]


@pytest.mark.parametrize("field", ["clinic_name", "acute_oncology_line", "emergency_number"])
def test_the_admin_form_requires_the_name_the_acute_line_and_the_emergency_number(db, field):
    form = ContactsForm({**GOOD, field: ""})
    assert not form.is_valid()
    assert form.errors[field] == ["This field is required."]


def test_a_nurse_line_needs_its_hours(db):
    form = ContactsForm({**GOOD, "breast_care_nurse_line": "01632 960 002"})
    assert not form.is_valid()
    assert "Say when the breast care nurse line is answered." in form.non_field_errors()


def test_the_demo_sets_fictional_numbers_and_keeps_a_clinics_own(settings, contacts):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("create_demo_patient", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ClinicContacts.load().clinic_name == "Example Cancer Centre"
    ClinicContacts.objects.all().delete()
    call_command("create_demo_patient", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = ClinicContacts.load()
    assert demo.clinic_name == "Demo Cancer Centre (fictional 01632 numbers)"
    assert demo.acute_oncology_line.startswith("01632 960")
    assert demo.breast_care_nurse_line.startswith("01632 960")
    assert demo.emergency_number == "999"


@pytest.mark.parametrize(
    ("number", "uri"),
    [
        ("01632 960 001", "tel:01632960001"),
        ("+44 1632 960001", "tel:+441632960001"),
        ("+44 (0)1632 960-001", "tel:+441632960001"),
        ("(01632) 960001", "tel:01632960001"),
        ("999", "tel:999"),
        ("", ""),
    ],
)
def test_a_tel_link_dials_the_digits_only(number, uri):
    from portal.models import tel_uri

    assert tel_uri(number) == uri
