"""Appointments: list, add, edit, delete with confirmation; only ever the patient's own."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Appointment, AuditEvent
from tests.conftest import local

REAL_DATE = (
    "Enter the date and time of the appointment as a real date and time, for example "
    "14/12/2026, 10:30."
)


@pytest.fixture
def bobs_appointment(bob):
    return Appointment.objects.create(
        patient=bob, starts_at=timezone.now() + timedelta(days=2), with_whom="Dr Bob's doctor"
    )


@pytest.fixture
def alices_appointment(alice):
    return Appointment.objects.create(
        patient=alice,
        starts_at=local(timezone.localdate() + timedelta(days=3), 10, 30),
        with_whom="Dr Okafor",
        location="Outpatients",
        purpose="Scan results",
    )


def test_list_shows_upcoming_and_past_appointments(alice_client, alice, alices_appointment):
    Appointment.objects.create(
        patient=alice, starts_at=timezone.now() - timedelta(days=20), with_whom="Dr Past"
    )
    response = alice_client.get("/appointments/")
    assert response.status_code == 200
    assert [a.with_whom for a in response.context["upcoming"]] == ["Dr Okafor"]
    assert [a.with_whom for a in response.context["past"]] == ["Dr Past"]
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in response.content.decode()


def test_list_never_shows_bobs_appointments(alice_client, bobs_appointment):
    html = alice_client.get("/appointments/").content.decode()
    assert "Dr Bob" not in html
    assert "No appointments coming up." in html


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_patient_adds_an_appointment(alice_client, alice, headers):
    response = alice_client.post(
        "/appointments/new/",
        {
            "starts_at": "2026-12-14T10:30",
            "with_whom": "Dr Okafor",
            "location": "Level 2",
            "purpose": "Review",
            "notes": "",
        },
        headers=headers,
    )
    assert response.status_code == 302
    assert response["Location"] == "/appointments/"
    appointment = Appointment.objects.get()
    assert appointment.patient == alice
    assert timezone.localtime(appointment.starts_at).strftime("%Y-%m-%d %H:%M") == (
        "2026-12-14 10:30"
    )


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("", "Enter the date and time of the appointment."),
        ("tomorrow", REAL_DATE),
        ("1850-01-01T10:00", "The date of the appointment must be between 2000 and 2100."),
        ("9" * 5000, REAL_DATE),
    ],
)
def test_a_bad_date_is_an_inline_error_and_saves_nothing(alice_client, starts_at, message):
    response = alice_client.post("/appointments/new/", {"starts_at": starts_at})
    assert response.status_code == 400
    html = response.content.decode()
    _assert_error_next_to_the_field(html, "starts_at", message)
    assert Appointment.objects.count() == 0


def _assert_error_next_to_the_field(html: str, field: str, message: str) -> None:
    """The error beside its field (tied to it by aria-describedby) and in the summary, as a
    link to the field; and that nothing was saved."""
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    assert re.search(rf'id="id_{field}"[^>]*aria-describedby="[^"]*id_{field}_error', html) or (
        re.search(rf'aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', html)
    )
    assert 'aria-invalid="true"' in html
    assert '<h2 class="error-summary-title" id="form-errors-title">There is a problem</h2>' in html
    assert f'<a href="#id_{field}">' in html
    assert "Nothing has been saved yet." in html
    assert "This field is required." not in html
    assert "<title>Error: " in html  # GOV.UK: the page title says so first


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("with_whom", "Who it is with must be 200 characters or fewer."),
        ("location", "Where it is must be 200 characters or fewer."),
        ("purpose", "What it is for must be 200 characters or fewer."),
    ],
)
def test_each_field_says_what_is_wrong_with_it(alice_client, field, message):
    data = {"starts_at": "2026-12-14T10:30", field: "x" * 201}
    response = alice_client.post("/appointments/new/", data)
    assert response.status_code == 400
    _assert_error_next_to_the_field(response.content.decode(), field, message)
    assert Appointment.objects.count() == 0


def test_notes_too_long_say_so(alice_client):
    data = {"starts_at": "2026-12-14T10:30", "notes": "x" * 2001}
    response = alice_client.post("/appointments/new/", data)
    message = "Your notes must be 2,000 characters or fewer."
    _assert_error_next_to_the_field(response.content.decode(), "notes", message)


def test_a_bad_edit_says_what_to_enter_and_changes_nothing(alice_client, alices_appointment):
    response = alice_client.post(f"/appointments/{alices_appointment.pk}/edit/", {"starts_at": ""})
    assert response.status_code == 400
    html = response.content.decode()
    _assert_error_next_to_the_field(
        html, "starts_at", "Enter the date and time of the appointment."
    )
    alices_appointment.refresh_from_db()
    assert alices_appointment.with_whom == "Dr Okafor"


def test_free_text_is_escaped(alice_client, alice):
    Appointment.objects.create(
        patient=alice, starts_at=timezone.now() + timedelta(days=1), notes="<script>x()</script>"
    )
    html = alice_client.get("/appointments/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html


def test_patient_edits_an_appointment(alice_client, alices_appointment):
    url = f"/appointments/{alices_appointment.pk}/edit/"
    assert 'value="Dr Okafor"' in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"starts_at": "2026-12-15T09:00", "with_whom": "Dr Lee"})
    assert response.status_code == 302
    alices_appointment.refresh_from_db()
    assert alices_appointment.with_whom == "Dr Lee"


def test_delete_asks_for_confirmation_then_deletes(alice_client, alices_appointment):
    url = f"/appointments/{alices_appointment.pk}/delete/"
    response = alice_client.get(url)
    assert response.status_code == 200
    assert "Delete this appointment?" in response.content.decode()
    assert Appointment.objects.count() == 1
    response = alice_client.post(url)
    assert response.status_code == 302
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "edit/"), ("post", "edit/"), ("get", "delete/"), ("post", "delete/")],
)
def test_bobs_appointment_is_a_404_for_alice_and_nothing_changes(
    alice_client, alice, bobs_appointment, method, path, headers
):
    url = f"/appointments/{bobs_appointment.pk}/{path}"
    data = {"starts_at": "2026-12-15T09:00", "with_whom": "changed"} if method == "post" else {}
    response = getattr(alice_client, method)(url, data, headers=headers)
    assert response.status_code == 404
    bobs_appointment.refresh_from_db()
    assert bobs_appointment.with_whom == "Dr Bob's doctor"
    event = AuditEvent.objects.get(action="appointment.access")
    assert event.outcome == "denied"
    assert (event.actor_id, event.record_type) == (alice.pk, "portal.appointment")
    assert event.record_id == str(bobs_appointment.pk)


@pytest.mark.parametrize("digits", [19, 30, 100])
def test_an_enormous_id_is_a_404_not_a_500(alice_client, digits):
    assert alice_client.get(f"/appointments/{'9' * digits}/edit/").status_code == 404
    assert AuditEvent.objects.get().record_id == "9" * min(digits, 64)


def test_home_shows_no_appointment_and_is_not_cached(alice_client, alices_appointment):
    # Home is a calm start with no query of its own (issue 16, 17): her appointments are
    # on /appointments/. It is still never cached: its messages are hers.
    response = alice_client.get("/")
    assert "Dr Okafor" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_list_query_count_does_not_grow_with_the_list(
    alice_client, alice, django_assert_num_queries
):
    def make(count: int) -> None:
        Appointment.objects.bulk_create(
            Appointment(patient=alice, starts_at=timezone.now() + timedelta(days=day - 25))
            for day in range(count)
        )

    make(1)
    with django_assert_num_queries(5):  # session, user, upcoming, past, the clinic's numbers
        alice_client.get("/appointments/")
    make(50)
    with django_assert_num_queries(5):
        alice_client.get("/appointments/")


def test_home_never_shows_bobs_next_appointment(alice_client, bobs_appointment):
    html = alice_client.get("/").content.decode()
    assert "Your next appointment" not in html
    assert "Dr Bob" not in html


def test_home_and_nav_link_to_the_new_pages(alice_client):
    html = alice_client.get("/").content.decode()
    for href in ('href="/summary/"', 'href="/appointments/"', 'href="/questions/"'):
        assert href in html
    nav = alice_client.get("/appointments/").content.decode().split("</nav>")[0]
    assert '<a href="/appointments/" aria-current="page">Appointments</a>' in nav


def test_adding_editing_and_deleting_are_in_the_audit_trail(alice_client, alice):
    """Ids and actions only: no appointment text in the trail."""
    alice_client.post(
        "/appointments/new/", {"starts_at": "2026-12-15T09:00", "with_whom": "Dr Lee"}
    )
    appointment = Appointment.objects.get()
    alice_client.post(
        f"/appointments/{appointment.pk}/edit/",
        {"starts_at": "2026-12-15T10:00", "with_whom": "Dr Lee"},
    )
    alice_client.post(f"/appointments/{appointment.pk}/delete/")
    events = AuditEvent.objects.filter(action__startswith="appointment.").order_by("pk")
    assert [(e.action, e.record_id, e.actor_id, e.outcome) for e in events] == [
        (f"appointment.{action}", str(appointment.pk), alice.pk, "success")
        for action in ("create", "edit", "delete")
    ]
    assert all("Lee" not in str(vars(e)) for e in events)


def test_the_delete_confirmation_is_a_danger_button_and_a_way_back(
    alice_client, alices_appointment
):
    html = alice_client.get(f"/appointments/{alices_appointment.pk}/delete/").content.decode()
    assert '<button type="submit" class="button button-danger">Yes, delete it</button>' in html
    assert '<a href="/appointments/">No, keep it</a>' in html
