"""Appointments in her calendar: an .ics file per appointment, and a private feed address
that calendar apps fetch without signing in. Titles say "Appointment", the time and the
place she entered, and nothing else."""

import re
from datetime import timedelta

import pytest
import vobject
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from portal.models import Appointment, AuditEvent, CalendarFeed, CaregiverGrant, token_hash
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import entry, local, make_patient

pytestmark = pytest.mark.django_db

FEED_ADDRESS = re.compile(r"http://testserver(/calendar/feed/[A-Za-z0-9_-]{43}\.ics)")
PRIVATE_WORDS = ("Dr Okafor", "Scan results", "bone pain", "private note", "Nausea", "nausea")


@pytest.fixture
def alices_appointment(alice):
    return Appointment.objects.create(
        patient=alice,
        starts_at=local(timezone.localdate() + timedelta(days=3), 10, 30),
        with_whom="Dr Okafor",
        location="Outpatients, Level 2",
        purpose="Scan results",
        notes="Ask about the nausea and my private note",
    )


@pytest.fixture
def bobs_appointment(bob):
    return Appointment.objects.create(
        patient=bob, starts_at=timezone.now() + timedelta(days=2), location="Bob's clinic"
    )


@pytest.fixture
def dana(db):
    return make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")


def events(content: bytes) -> list:
    return list(Calendar.from_ical(content).walk("VEVENT"))


def make_address(client) -> str:
    """Makes (or resets) her calendar address and returns its path, read off the page."""
    response = client.post("/calendar/feed/reset/")
    assert response.status_code == 200
    return FEED_ADDRESS.search(response.content.decode()).group(1)


# One appointment as a file ----------------------------------------------------------------


