"""What a caregiver does is in the audit trail, on the patient's activity page, and marked
"entered by" on what she wrote: the entry, the summary's small print and the exports."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from portal.models import AuditEvent, DiaryEntry, Severity
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX

pytestmark = pytest.mark.django_db


def _log(client, words="tired") -> DiaryEntry:
    client.post("/diary/entries/new/", {"own_words": words, "severity": "2"})
    return DiaryEntry.objects.get(own_words=words)


def test_each_caregiver_action_is_audited_with_actor_and_patient(alice_client, client, alice, dana):
    alice_client.post(
        "/caregivers/invite/",
        {"email": "dana@example.org", "patient_name": "Alice", "access": "log"},
    )
    from django.core import mail

    token = mail.outbox[0].body.split("/caregivers/accept/")[1].split("/")[0]
    alice_client.logout()
    client.force_login(dana)
    client.post(f"/caregivers/accept/{token}/")
    grant = alice.caregiver_grants.get()
    client.post("/caregivers/switch/", {"grant": grant.pk})
    client.get("/diary/")
    entry = _log(client)
    client.get(f"/diary/entries/{entry.pk}/")
    client.get("/summary/")
    client.force_login(alice)
    client.post(f"/caregivers/{grant.pk}/revoke/")

    trail = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "patient_id"))
    assert [row for row in trail if row[0].startswith(("caregiver.", "diary.", "summary."))] == [
        ("caregiver.invite", alice.pk, None),
        ("caregiver.accept", dana.pk, alice.pk),
        ("caregiver.switch", dana.pk, alice.pk),
        ("diary.view", dana.pk, alice.pk),
        ("diary.entry_create", dana.pk, alice.pk),
        ("diary.entry_view", dana.pk, alice.pk),
        ("summary.view", dana.pk, alice.pk),
        ("caregiver.revoke", alice.pk, None),
    ]


def test_the_patients_own_reading_adds_no_view_rows(alice_client, alice):
    alice_client.get("/diary/")
    alice_client.get("/appointments/")
    alice_client.get("/questions/")
    assert not AuditEvent.objects.filter(action__endswith=".view").exclude(action="summary.view")


def test_her_activity_page_lists_what_her_caregiver_viewed_and_changed(
    alice_client, alice, dana, logs_for_alice
):
    client = Client()  # Dana's browser; alice_client is Alice's
    client.force_login(dana)
    enter(client, logs_for_alice)
    client.get("/diary/")
    _log(client)
    html = alice_client.get("/account/activity/").content.decode()
    assert "What others did in your record" in html
    assert "Dana Doe viewed your diary" in html
    assert "Dana Doe added a diary entry" in html
    assert "tired" not in html  # no health data
    # Dana's own activity page is about her account, not Alice's diary.
    client.post("/caregivers/switch/own/")
    own = client.get("/account/activity/").content.decode()
    assert "What others did in your record" not in own


def test_a_refused_write_is_audited_in_the_patients_name(alice_client, dana, views_for_alice):
    client = Client()  # Dana's browser; alice_client is Alice's
    client.force_login(dana)
    enter(client, views_for_alice)
    client.post("/diary/entries/new/", {"own_words": "x", "severity": "1"})
    assert AuditEvent.objects.filter(
        action="caregiver.entry_create", outcome="denied", patient_id=views_for_alice.patient_id
    ).exists()


def test_entered_by_shows_on_the_entry_the_summary_and_the_exports(
    alice_client, alice, dana, logs_for_alice
):
    client = Client()  # Dana's browser; alice_client is Alice's
    client.force_login(dana)
    enter(client, logs_for_alice)
    entry = _log(client)
    DiaryEntry.objects.create(
        patient=alice, own_words="hers", severity=Severity.MILD, occurred_at=timezone.now()
    )

    card = alice_client.get("/diary/").content.decode()
    assert card.count("Entered by Dana Doe") == 1
    detail = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert "Entered by Dana Doe" in detail
    assert (
        "Entered by Dana Doe"
        in alice_client.get(f"/diary/entries/{entry.pk}/", headers=HX).content.decode()
    )
    summary = alice_client.get("/summary/").content.decode()
    assert "Some entries were entered for the patient by Dana Doe." in summary

    today = timezone.localdate()
    response = alice_client.get(
        f"/summary/entries.csv?start={today - timedelta(days=1)}&end={today}"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-1] == "entered by"
    assert sorted(row[-1] for row in rows[1:]) == ["", "Dana Doe"]

    everything = alice_client.post("/account/download/csv/").content.decode()
    rows = list(csv.DictReader(io.StringIO(everything)))
    entered = {
        row["own_words"]: row["entered_by"] for row in rows if row["record"] == "diary_entry"
    }
    assert entered == {"tired": "Dana Doe", "hers": ""}

    bundle = json.loads(alice_client.post("/account/download/fhir/").content)
    Bundle.model_validate(bundle)
    resources = [item["resource"] for item in bundle["entry"]]
    [caregiver] = [r for r in resources if r["resourceType"] == "RelatedPerson"]
    assert caregiver["name"] == [{"text": "Dana Doe"}]
    urls = {item["resource"]["resourceType"]: item["fullUrl"] for item in bundle["entry"]}
    performers = {
        r["code"]["text"]: r["performer"][0]["reference"]
        for r in resources
        if r["resourceType"] == "Observation"
    }
    assert performers == {"tired": urls["RelatedPerson"], "hers": urls["Patient"]}


def test_the_banner_is_on_every_page_she_opens_in_the_diary(dana_client, alice, dana):
    grant = make_grant(alice, dana, "view")
    enter(dana_client, grant)
    for url in ("/", "/diary/", "/summary/", "/appointments/", "/questions/", "/account/"):
        html = dana_client.get(url).content.decode()
        assert "You are in <strong>Alice\u2019s diary</strong> (view only)" in html, url
        assert 'action="/caregivers/switch/own/"' in html
    dana_client.post("/caregivers/switch/own/")
    assert "You are in" not in dana_client.get("/diary/").content.decode()
