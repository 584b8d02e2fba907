"""Who reaches the care team's pages: a clinician past the second step, for her own teams'
patients and alerts only. Every URL, walked as a clinician of the other team, as a
patient, as a caregiver, and signed out."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from portal.models import Alert, AuditEvent, CaregiverGrant
from tests.careteam.conftest import log
from tests.conftest import make_patient, pass_second_factor

pytestmark = pytest.mark.usefixtures("vocabulary")


@pytest.fixture
def alices_alert(alice_in_north):
    log(alice_in_north, "vomiting", timezone.now() - timedelta(hours=1), times_in_24h=2)
    return Alert.objects.get(patient=alice_in_north)


@pytest.fixture
def bobs_alert(bob_in_south):
    log(bob_in_south, "chest-pain", timezone.now() - timedelta(hours=1), severity=2)
    return Alert.objects.get(patient=bob_in_south)


def alices_urls(alert) -> list[tuple[str, str]]:
    """Each of alice's URLs, and how it is asked for."""
    return [
        ("get", f"/care-team/alerts/{alert.pk}/"),
        ("post", f"/care-team/alerts/{alert.pk}/"),
        ("get", f"/care-team/patients/{alert.patient_id}/"),
    ]


LISTS = ["/care-team/", "/care-team/patients/"]


def test_a_clinician_of_another_team_finds_none_of_alices_pages(
    sam_client, sam, alices_alert, bobs_alert
):
    for method, url in alices_urls(alices_alert):
        response = getattr(sam_client, method)(
            url, {"action": "called"} if method == "post" else {}
        )
        assert response.status_code == 404, (method, url)
    alices_alert.refresh_from_db()
    assert alices_alert.closed_at is None
    # Denied, in the trail, never as a view of alice's data.
    denied = AuditEvent.objects.filter(actor_id=sam.pk, outcome="denied")
    assert set(denied.values_list("action", flat=True)) == {
        "careteam.alert_access",
        "careteam.patient_access",
    }
    assert not AuditEvent.objects.filter(patient_id=alices_alert.patient_id).exists()
    # Her lists hold bob only.
    for url in LISTS:
        html = sam_client.get(url).content.decode()
        assert "Bob Baker" in html and "Alice" not in html, url
    # And her own team's pages open.
    for method, url in alices_urls(bobs_alert):
        if method == "get":
            assert sam_client.get(url).status_code == 200, url


def test_a_patient_not_in_her_teams_is_a_404_even_with_no_alert(sam_client, alice_in_north):
    assert sam_client.get(f"/care-team/patients/{alice_in_north.pk}/").status_code == 404
    assert sam_client.get("/care-team/patients/999999/").status_code == 404


def test_a_patient_gets_a_404_on_every_care_team_url(client, alice_in_north, alices_alert):
    pass_second_factor(client, alice_in_north)  # even past her own second step
    for url in LISTS:
        assert client.get(url).status_code == 404, url
    for method, url in alices_urls(alices_alert):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    alices_alert.refresh_from_db()
    assert alices_alert.closed_at is None


def test_a_caregiver_gets_a_404_on_every_care_team_url(client, alice_in_north, alices_alert):
    carer = make_patient("carer", "carer-password-123")
    grant = CaregiverGrant(patient=alice_in_north, email=carer.email, patient_name="Alice")
    grant.new_token()
    grant.caregiver, grant.accepted_at = carer, timezone.now()
    grant.save()
    client.force_login(carer)
    session = client.session
    session["portal_diary_of"] = grant.pk
    session.save()
    for url in LISTS:
        assert client.get(url).status_code == 404, url
    for method, url in alices_urls(alices_alert):
        assert getattr(client, method)(url).status_code == 404, (method, url)


def test_signed_out_every_url_asks_to_sign_in(client, alices_alert):
    for method, url in [("get", url) for url in LISTS] + alices_urls(alices_alert):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_clinician_without_an_authenticator_app_is_sent_to_set_one_up(client, nora, alices_alert):
    client.force_login(nora)
    for method, url in [("get", url) for url in LISTS] + alices_urls(alices_alert):
        response = getattr(client, method)(url)
        assert (response.status_code, response["Location"]) == (
            302,
            "/accounts/2fa/totp/activate/",
        ), url
    assert not AuditEvent.objects.filter(patient_id=alices_alert.patient_id).exists()


def test_a_clinician_who_has_not_entered_her_code_this_session_is_asked_for_it(
    client, nora, alices_alert
):
    TOTP.activate(nora, generate_totp_secret())
    client.force_login(nora)  # signed in, but not with the app in this session
    for method, url in [("get", url) for url in LISTS] + alices_urls(alices_alert):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next="), url
    alices_alert.refresh_from_db()
    assert alices_alert.closed_at is None
    assert not AuditEvent.objects.filter(patient_id=alices_alert.patient_id).exists()


def test_every_view_of_her_data_is_in_her_trail(nora_client, nora, alices_alert):
    alice_id = alices_alert.patient_id
    nora_client.get("/care-team/")
    nora_client.get("/care-team/patients/")
    nora_client.get(f"/care-team/alerts/{alices_alert.pk}/")
    nora_client.post(f"/care-team/alerts/{alices_alert.pk}/", {})  # a 400: the page again
    nora_client.get(f"/care-team/patients/{alice_id}/")
    nora_client.post(f"/care-team/alerts/{alices_alert.pk}/", {"action": "advised"})
    events = AuditEvent.objects.by_others_about(alices_alert.patient).order_by("pk")
    assert [(event.action, event.actor_id) for event in events] == [
        ("careteam.queue_view", nora.pk),
        ("careteam.patients_view", nora.pk),
        ("careteam.alert_view", nora.pk),
        ("careteam.alert_view", nora.pk),
        ("careteam.patient_view", nora.pk),
        ("careteam.alert_close", nora.pk),
    ]


def test_her_activity_page_lists_each_clinicians_view(nora_client, nora, alices_alert, client):
    from django.contrib.auth import get_user_model

    nora_client.get(f"/care-team/alerts/{alices_alert.pk}/")
    nora_client.get(f"/care-team/patients/{alices_alert.patient_id}/")
    client.force_login(get_user_model().objects.get(pk=alices_alert.patient_id))
    html = client.get("/account/activity/").content.decode()
    assert "What others did in your record" in html
    assert "opened an alert about your report" in html
    assert "opened your record for your care team" in html
