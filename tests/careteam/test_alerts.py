"""When a saved entry makes an alert: a red flag (at its threshold, not below it), a rise
of two levels (not one), one alert per symptom and day, none when the team does not
monitor."""

from decimal import Decimal

import pytest

from portal.models import Alert, CareTeam
from tests.careteam.conftest import at, log

pytestmark = pytest.mark.usefixtures("vocabulary")


@pytest.mark.parametrize(
    ("times", "raised"), [(1, False), (2, True), (5, True), (6, True)], ids=str
)
def test_being_sick_raises_a_red_flag_alert_from_twice_in_24_hours(alice_in_north, times, raised):
    entry = log(alice_in_north, "vomiting", at(2027, 3, 1, 10), times_in_24h=times)
    alerts = list(Alert.objects.all())
    assert bool(alerts) is raised
    if raised:
        (alert,) = alerts
        assert (alert.kind, alert.patient, alert.symptom.slug) == (
            "red_flag",
            alice_in_north,
            "vomiting",
        )
        assert list(alert.entries.all()) == [entry]


@pytest.mark.parametrize(
    ("temperature", "raised"),
    [("36.0", False), ("37.4", False), ("37.5", True), ("35.9", True)],
    ids=str,
)
def test_a_temperature_raises_an_alert_at_37_5_and_below_36(alice_in_north, temperature, raised):
    log(
        alice_in_north,
        "fatigue",
        at(2027, 3, 1, 10),
        severity=1,
        temperature_c=Decimal(temperature),
    )
    assert Alert.objects.exists() is raised


def test_an_emergency_rule_raises_an_alert_and_its_lowest_answer_does_not(alice_in_north):
    log(alice_in_north, "chest-pain", at(2027, 3, 1, 9), severity=0)
    assert not Alert.objects.exists()
    log(alice_in_north, "chest-pain", at(2027, 3, 1, 10), severity=1)
    assert Alert.objects.get().kind == Alert.Kind.RED_FLAG


def test_a_rise_of_two_levels_raises_an_alert_and_one_level_does_not(alice_in_north):
    log(alice_in_north, "fatigue", at(2027, 3, 1, 9), severity=1)
    log(alice_in_north, "fatigue", at(2027, 3, 2, 9), severity=2)  # one level worse
    assert not Alert.objects.exists()
    entry = log(alice_in_north, "fatigue", at(2027, 3, 3, 9), severity=3)  # two above Mild
    alert = Alert.objects.get()
    assert (alert.kind, alert.day.isoformat()) == ("rise", "2027-03-03")
    assert list(alert.entries.all()) == [entry]


def test_a_rise_from_more_than_a_week_before_raises_none(alice_in_north):
    log(alice_in_north, "fatigue", at(2027, 3, 1, 9), severity=1)
    log(alice_in_north, "fatigue", at(2027, 3, 9, 9), severity=3)
    assert not Alert.objects.exists()


def test_two_entries_of_one_symptom_on_one_day_make_one_alert(alice_in_north):
    first = log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    second = log(alice_in_north, "vomiting", at(2027, 3, 1, 20), times_in_24h=6)
    alert = Alert.objects.get()
    assert set(alert.entries.all()) == {first, second}


def test_the_next_day_makes_a_second_alert(alice_in_north):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 20), times_in_24h=2)
    log(alice_in_north, "vomiting", at(2027, 3, 2, 8), times_in_24h=2)
    days = sorted(alert.day.isoformat() for alert in Alert.objects.all())
    assert days == ["2027-03-01", "2027-03-02"]


def test_another_symptom_the_same_day_makes_its_own_alert(alice_in_north):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    log(alice_in_north, "chest-pain", at(2027, 3, 1, 9), severity=2)
    assert sorted(alert.symptom.slug for alert in Alert.objects.all()) == ["chest-pain", "vomiting"]


def test_a_rise_then_a_red_flag_the_same_day_is_one_red_flag_alert(alice_in_north):
    log(alice_in_north, "fatigue", at(2027, 3, 1, 8), severity=1)
    log(alice_in_north, "fatigue", at(2027, 3, 2, 8), severity=3)
    log(alice_in_north, "fatigue", at(2027, 3, 2, 18), severity=4)  # top level: a red flag
    alert = Alert.objects.get()
    assert (alert.kind, alert.entries.count()) == ("red_flag", 2)


def test_with_monitoring_off_no_alert_is_made(alice_in_north, north):
    CareTeam.objects.filter(pk=north.pk).update(monitoring=False)
    entry = log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=6)
    assert entry.red_flag is not None  # she is still told, as before
    assert not Alert.objects.exists()


def test_a_patient_in_no_team_gets_no_alert(alice):
    entry = log(alice, "vomiting", at(2027, 3, 1, 8), times_in_24h=6)
    assert entry.red_flag is not None
    assert not Alert.objects.exists()


def test_the_alert_goes_to_her_own_team(alice_in_north, bob_in_south, north, south):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    log(bob_in_south, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    teams = {alert.patient.username: alert.team for alert in Alert.objects.all()}
    assert teams == {"alice": north, "bob": south}


def test_a_new_report_on_a_closed_alert_opens_it_again_with_nothing_of_the_old_close(
    alice_in_north, north
):
    from django.utils import timezone

    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    Alert.objects.update(
        closed_at=timezone.now(), action="advised", reply="Drink small sips.", closed_by_name="N"
    )
    log(alice_in_north, "vomiting", at(2027, 3, 1, 20), times_in_24h=6)
    alert = Alert.objects.get()
    assert (alert.closed_at, alert.action, alert.reply, alert.closed_by_name) == (None, "", "", "")
    assert alert.entries.count() == 2


def test_editing_an_entry_of_a_closed_alert_does_not_open_it_again(alice_in_north):
    from django.utils import timezone

    entry = log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=6)
    Alert.objects.update(closed_at=timezone.now(), action="called", reply="Call me back.")
    entry.refresh_from_db()
    entry.note = "Typo fixed."
    entry.record_notice()
    entry.save()
    alert = Alert.objects.get()
    assert (alert.action, alert.reply) == ("called", "Call me back.")
    assert alert.closed_at is not None


def test_a_patient_who_moves_team_takes_her_alerts_with_her(alice_in_north, south, nora, sam):
    from portal.models import CareTeamPatient

    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=6)
    CareTeamPatient.objects.filter(patient=alice_in_north).update(team=south)
    assert not Alert.objects.for_clinician(nora).exists()
    assert Alert.objects.for_clinician(sam).count() == 1
    # A new report the same day joins the alert and moves it to her new team.
    log(alice_in_north, "vomiting", at(2027, 3, 1, 20), times_in_24h=7)
    assert Alert.objects.get().team == south