def test_the_download_is_an_appointment_with_its_time_and_place(alice_client, alices_appointment):
    response = alice_client.get(f"/calendar/appointments/{alices_appointment.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    assert "no-store" in response["Cache-Control"]
    [event] = events(response.content)
    assert str(event["SUMMARY"]) == "Appointment"
    assert event.start == alices_appointment.starts_at
    assert event.end - event.start == timedelta(hours=1)
    assert event.start.utcoffset() == timedelta(0)
    assert b"DTSTART:" + event.start.strftime("%Y%m%dT%H%M%SZ").encode() in response.content
    assert str(event["LOCATION"]) == "Outpatients, Level 2"
    assert str(event["CLASS"]) == "PRIVATE"
    stamp = event.DTSTAMP
    assert stamp == alices_appointment.updated_at.replace(microsecond=0)


def test_a_second_parser_reads_the_download_the_same(alice_client, alices_appointment):
    content = alice_client.get(f"/calendar/appointments/{alices_appointment.pk}.ics").content
    calendar = vobject.readOne(content.decode())
    [event] = calendar.vevent_list
    assert event.summary.value == "Appointment"
    assert event.dtstart.value == alices_appointment.starts_at
    assert event.dtend.value == alices_appointment.starts_at + timedelta(hours=1)
    assert event.location.value == "Outpatients, Level 2"
    assert calendar.version.value == "2.0" and calendar.prodid.value


def test_the_download_holds_nothing_but_the_title_time_and_place(
    alice_client, alice, alices_appointment, symptoms
):
    entry(alice, symptoms["nausea"], 2, timezone.now(), note="a private note")
    entry(alice, "bone pain", 3, timezone.now())
    content = alice_client.get(f"/calendar/appointments/{alices_appointment.pk}.ics").content
    text = content.decode()
    for words in PRIVATE_WORDS:
        assert words not in text
    [event] = events(content)
    assert "DESCRIPTION" not in event and "ATTENDEE" not in event
    assert set(event) == {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "CLASS", "LOCATION"}


def test_an_appointment_without_a_place_has_no_location(alice_client, alice):
    appointment = Appointment.objects.create(patient=alice, starts_at=timezone.now())
    [event] = events(alice_client.get(f"/calendar/appointments/{appointment.pk}.ics").content)
    assert "LOCATION" not in event
    assert str(event["SUMMARY"]) == "Appointment"


def test_the_uid_stays_the_same_for_an_appointment_and_differs_between_them(
    alice_client, alice, alices_appointment
):
    other = Appointment.objects.create(patient=alice, starts_at=timezone.now())
    url = f"/calendar/appointments/{alices_appointment.pk}.ics"
    [first] = events(alice_client.get(url).content)
    alices_appointment.location = "Ward 3"
    alices_appointment.save()
    [again] = events(alice_client.get(url).content)
    [another] = events(alice_client.get(f"/calendar/appointments/{other.pk}.ics").content)
    assert first["UID"] == again["UID"] != another["UID"]
    assert str(again["LOCATION"]) == "Ward 3"
    assert again.DTSTAMP >= first.DTSTAMP


def test_the_download_is_in_the_audit_trail_by_id(alice_client, alice, alices_appointment):
    alice_client.get(f"/calendar/appointments/{alices_appointment.pk}.ics")
    event = AuditEvent.objects.get(action="calendar.appointment_download")
    assert (event.actor_id, event.record_type) == (alice.pk, "portal.appointment")
    assert event.record_id == str(alices_appointment.pk)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_bobs_appointment_is_a_404_for_alice_and_audited(
    alice_client, alice, bobs_appointment, headers
):
    response = alice_client.get(
        f"/calendar/appointments/{bobs_appointment.pk}.ics", headers=headers
    )
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content and b"Bob" not in response.content
    event = AuditEvent.objects.get(action="appointment.access")
    assert (event.actor_id, event.outcome) == (alice.pk, "denied")
    assert event.record_id == str(bobs_appointment.pk)
    assert not AuditEvent.objects.filter(action="calendar.appointment_download").exists()


def test_the_download_is_a_get_only(alice_client, alices_appointment):
    url = f"/calendar/appointments/{alices_appointment.pk}.ics"
    assert alice_client.post(url).status_code == 405


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_download(client, alices_appointment):
    response = client.get(f"/calendar/appointments/{alices_appointment.pk}.ics")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_download_costs_the_same_queries_whatever_else_she_has(
    alice_client, alice, alices_appointment, django_assert_num_queries
):
    url = f"/calendar/appointments/{alices_appointment.pk}.ics"
    with django_assert_num_queries(4):  # session, user, the appointment, the audit row
        alice_client.get(url)
    Appointment.objects.bulk_create(
        Appointment(patient=alice, starts_at=timezone.now() + timedelta(days=day))
        for day in range(50)
    )
    with django_assert_num_queries(4):
        alice_client.get(url)


@pytest.mark.parametrize("access", [CaregiverGrant.Access.VIEW, CaregiverGrant.Access.LOG])
def test_a_caregiver_downloads_the_patients_appointment(
    client, alice, dana, alices_appointment, access
):
    client.force_login(dana)
    enter(client, make_grant(alice, dana, access))
    response = client.get(f"/calendar/appointments/{alices_appointment.pk}.ics")
    assert response.status_code == 200
    [event] = events(response.content)
    assert str(event["LOCATION"]) == "Outpatients, Level 2"
    audit = AuditEvent.objects.get(action="calendar.appointment_download")
    assert (audit.actor_id, audit.patient_id) == (dana.pk, alice.pk)


def test_a_caregiver_gets_a_404_on_her_own_appointment_while_in_the_patients_diary(
    client, alice, dana
):
    danas = Appointment.objects.create(patient=dana, starts_at=timezone.now())
    client.force_login(dana)
    enter(client, make_grant(alice, dana))
    assert client.get(f"/calendar/appointments/{danas.pk}.ics").status_code == 404


# The appointments page -------------------------------------------------------------------


def test_each_appointment_links_to_its_download_and_the_page_to_the_feed(
    alice_client, alice, alices_appointment
):
    past = Appointment.objects.create(patient=alice, starts_at=timezone.now() - timedelta(days=9))
    html = alice_client.get("/appointments/").content.decode()
    for appointment in (alices_appointment, past):
        assert f'href="/calendar/appointments/{appointment.pk}.ics" download>' in html
    assert 'href="/calendar/"' in html


def test_a_view_only_caregiver_sees_the_downloads_but_not_the_feed(
    client, alice, dana, alices_appointment
):
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.VIEW))
    html = client.get("/appointments/").content.decode()
    assert f'href="/calendar/appointments/{alices_appointment.pk}.ics"' in html
    assert "/edit/" not in html
    assert 'href="/calendar/"' not in html


