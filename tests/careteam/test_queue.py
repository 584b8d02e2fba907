"""The alert queue: open alerts of her teams, red flags first then the oldest first, with
the time since reported and 'overdue' past 72 hours; in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.models import Alert, AuditEvent
from tests.careteam.conftest import at, log

pytestmark = pytest.mark.usefixtures("vocabulary")

QUERIES = 8


def rows(response) -> list[str]:
    """Each row of the queue's table, as its text."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    found = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


def logged_hours_ago(hours: float, now, patient, what: str, **answers):
    """An entry she saved `hours` before `now` (its alert is made then too)."""
    moment = now - timedelta(hours=hours)
    with time_machine.travel(moment, tick=False):
        return log(patient, what, moment, **answers)


def test_red_flags_come_first_then_the_oldest(nora_client, alice_in_north):
    now = timezone.now()
    logged_hours_ago(30, now, alice_in_north, "fatigue", severity=1)
    logged_hours_ago(5, now, alice_in_north, "fatigue", severity=3)  # a rise, the oldest
    logged_hours_ago(4, now, alice_in_north, "vomiting", times_in_24h=2)  # a red flag
    logged_hours_ago(3, now, alice_in_north, "chest-pain", severity=1)  # a newer red flag
    with time_machine.travel(now, tick=False):
        response = nora_client.get("/care-team/")
    assert response.status_code == 200
    found = rows(response)
    assert [row.split(": ")[1].split(" ")[0] for row in found] == ["Vomiting", "Chest", "Fatigue"]
    assert "Red flag" in found[0] and "Red flag" in found[1]
    assert "Worse by two levels or more" in found[2]
    assert "4 hours ago" in found[0]
    assert "3 hours ago" in found[1]
    assert "5 hours ago" in found[2]
    assert all(row.startswith("Alice Archer") for row in found)
    assert "Overdue" not in response.content.decode()


def test_the_queue_counts_an_alerts_entries(nora_client, alice_in_north):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    log(alice_in_north, "vomiting", at(2027, 3, 1, 12), times_in_24h=4)
    (row,) = rows(nora_client.get("/care-team/"))
    assert row.endswith(" 2")


def test_an_alert_in_her_own_words_is_named_by_them(nora_client, alice_in_north):
    log(alice_in_north, "my chest hurts badly", at(2027, 3, 1, 8), severity=4)
    alert = Alert.objects.get()
    assert alert.symptom is None
    (row,) = rows(nora_client.get("/care-team/"))
    assert "my chest hurts badly" in row


def test_closed_alerts_leave_the_queue(nora_client, alice_in_north, nora):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    Alert.objects.update(closed_at=timezone.now(), action="called", closed_by=nora)
    assert "No open alerts." in nora_client.get("/care-team/").content.decode()


@pytest.mark.parametrize(
    ("hours", "overdue", "ago"),
    [(71, False, "2 days ago"), (72, False, "3 days ago"), (73, True, "3 days ago")],
    ids=["71h", "72h", "73h"],
)
def test_an_alert_open_more_than_72_hours_is_overdue(
    nora_client, alice_in_north, hours, overdue, ago
):
    now = timezone.now()
    logged_hours_ago(hours, now, alice_in_north, "vomiting", times_in_24h=2)
    with time_machine.travel(now, tick=False):
        (row,) = rows(nora_client.get("/care-team/"))
        assert Alert.objects.get().is_overdue() is overdue
    assert ("Overdue: open more than 72 hours" in row) is overdue
    assert f"{ago} Overdue" in row if overdue else row.endswith(f"{ago} 1")


def test_the_queue_is_in_the_trail_once_for_each_patient_shown(nora_client, nora, alice_in_north):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    log(alice_in_north, "chest-pain", at(2027, 3, 1, 9), severity=1)
    nora_client.get("/care-team/")
    (event,) = AuditEvent.objects.filter(action="careteam.queue_view")
    assert (event.actor_id, event.patient_id) == (nora.pk, alice_in_north.pk)
    assert event.record_id == str(alice_in_north.pk)


def test_the_queue_costs_the_same_for_one_alert_and_fifty(
    nora_client, alice_in_north, django_assert_num_queries, django_user_model, north
):
    from portal.models import CareTeamPatient

    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2)
    nora_client.get("/care-team/")  # the session's first request writes it
    # The session, its user, the second step's authenticator, her teams, the alerts, and
    # the audit rows (one insert, in a savepoint).
    with django_assert_num_queries(QUERIES):
        nora_client.get("/care-team/")
    for number in range(49):
        patient = django_user_model.objects.create_user(f"patient{number}")
        CareTeamPatient.objects.create(team=north, patient=patient)
        log(patient, "vomiting", at(2027, 3, 2, 8), times_in_24h=2)
    with django_assert_num_queries(QUERIES):
        response = nora_client.get("/care-team/")
    assert len(rows(response)) == 50
