"""The team's inbox is told of a new alert, over SMTP, by the task worker: a link to the
queue and nothing else (no name, symptom, answer or note)."""

import re

import pytest
from django.test import override_settings
from django.utils import timezone

from education.models import Symptom
from portal.models import Alert
from tests.careteam.conftest import log
from tests.reminders.test_email import received

pytestmark = [pytest.mark.usefixtures("vocabulary"), pytest.mark.django_db(transaction=True)]

NOTE = "could not keep my tamoxifen down"


def forbidden_words(patient) -> list[str]:
    symptoms = Symptom.objects.all()
    names = [s.name for s in symptoms] + [s.pro_ctcae_term for s in symptoms]
    her = [patient.first_name, patient.last_name, patient.email, patient.username]
    return sorted({word for word in [*names, *her, NOTE, "tamoxifen", "sick", "Red flag"] if word})


def test_one_email_per_alert_to_the_inbox_with_a_link_only(
    alice_in_north,
    smtp_server,
    db_worker,
):
    now = timezone.now()
    log(alice_in_north, "vomiting", now, times_in_24h=6, frequency=3, note=NOTE)
    log(alice_in_north, "vomiting", now, times_in_24h=7)  # joins the same alert: no email
    assert Alert.objects.count() == 1
    db_worker()
    ((to, message),) = received(smtp_server)
    assert to == ["north-inbox@clinic.example.org"]
    text = message.get_content()
    assert "https://portal.example.org/care-team/" in text
    everything = message.as_string()
    for word in forbidden_words(alice_in_north):
        assert not re.search(rf"\b{re.escape(word)}\b", everything, re.IGNORECASE), word


def test_a_closed_alert_opened_again_by_a_new_report_tells_the_inbox_again(
    alice_in_north, smtp_server, db_worker
):
    now = timezone.now()
    log(alice_in_north, "vomiting", now, times_in_24h=6)
    db_worker()
    Alert.objects.update(closed_at=timezone.now(), action="advised")
    log(alice_in_north, "vomiting", now, times_in_24h=8)
    db_worker()
    assert Alert.objects.get().closed_at is None
    assert len(received(smtp_server)) == 2


def test_no_email_when_the_team_does_not_monitor(alice_in_north, north, smtp_server, db_worker):
    north.monitoring = False
    north.save()
    log(alice_in_north, "vomiting", timezone.now(), times_in_24h=6)
    db_worker()
    assert received(smtp_server) == []


@override_settings(PORTAL_BASE_URL="https://portal.example.org")
def test_the_task_skips_an_alert_of_a_team_that_stopped_monitoring(alice_in_north, north):
    from portal.careteam.tasks import notify_team

    log(alice_in_north, "vomiting", timezone.now(), times_in_24h=6)
    alert = Alert.objects.get()
    north.monitoring = False
    north.save()
    assert notify_team.call(alert.pk) == "skipped"
