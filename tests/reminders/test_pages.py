"""/reminders/: her own settings (opt-in, validated, 400 for a plain post and the form
partial for htmx), never a caregiver's way into hers; and the unsubscribe link: a confirm
page on GET, the change on POST, a tampered token a clear 400 that changes nothing."""

import pytest
from django.core import signing
from django.utils import timezone

from portal.models import AuditEvent, ReminderDelivery, ReminderSettings
from portal.reminders.emails import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX, make_patient
from tests.reminders.conftest import opt_in, utc

pytestmark = pytest.mark.django_db

CHECK_IN = ReminderDelivery.Kind.CHECK_IN
APPOINTMENT = ReminderDelivery.Kind.APPOINTMENT
WEEKLY = {"weekly_check_in": "on", "weekday": "2", "hour": "18", "time_zone": "Europe/Paris"}


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    for method in ("get", "post"):
        response = getattr(client, method)("/reminders/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not ReminderSettings.objects.exists()


def test_the_page_offers_both_reminders_off_in_the_clinics_time_zone(alice_client):
    response = alice_client.get("/reminders/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reminders by email" in html
    assert 'name="weekly_check_in"' in html and 'name="appointment_day_before"' in html
    assert 'name="weekly_check_in" id="id_weekly_check_in" checked' not in html
    assert '<option value="Europe/London" selected>' in html
    assert '<option value="10" selected>10:00</option>' in html
    assert "America/New York" in html  # readable names
    assert not ReminderSettings.objects.exists()  # looking saves nothing


def test_my_account_links_to_the_reminders_page(alice_client):
    assert 'href="/reminders/"' in alice_client.get("/account/").content.decode()


def test_saving_opts_her_in_and_records_when(alice, alice_client):
    before = timezone.now()
    response = alice_client.post("/reminders/", WEEKLY)
    assert response.status_code == 302 and response["Location"] == "/reminders/"
    reminders = ReminderSettings.objects.get(patient=alice)
    assert reminders.weekly_check_in and not reminders.appointment_day_before
    assert (reminders.weekday, reminders.hour, reminders.time_zone) == (2, 18, "Europe/Paris")
    assert before <= reminders.enabled_at <= timezone.now()
    assert AuditEvent.objects.filter(action="reminders.edit", actor_id=alice.pk).count() == 1
    assert "Your reminder choices are saved." in alice_client.get("/reminders/").content.decode()

    # Saving the same again keeps the date; a new time starts afresh; all off clears it.
    first = reminders.enabled_at
    alice_client.post("/reminders/", WEEKLY)
    assert ReminderSettings.objects.get(patient=alice).enabled_at == first
    alice_client.post("/reminders/", {**WEEKLY, "hour": "8"})
    assert ReminderSettings.objects.get(patient=alice).enabled_at > first
    alice_client.post("/reminders/", {**WEEKLY, "weekly_check_in": "", "hour": "8"})
    assert ReminderSettings.objects.get(patient=alice).enabled_at is None


def test_saving_with_htmx_returns_the_form_with_its_announcement(alice, alice_client):
    response = alice_client.post(
        "/reminders/", {**WEEKLY, "appointment_day_before": "on"}, headers=HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="reminders-form">')
    # The words go into the live region already on the page (its content, not a new element
    # that a screen reader may never read).
    region = '<p id="reminders-status" class="visually-hidden" role="status"'
    assert region + ' hx-swap-oob="innerHTML">Your reminder choices are saved.</p>' in html
    assert region + "></p>" in alice_client.get("/reminders/").content.decode()
    assert 'id="reminders-save"' in html  # so htmx gives the button its focus back
    assert ReminderSettings.objects.get(patient=alice).appointment_day_before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hour", "24", "Choose a time from the list, from 00:00 to 23:00."),
        ("hour", "", "Choose the time of day."),
        ("hour", "ten", "Choose a time from the list, from 00:00 to 23:00."),
        ("weekday", "7", "Choose a day of the week from the list."),
        (
            "time_zone",
            "Mars/Olympus_Mons",
            "Choose a time zone from the list, such as Europe/London.",
        ),
        ("time_zone", "posixrules", "Choose a time zone from the list, such as Europe/London."),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(alice, alice_client, field, value, message):
    posted = {**WEEKLY, field: value}
    response = alice_client.post("/reminders/", posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#id_{field}">' in html and message in html
    assert 'aria-invalid="true"' in html
    assert not ReminderSettings.objects.exists()
    partial = alice_client.post("/reminders/", posted, headers=HX)
    assert partial.status_code == 200 and message in partial.content.decode()
    assert not ReminderSettings.objects.exists()


def test_a_bad_post_leaves_her_saved_choices_unchanged(alice, alice_client):
    before = opt_in(alice, at=utc(2027, 5, 1))
    response = alice_client.post("/reminders/", {**WEEKLY, "hour": "99"})
    assert response.status_code == 400
    after = ReminderSettings.objects.get(patient=alice)
    assert (after.hour, after.time_zone, after.enabled_at) == (
        10,
        "Europe/London",
        before.enabled_at,
    )


def test_a_caregiver_in_her_diary_changes_only_her_own_reminders(alice, client):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    alices = opt_in(alice, at=utc(2027, 5, 1))
    client.force_login(dana)
    enter(client, make_grant(alice, dana))
    page = client.get("/reminders/").content.decode()
    assert "These are your own reminders" in page
    assert "checked" not in page.split('name="weekly_check_in"')[1].split(">")[0]
    response = client.post("/reminders/", {**WEEKLY, "weekly_check_in": "", "hour": "3"})
    assert response.status_code == 302
    assert ReminderSettings.objects.get(patient=dana).hour == 3
    after = ReminderSettings.objects.get(patient=alice)
    assert (after.weekly_check_in, after.hour, after.enabled_at) == (True, 10, alices.enabled_at)


# The unsubscribe link -------------------------------------------------------------------


def url(token: str) -> str:
    return f"/reminders/unsubscribe/{token}/"


def test_the_link_asks_first_then_stops_only_that_reminder(alice, client):
    opt_in(alice, at=utc(2027, 5, 1), appointment_day_before=True)
    token = unsubscribe_token(alice.pk, APPOINTMENT)
    page = client.get(url(token))
    assert page.status_code == 200
    assert "Stop the appointment reminders this email address gets?" in page.content.decode()
    assert ReminderSettings.objects.get(patient=alice).appointment_day_before  # GET changes nothing
    done = client.post(url(token))
    assert done.status_code == 200
    assert "You will get no more appointment reminders." in done.content.decode()
    reminders = ReminderSettings.objects.get(patient=alice)
    assert reminders.weekly_check_in and not reminders.appointment_day_before
    assert reminders.enabled_at is not None
    event = AuditEvent.objects.get(action="reminders.unsubscribe")
    assert (event.actor_id, event.patient_id) == (None, alice.pk)
    # The other link stops the other; with both off she is opted out entirely.
    client.post(url(unsubscribe_token(alice.pk, CHECK_IN)))
    reminders.refresh_from_db()
    assert not reminders.weekly_check_in and reminders.enabled_at is None
    # A second click is harmless.
    assert client.post(url(token)).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: signing.dumps([2, "check_in"], salt="another.salt"),
        lambda token: signing.dumps([2, "check_in"], salt=UNSUBSCRIBE_SALT, key="guessed-key"),
        lambda token: signing.dumps([2, "everything"], salt=UNSUBSCRIBE_SALT),
        lambda token: signing.dumps({"patient": 2}, salt=UNSUBSCRIBE_SALT),
        lambda token: "not-a-token",
        lambda token: "a" * 3000,
    ],
)
def test_a_tampered_token_is_a_clear_400_and_changes_nothing(alice, bob, client, tamper):
    opt_in(alice, at=utc(2027, 5, 1))
    opt_in(bob, at=utc(2027, 5, 1))
    bad = tamper(unsubscribe_token(alice.pk, CHECK_IN))
    for method in ("get", "post"):
        response = getattr(client, method)(url(bad))
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link does not work" in html and "Nothing has been changed." in html
    assert ReminderSettings.objects.filter(weekly_check_in=True).count() == 2
    assert not AuditEvent.objects.filter(action="reminders.unsubscribe").exists()


def test_a_token_for_a_deleted_account_changes_nothing_and_says_done(client):
    token = unsubscribe_token(987654, CHECK_IN)
    assert client.post(url(token)).status_code == 200
    assert not ReminderSettings.objects.exists()


def test_her_sign_in_activity_lists_the_reminder_change_and_the_menu_marks_the_page(
    alice, alice_client
):
    alice_client.post("/reminders/", WEEKLY)
    assert "Your reminders were changed" in alice_client.get("/account/activity/").content.decode()
    page = alice_client.get("/reminders/").content.decode()
    assert '<a href="/reminders/" aria-current="page">Reminders</a>' in page
