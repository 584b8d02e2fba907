"""What a care notice says when her care team monitors the portal (told now, in its hours;
or when they will see it, and the 24-hour line), the same as ever when it does not, and
"Seen by your care team" with the clinician's reply once the entry's alert is closed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import Symptom
from portal.models import Alert, CareTeam, CareTeamPatient, DiaryEntry
from tests.conftest import HX, example_clinic, load_vocabulary
from tests.diary.test_log import entry_data

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
FRIDAY_EVENING = datetime(2026, 12, 4, 18, 30, tzinfo=LONDON)
TOLD = "Your care team has been told; they reply within one working day."
NOT_MONITORED = (
    "<strong>This portal is not monitored by your care team.</strong> They will not see this "
    'entry unless you tell them. In an emergency, call <a href="tel:999">999</a>.'
)
ACUTE = '<a href="tel:01632960001">01632 960 001</a>'


@pytest.fixture(autouse=True)
def vocabulary(db):
    load_vocabulary()
    example_clinic(breast_care_nurse_line="", breast_care_nurse_hours="")


@pytest.fixture
def north(alice):
    team = CareTeam.objects.create(
        name="North breast unit", monitoring=True, inbox_email="north@clinic.example.org"
    )
    CareTeamPatient.objects.create(team=team, patient=alice)
    return team


def notice_of(client, patient, slug: str, severity: str, headers=None) -> str:
    """Logs the symptom through the diary; the care notice of the reply or the entry page.
    Signs her in first: the clock has moved past any earlier session's idle limit."""
    client.force_login(patient)
    chosen = Symptom.objects.get(slug=slug)
    response = client.post(
        "/diary/entries/new/", entry_data(chosen, severity=severity), headers=headers or {}
    )
    html = response.content.decode()
    if not headers:
        html = client.get(response["Location"]).content.decode()
    notice = html[html.index('class="care-notice') :]
    return notice[: notice.index("</div>")]


@pytest.mark.parametrize("headers", [HX, None], ids=["htmx-reply", "entry-page"])
def test_in_hours_a_red_flag_says_the_team_has_been_told(alice_client, alice, north, headers):
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        notice = notice_of(alice_client, alice, "chest-pain", "1", headers)
    assert Alert.objects.get().patient_id == north.patients.get().patient_id
    assert TOLD in notice
    assert "not monitored" not in notice
    assert 'In an emergency, call <a href="tel:999">999</a>.' in notice


def test_out_of_hours_it_says_when_they_will_see_it_and_whom_to_call_now(
    alice_client, alice, north
):
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        notice = notice_of(alice_client, alice, "chest-pain", "1", HX)
    assert "Your care team will see this on Monday 7 December at 09:00." in notice
    assert f"If you need help now, call {ACUTE}, the 24-hour acute oncology line." in notice
    assert TOLD not in notice


def test_the_teams_own_hours_and_reply_time_are_used(alice_client, alice, north):
    north.monitored_weekdays, north.reply_within = "0,1,2,3,4,5", "four hours"
    north.save()
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        notice = notice_of(alice_client, alice, "chest-pain", "1", HX)
    assert "Your care team will see this on Saturday 5 December at 09:00." in notice
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        notice = notice_of(alice_client, alice, "seizures", "1", HX)
    assert "Your care team has been told; they reply within four hours." in notice


@pytest.mark.parametrize("team", ["off", "none"])
def test_with_monitoring_off_or_no_team_the_wording_is_as_before(alice_client, alice, team):
    if team == "off":
        CareTeamPatient.objects.create(
            team=CareTeam.objects.create(name="North breast unit"), patient=alice
        )
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        notice = notice_of(alice_client, alice, "chest-pain", "1", HX)
    assert NOT_MONITORED in notice
    assert "care-team-told" not in notice
    assert not Alert.objects.exists()
    footer = alice_client.get("/diary/").content.decode()
    assert "It is not monitored by your care team." in footer


