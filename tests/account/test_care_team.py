"""Her care team: joining it with its invitation code, the page that names its clinicians
and each time one of them opened her diary, the second sign-in step every clinician must
use, the team's monitored hours (pure functions) and the footer that tells the truth."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from portal.account.care_team import describe_hours, in_hours, next_start, parse_weekdays
from portal.models import AuditEvent, CareTeam, CareTeamPatient, ClinicContacts
from tests.account.test_sign_up_and_in import sign_up
from tests.account.test_two_step import setup_key, totp_code
from tests.conftest import example_clinic, make_patient, pass_second_factor

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = frozenset(range(5))
NINE, FIVE = time(9, 0), time(17, 0)


def london(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def north(db):
    return CareTeam.objects.create(name="North breast unit", invitation_code="NORTH-4K2P")


def clinician(username: str, team: CareTeam, **names):
    """A clinician's account as staff make one (its email confirmed), in the team."""
    user = make_patient(username, f"{username}-password-1", **names)
    team.members.add(user)
    return user


# The monitored hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (london(2026, 12, 4, 18), london(2026, 12, 7, 9)),  # Friday evening: Monday
        (london(2026, 12, 5, 11), london(2026, 12, 7, 9)),  # Saturday
        (london(2026, 12, 6, 23, 59), london(2026, 12, 7, 9)),  # Sunday night
        (london(2026, 12, 7, 7), london(2026, 12, 7, 9)),  # Monday before hours: today
        (london(2026, 12, 7, 17), london(2026, 12, 8, 9)),  # at closing: tomorrow
        (london(2026, 12, 8, 12), london(2026, 12, 9, 9)),  # in hours: the next start
    ],
    ids=["friday-evening", "saturday", "sunday-night", "before-hours", "at-closing", "in-hours"],
)
def test_the_next_working_time_is_the_next_start_of_the_hours(now, expected):
    assert next_start(WEEKDAYS, NINE, FIVE, now, LONDON) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (london(2026, 12, 7, 8, 59), False),
        (london(2026, 12, 7, 9), True),
        (london(2026, 12, 7, 16, 59), True),
        (london(2026, 12, 7, 17), False),
        (london(2026, 12, 5, 12), False),  # Saturday
    ],
    ids=str,
)
def test_in_hours_is_from_the_start_up_to_the_end_on_a_monitored_weekday(now, expected):
    assert in_hours(WEEKDAYS, NINE, FIVE, now, LONDON) is expected


def test_across_the_spring_clock_change_monday_is_still_nine_local():
    # The clocks go forward on Sunday 28 March 2027: Friday 18:00 GMT, Monday 09:00 BST.
    friday = london(2027, 3, 26, 18)
    monday = next_start(WEEKDAYS, NINE, FIVE, friday, LONDON)
    assert (monday.date().isoformat(), monday.hour, monday.minute) == ("2027-03-29", 9, 0)
    assert monday.utcoffset().total_seconds() == 3600
    utc = ZoneInfo("UTC")
    assert monday.astimezone(utc) - friday.astimezone(utc) == timedelta(hours=63 - 1)
    # And the moment is read in London time, whatever zone it comes in.
    assert in_hours(WEEKDAYS, NINE, FIVE, monday.astimezone(ZoneInfo("UTC")), LONDON)


def test_across_the_autumn_clock_change_too():
    friday = london(2026, 10, 23, 18)  # BST; the clocks go back on Sunday 25 October
    monday = next_start(WEEKDAYS, NINE, FIVE, friday, LONDON)
    assert (monday.day, monday.hour, monday.utcoffset().total_seconds()) == (26, 9, 0)


def test_no_weekday_means_no_next_working_time():
    assert next_start(frozenset(), NINE, FIVE, london(2026, 12, 7, 12), LONDON) is None


def test_weekdays_and_hours_read_as_words():
    assert parse_weekdays("0, 1,2,3,4,x,9") == WEEKDAYS
    assert describe_hours(WEEKDAYS, NINE, FIVE) == "Monday to Friday, 09:00 to 17:00"
    assert describe_hours(frozenset({0, 2, 4}), NINE, FIVE) == (
        "Monday, Wednesday and Friday, 09:00 to 17:00"
    )
    assert describe_hours(frozenset({5}), time(10), time(12, 30)) == "Saturday, 10:00 to 12:30"


# Joining with the team's code -----------------------------------------------------------------


