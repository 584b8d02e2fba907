"""An alert's page: its entries in NCI's words with her notes, a link to her page, and the
form that closes it with what was done and an optional short reply."""

import pytest

from portal.models import Alert, AuditEvent
from tests.careteam.conftest import at, log

pytestmark = pytest.mark.usefixtures("vocabulary")


@pytest.fixture
def alert(alice_in_north):
    log(alice_in_north, "vomiting", at(2027, 3, 1, 8), times_in_24h=2, frequency=2)
    log(
        alice_in_north,
        "vomiting",
        at(2027, 3, 1, 20),
        times_in_24h=6,
        frequency=3,
        note="Could not keep water down",
    )
    return Alert.objects.get()


def test_it_shows_the_entries_in_ncis_words_and_links_to_her_page(nora_client, alert):
    response = nora_client.get(f"/care-team/alerts/{alert.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Entries (2)" in html
    assert "<dt>How often</dt><dd>Occasionally</dd>" in html
    assert "<dt>How often</dt><dd>Frequently</dd>" in html
    assert "<dt>Times in the last 24 hours</dt><dd>6</dd>" in html
    assert "Being sick 2 or more times in 24 hours" in html
    assert "Being sick 6 or more times in 24 hours" in html
    assert "Could not keep water down" in html
    assert f'href="/care-team/patients/{alert.patient_id}/"' in html
    assert html.index("08:00") < html.index("20:00")  # oldest first


def test_viewing_it_is_in_her_trail(nora_client, nora, alert):
    nora_client.get(f"/care-team/alerts/{alert.pk}/")
    event = AuditEvent.objects.get(action="careteam.alert_view")
    assert (event.actor_id, event.patient_id) == (nora.pk, alert.patient_id)
    assert (event.record_type, event.record_id) == ("portal.alert", str(alert.pk))


def test_closing_it_records_what_was_done_and_the_reply(nora_client, nora, alert):
    response = nora_client.post(
        f"/care-team/alerts/{alert.pk}/",
        {"action": "called", "reply": "  We spoke; see you on Tuesday.  "},
    )
    assert response.status_code == 302
    assert response["Location"] == "/care-team/"
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert (alert.closed_by, alert.closed_by_name) == (nora, "Nora Nurse")
    assert (alert.action, alert.reply) == ("called", "We spoke; see you on Tuesday.")
    event = AuditEvent.objects.get(action="careteam.alert_close")
    assert (event.actor_id, event.patient_id) == (nora.pk, alert.patient_id)
    page = nora_client.get(f"/care-team/alerts/{alert.pk}/").content.decode()
    assert "by Nora Nurse: Called her." in page
    assert "Close the alert" not in page


def test_the_reply_may_be_left_out(nora_client, alert):
    nora_client.post(f"/care-team/alerts/{alert.pk}/", {"action": "no_action"})
    alert.refresh_from_db()
    assert (alert.action, alert.reply) == ("no_action", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose what was done."),
        ({"action": "phoned_her_mum"}, "Select a valid choice."),
        ({"action": "advised", "reply": "<script>alert(1)</script>"}, "looks like web code"),
        ({"action": "advised", "reply": "x" * 501}, "at most 500 characters"),
    ],
    ids=["no action", "unknown action", "markup", "too long"],
)
def test_bad_input_is_a_400_with_the_reason_and_nothing_saved(nora_client, alert, data, message):
    response = nora_client.post(f"/care-team/alerts/{alert.pk}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    alert.refresh_from_db()
    assert (alert.closed_at, alert.action, alert.reply) == (None, "", "")
    assert not AuditEvent.objects.filter(action="careteam.alert_close").exists()


def test_a_reply_of_500_characters_is_kept(nora_client, alert):
    nora_client.post(f"/care-team/alerts/{alert.pk}/", {"action": "advised", "reply": "y" * 500})
    alert.refresh_from_db()
    assert alert.reply == "y" * 500


def test_closing_twice_changes_nothing(nora_client, nora, alert, north, django_user_model):
    nora_client.post(f"/care-team/alerts/{alert.pk}/", {"action": "called", "reply": "Spoke"})
    alert.refresh_from_db()
    first = (alert.closed_at, alert.action, alert.reply, alert.closed_by_name)
    response = nora_client.post(f"/care-team/alerts/{alert.pk}/", {"action": "booked"})
    assert response.status_code == 302
    assert response["Location"] == f"/care-team/alerts/{alert.pk}/"
    alert.refresh_from_db()
    assert (alert.closed_at, alert.action, alert.reply, alert.closed_by_name) == first
    page = nora_client.get(response["Location"]).content.decode()
    assert "This alert was already closed by Nora Nurse." in page
    assert AuditEvent.objects.filter(action="careteam.alert_close").count() == 1


def test_an_id_that_is_no_alert_is_a_404(nora_client, alert):
    assert nora_client.get(f"/care-team/alerts/{alert.pk + 1}/").status_code == 404
    assert nora_client.get("/care-team/alerts/99999999999999999999/").status_code == 404