# The private feed ------------------------------------------------------------------------


def test_she_makes_her_address_and_is_told_to_copy_it_now(alice_client, alice):
    page = alice_client.get("/calendar/").content.decode()
    assert "You have no calendar address." in page
    assert "Make my calendar address" in page
    response = alice_client.post("/calendar/feed/reset/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Copy it now." in html
    path = FEED_ADDRESS.search(html).group(1)
    token = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    assert f'href="webcal://testserver{path}"' in html
    feed = CalendarFeed.objects.get(patient=alice)
    assert feed.token_hash == token_hash(token) != token
    event = AuditEvent.objects.get(action="calendar.feed_create")
    assert event.record_id == str(feed.pk) and token not in event.record_id


def test_the_address_is_never_shown_again(alice_client):
    path = make_address(alice_client)
    page = alice_client.get("/calendar/").content.decode()
    assert path not in page
    assert not re.search(r"/calendar/feed/[A-Za-z0-9_-]{43}", page)
    assert "Reset my calendar address" in page and "Copy it now." not in page


def test_making_the_address_is_a_post(alice_client):
    assert alice_client.get("/calendar/feed/reset/").status_code == 405
    assert alice_client.get("/calendar/feed/stop/").status_code == 405
    assert not CalendarFeed.objects.exists()


def test_a_calendar_app_fetches_the_feed_without_signing_in(
    alice_client, alice, alices_appointment
):
    path = make_address(alice_client)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response and not response.cookies
    [event] = events(response.content)
    assert str(event["SUMMARY"]) == "Appointment"
    assert event.start == alices_appointment.starts_at
    assert str(event["LOCATION"]) == "Outpatients, Level 2"
    calendar = Calendar.from_ical(response.content)
    assert calendar.calendar_name == "Appointments"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.content.decode()
    assert Client().head(path).status_code == 200


def test_the_feed_and_the_download_give_an_appointment_the_same_uid(
    alice_client, alices_appointment
):
    path = make_address(alice_client)
    [in_feed] = events(Client().get(path).content)
    download = alice_client.get(f"/calendar/appointments/{alices_appointment.pk}.ics")
    [downloaded] = events(download.content)
    assert in_feed["UID"] == downloaded["UID"]


def test_the_feed_lists_the_last_90_days_and_everything_to_come_and_only_hers(
    alice_client, alice, bobs_appointment
):
    now = timezone.now()
    for days in (-120, -91, -89, -1, 1, 400):
        Appointment.objects.create(
            patient=alice, starts_at=now + timedelta(days=days), location=f"day {days}"
        )
    content = Client().get(make_address(alice_client)).content
    assert [str(event["LOCATION"]) for event in events(content)] == [
        "day -89",
        "day -1",
        "day 1",
        "day 400",
    ]
    assert b"Bob" not in content
    parsed = vobject.readOne(content.decode())
    assert [event.location.value for event in parsed.vevent_list] == [
        "day -89",
        "day -1",
        "day 1",
        "day 400",
    ]
    assert {event.summary.value for event in parsed.vevent_list} == {"Appointment"}


def test_the_feed_holds_no_symptom_name_or_note(alice_client, alice, alices_appointment, symptoms):
    entry(alice, symptoms["nausea"], 2, timezone.now(), note="a private note")
    entry(alice, "bone pain", 3, timezone.now())
    text = Client().get(make_address(alice_client)).content.decode()
    for words in PRIVATE_WORDS:
        assert words not in text
    assert "DESCRIPTION" not in text


@pytest.mark.parametrize("token", ["wrong", "a" * 43, "a" * 5000, "%00", "..%2F..%2Fappointments"])
def test_a_wrong_token_is_a_404_and_shows_nothing(alice_client, alices_appointment, token):
    make_address(alice_client)
    before = AuditEvent.objects.count()
    response = Client().get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content and b"Outpatients" not in response.content
    assert AuditEvent.objects.count() == before


def test_the_stored_hash_is_not_an_address(alice_client, alice):
    make_address(alice_client)
    stored = CalendarFeed.objects.get(patient=alice).token_hash
    assert Client().get(f"/calendar/feed/{stored}.ics").status_code == 404


def test_the_feed_of_a_switched_off_account_is_a_404(alice_client, alice, alices_appointment):
    path = make_address(alice_client)
    alice.is_active = False
    alice.save()
    assert Client().get(path).status_code == 404


def test_resetting_revokes_the_old_address(alice_client, alice, alices_appointment):
    old = make_address(alice_client)
    assert Client().get(old).status_code == 200
    response = alice_client.post("/calendar/feed/reset/")
    html = response.content.decode()
    assert "Your old address has stopped working." in html
    new = FEED_ADDRESS.search(html).group(1)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(patient=alice).count() == 1
    assert AuditEvent.objects.filter(action="calendar.feed_reset").count() == 1


def test_stopping_the_address_revokes_it(alice_client, alice):
    path = make_address(alice_client)
    response = alice_client.post("/calendar/feed/stop/", follow=True)
    assert response.redirect_chain == [("/calendar/", 302)]
    html = response.content.decode()
    assert "Your calendar address no longer works." in html
    assert "You have no calendar address." in html
    assert Client().get(path).status_code == 404
    assert not CalendarFeed.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.feed_stop").count() == 1


def test_each_fetch_is_one_audit_row_of_ids(alice_client, alice, alices_appointment):
    path = make_address(alice_client)
    feed = CalendarFeed.objects.get()
    for _ in range(3):
        Client().get(path)
    fetches = AuditEvent.objects.filter(action="calendar.feed_fetch")
    assert fetches.count() == 3
    row = fetches.first()
    assert (row.actor_id, row.patient_id) == (None, alice.pk)
    assert (row.record_type, row.record_id) == ("portal.calendarfeed", str(feed.pk))


def test_the_feed_costs_the_same_queries_for_1_or_50_appointments(
    alice_client, alice, django_assert_num_queries
):
    path = make_address(alice_client)
    calendar_app = Client()

    def make(count: int) -> None:
        Appointment.objects.bulk_create(
            Appointment(patient=alice, starts_at=timezone.now() + timedelta(days=day - 25))
            for day in range(count)
        )

    make(1)
    with django_assert_num_queries(3):  # the feed, its appointments, the audit row
        assert len(events(calendar_app.get(path).content)) == 1
    make(50)
    with django_assert_num_queries(3):
        assert len(events(calendar_app.get(path).content)) == 51


def test_bobs_address_shows_bobs_appointments_not_alices(
    alice_client, client, alice, bob, alices_appointment, bobs_appointment
):
    alices = make_address(alice_client)
    bob_client = Client()
    bob_client.force_login(bob)
    bobs = make_address(bob_client)
    assert [str(e["LOCATION"]) for e in events(Client().get(bobs).content)] == ["Bob's clinic"]
    assert [str(e["LOCATION"]) for e in events(Client().get(alices).content)] == [
        "Outpatients, Level 2"
    ]


def test_the_feed_pages_ask_an_anonymous_visitor_to_sign_in(client):
    for method, url in (("get", "/calendar/"), ("post", "/calendar/feed/reset/")):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("access", [CaregiverGrant.Access.VIEW, CaregiverGrant.Access.LOG])
def test_a_caregiver_cannot_see_make_reset_or_stop_the_patients_feed(client, alice, dana, access):
    alices_client = Client()
    alices_client.force_login(alice)
    path = make_address(alices_client)
    before = CalendarFeed.objects.get().token_hash
    client.force_login(dana)
    enter(client, make_grant(alice, dana, access))
    assert client.get("/calendar/").status_code == 404
    assert client.post("/calendar/feed/reset/").status_code == 404
    assert client.post("/calendar/feed/stop/").status_code == 404
    assert CalendarFeed.objects.get().token_hash == before
    assert not CalendarFeed.objects.filter(patient=dana).exists()
    assert Client().get(path).status_code == 200


def test_the_feed_page_costs_the_same_queries_with_or_without_an_address(
    alice_client, django_assert_num_queries
):
    with django_assert_num_queries(4):  # session, user, her feed, the clinic's numbers
        alice_client.get("/calendar/")
    make_address(alice_client)
    with django_assert_num_queries(4):
        alice_client.get("/calendar/")