def test_a_teams_invitation_code_joins_her_to_the_team(client, north):
    html = client.get("/accounts/signup/").content.decode()
    assert "Invitation code (optional)" in html
    response = sign_up(client, invitation_code=" NORTH-4K2P ")
    assert response.status_code == 302
    link = CareTeamPatient.objects.get(patient__email="carol@example.org")
    assert link.team == north


def test_without_a_code_she_signs_up_on_her_own(client, north):
    assert sign_up(client, invitation_code="").status_code == 302
    assert get_user_model().objects.filter(email="carol@example.org").exists()
    assert not CareTeamPatient.objects.exists()


def test_a_wrong_team_code_is_an_error_on_the_field(client, north):
    response = sign_up(client, invitation_code="NORTH-0000")
    assert response.status_code == 200
    form = response.context["form"]
    assert "That invitation code is not right" in form.errors["invitation_code"][0]
    assert not get_user_model().objects.filter(email="carol@example.org").exists()


def test_with_deployment_codes_a_team_code_also_admits_and_joins(client, north, settings):
    settings.PORTAL_SIGNUP_INVITATION_CODES = ["CLINIC-7Q4P-2026"]
    assert "Invitation code (optional)" not in client.get("/accounts/signup/").content.decode()
    assert sign_up(client, invitation_code="NORTH-4K2P").status_code == 302
    assert CareTeamPatient.objects.get().team == north
    client.logout()
    response = sign_up(client, email="dora@example.org", invitation_code="CLINIC-7Q4P-2026")
    assert response.status_code == 302  # the deployment's own code still works, joining nobody
    assert CareTeamPatient.objects.count() == 1
    assert sign_up(client, email="erin@example.org").status_code == 200  # still required


def test_an_existing_email_with_a_team_code_joins_nobody(client, alice, north):
    assert sign_up(client, email="alice@example.org", invitation_code="NORTH-4K2P").status_code
    assert not CareTeamPatient.objects.exists()


# Her care team page ---------------------------------------------------------------------------


def opened(clinic_user, patient, action="careteam.patient_view", outcome="success"):
    """A row as portal/audit.record writes it for a clinician looking at her record."""
    return AuditEvent.objects.create(
        actor_id=clinic_user.pk,
        patient_id=patient.pk,
        action=action,
        record_type="auth.user",
        record_id=str(patient.pk),
        outcome=outcome,
    )


def test_the_page_names_her_team_its_clinicians_and_each_time_they_opened_it(
    alice_client, alice, bob, north
):
    CareTeamPatient.objects.create(team=north, patient=alice)
    nora = clinician("nora", north, first_name="Nora", last_name="Nurse")
    clinician("olu", north, first_name="Olu", last_name="Oncologist")
    with time_machine.travel(london(2026, 12, 2, 10, 15), tick=False):
        opened(nora, alice)
    with time_machine.travel(london(2026, 12, 3, 14, 5), tick=False):
        opened(nora, alice, "careteam.alert_close")
    opened(nora, bob)  # not about her
    opened(nora, alice, outcome="denied")
    AuditEvent.objects.create(actor_id=bob.pk, patient_id=alice.pk, action="diary.view")

    html = alice_client.get("/account/care-team/").content.decode()
    assert "North breast unit" in html
    assert "<li>Nora Nurse</li>" in html and "<li>Olu Oncologist</li>" in html
    assert html.count("<tr>") == 1 + 2  # the header and her two rows
    assert "3 December 2026, 14:05" in html and "Nora Nurse closed an alert about you" in html
    assert "2 December 2026, 10:15" in html and "Nora Nurse opened your diary" in html
    assert html.index("3 December 2026") < html.index("2 December 2026")
    assert 'href="/account/care-team/" aria-current="page"' in html


def test_without_a_team_the_page_says_no_clinician_can_see_her_diary(alice_client):
    html = alice_client.get("/account/care-team/").content.decode()
    assert "no clinician can see your diary" in html
    assert "Your care team" in alice_client.get("/account/").content.decode()


def test_the_page_costs_the_same_queries_for_one_and_many(
    alice_client, alice, north, django_assert_num_queries
):
    CareTeamPatient.objects.create(team=north, patient=alice)
    opened(clinician("nora", north), alice)
    alice_client.get("/account/care-team/")
    with django_assert_num_queries(6) as one:  # session, user, team, clinicians, rows, clinic
        alice_client.get("/account/care-team/")
    for n in range(12):
        opened(clinician(f"nurse{n}", north), alice)
    with django_assert_num_queries(len(one)):
        alice_client.get("/account/care-team/")