def test_a_notice_without_an_alert_does_not_say_the_team_was_told(alice_client, alice, north):
    # Severe fatigue asks her to call, but only red flags and rises are sent to the team.
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        notice = notice_of(alice_client, alice, "fatigue", "3", HX)
    assert not Alert.objects.exists()
    assert "Your care team is not sent this entry." in notice
    assert TOLD not in notice and "not monitored" not in notice


# Seen by your care team ---------------------------------------------------------------------


def log(patient, slug: str, when: datetime, severity: int) -> DiaryEntry:
    entry = DiaryEntry(
        patient=patient, symptom=Symptom.objects.get(slug=slug), occurred_at=when, severity=severity
    )
    entry.record_notice()
    entry.save()
    return entry


def close(alert: Alert, when: datetime, reply: str = "") -> None:
    alert.closed_at, alert.action = when, Alert.Action.CALLED
    alert.closed_by_name, alert.reply = "Nora Nurse", reply
    alert.save()


def test_a_closed_alert_shows_seen_and_the_reply_on_the_card_and_the_entry_page(
    alice_client, alice, north
):
    entry = log(alice, "chest-pain", WEDNESDAY_MORNING, 1)
    for url in ("/diary/", f"/diary/entries/{entry.pk}/"):
        assert "Seen by your care team" not in alice_client.get(url).content.decode()
    close(entry.alert, WEDNESDAY_MORNING + timedelta(days=1), "<b>We</b> will call you at 2pm.")
    for url in ("/diary/", f"/diary/entries/{entry.pk}/"):
        html = alice_client.get(url).content.decode()
        assert "Seen by your care team on 3 December 2026." in html, url
        assert "Nora Nurse wrote: “&lt;b&gt;We&lt;/b&gt; will call you at 2pm.”" in html, url
        assert "<b>We</b>" not in html
    card = alice_client.get(f"/diary/entries/{entry.pk}/", headers=HX).content.decode()
    assert "Seen by your care team on 3 December 2026." in card


def test_seen_without_a_reply_says_only_when(alice_client, alice, north):
    entry = log(alice, "chest-pain", WEDNESDAY_MORNING, 1)
    close(entry.alert, WEDNESDAY_MORNING + timedelta(hours=2))
    html = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert "Seen by your care team on 2 December 2026." in html
    assert "wrote:" not in html


def _diary_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/diary/").status_code == 200
    return len(queries)


def test_the_diary_reads_the_alerts_with_its_entries(alice_client, alice, north):
    first = log(alice, "chest-pain", WEDNESDAY_MORNING, 1)
    close(first.alert, WEDNESDAY_MORNING + timedelta(hours=1), "Seen.")
    alice_client.get("/diary/")
    one = _diary_queries(alice_client)
    for day in range(1, 20):  # one alert a day: each entry its own closed alert
        entry = log(alice, "chest-pain", WEDNESDAY_MORNING - timedelta(days=day), 1)
        close(entry.alert, timezone.now(), f"Reply {day}.")
    html = alice_client.get("/diary/").content.decode()
    assert html.count("Seen by your care team on") == 20
    assert _diary_queries(alice_client) == one


def test_told_only_when_the_entry_is_in_an_alert(alice_client, alice):
    """A red flag logged before her team monitored: the page must not say they were told."""
    chest_pain = Symptom.objects.get(slug="chest-pain")
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        entry = DiaryEntry(
            patient=alice, symptom=chest_pain, severity=2, occurred_at=timezone.now()
        )
        entry.record_notice()
        entry.save()  # no team yet: no alert
        team = CareTeam.objects.create(
            name="North breast unit", monitoring=True, inbox_email="north@clinic.example.org"
        )
        CareTeamPatient.objects.create(team=team, patient=alice)
        alice_client.force_login(alice)
        html = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert entry.red_flag is not None and entry.alert_id is None
    assert "care-notice" in html
    assert TOLD not in html