# The second sign-in step for clinicians -------------------------------------------------------


def test_a_clinician_without_an_authenticator_sets_one_up_before_any_page(client, north):
    clinician("nora", north)
    response = client.post(
        "/accounts/login/", {"login": "nora@example.org", "password": "nora-password-1"}
    )
    assert response.status_code == 302
    for url in ("/", "/diary/", "/account/", "/learn/"):
        response = client.get(url)
        assert response["Location"] == "/accounts/2fa/totp/activate/", url
    assert client.get("/", headers={"HX-Request": "true"})["HX-Redirect"] == (
        "/accounts/2fa/totp/activate/"
    )
    # The set-up page first asks for her password again (allauth), which stays open too.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/"


def test_a_clinician_with_her_authenticator_goes_on(client, north):
    nora = clinician("nora", north)
    pass_second_factor(client, nora)
    assert client.get("/diary/").status_code == 200


def test_adding_the_authenticator_lets_her_through(client, north):
    clinician("nora", north)
    with time_machine.travel(london(2026, 12, 7, 10), tick=False):
        client.post(
            "/accounts/login/",
            {"login": "nora@example.org", "password": "nora-password-1"},
        )
        client.post("/accounts/reauthenticate/", {"password": "nora-password-1"})
        html = client.get("/accounts/2fa/totp/activate/").content.decode()
        secret = setup_key(html)
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
        assert response["Location"] == "/accounts/2fa/recovery-codes/"
        assert client.get("/accounts/2fa/recovery-codes/").status_code == 200
        assert client.get("/diary/").status_code == 200


def test_a_patient_without_an_authenticator_is_not_asked(alice_client):
    assert alice_client.get("/diary/").status_code == 200


# The footer and the admin ---------------------------------------------------------------------


@pytest.fixture
def contacts(db):
    return example_clinic(breast_care_nurse_line="", breast_care_nurse_hours="")


def test_the_footer_says_her_team_monitors_only_when_it_does(alice_client, alice, north, contacts):
    CareTeamPatient.objects.create(team=north, patient=alice)
    html = alice_client.get("/appointments/").content.decode()
    assert "It is not monitored by your care team." in html
    north.monitoring, north.inbox_email = True, "north@clinic.example.org"
    north.save()
    html = alice_client.get("/appointments/").content.decode()
    assert "It is not monitored by your care team." not in html
    assert (
        "It is monitored by your care team, North breast unit, Monday to Friday, 09:00 to "
        "17:00: they are told when you report a red flag or a symptom that is two levels worse."
    ) in html


def test_staff_manage_teams_in_the_admin_and_monitoring_needs_the_clinics_numbers(
    staff_client, alice
):
    page = staff_client.get("/staff-admin/portal/careteam/add/")
    assert page.status_code == 200
    assert 'name="members"' in page.content.decode()
    data = {
        "name": "North breast unit",
        "invitation_code": "",
        "monitoring": "on",
        "inbox_email": "north@clinic.example.org",
        "monitored_weekdays": "0,1,2,3,4",
        "monitored_from": "09:00",
        "monitored_until": "17:00",
        "reply_within": "one working day",
        "patients-TOTAL_FORMS": "1",
        "patients-INITIAL_FORMS": "0",
        "patients-0-patient": str(alice.pk),
    }
    response = staff_client.post("/staff-admin/portal/careteam/add/", data)
    assert response.status_code == 200
    assert "Set the clinic&#x27;s phone numbers" in response.content.decode()
    ClinicContacts.objects.create(acute_oncology_line="01632 960 001", emergency_number="999")
    response = staff_client.post(
        "/staff-admin/portal/careteam/add/", {**data, "monitored_weekdays": "x"}
    )
    assert "List the weekdays as numbers" in response.content.decode()
    response = staff_client.post("/staff-admin/portal/careteam/add/", data)
    assert response.status_code == 302
    team = CareTeam.objects.get()
    assert (team.monitoring, team.invitation_code) == (True, None)
    assert CareTeamPatient.objects.get().patient == alice
    assert staff_client.get("/staff-admin/portal/alert/").status_code == 200
    assert staff_client.get("/staff-admin/portal/alert/add/").status_code == 403
