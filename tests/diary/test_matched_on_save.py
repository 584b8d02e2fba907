"""Saving without choosing links the best match; "Not this" keeps only the words."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.diary.forms import OWN_WORDS_ONLY
from portal.models import AuditEvent, CaregiverGrant, DiaryEntry
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX, make_patient

pytestmark = pytest.mark.django_db
CHOICE = {**HX, "HX-Target": "log-choice"}


def entry_data(own_words: str, symptom="", **overrides) -> dict:
    return {
        "own_words": own_words,
        "symptom": symptom,
        "severity": "1",
        "when": "now",
        "submission_id": str(uuid.uuid4()),
        **overrides,
    }


@pytest.fixture
def matched_entry(alice, symptoms):
    return DiaryEntry.objects.create(
        patient=alice,
        symptom=symptoms["vomiting"],
        own_words="threw up twice",
        severity=1,
        occurred_at=timezone.now() - timedelta(hours=1),
    )


# Saving without choosing ---------------------------------------------------------------------


def test_the_suggestions_tell_the_best_match_from_keeping_my_words(alice_client, symptoms):
    html = alice_client.post(
        "/diary/suggestions/", {"own_words": "threw up twice"}, headers=CHOICE
    ).content.decode()
    assert '<input type="hidden" name="symptom" id="id_symptom">' in html  # none chosen
    assert "The best match for your words." in html
    assert f'name="symptom" value="{OWN_WORDS_ONLY}" aria-pressed="false"' in html
    assert ">None of these: keep my own words</button>" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_saving_without_choosing_links_the_best_match(alice_client, symptoms, headers):
    response = alice_client.post(
        "/diary/entries/new/", entry_data("threw up twice"), headers=headers
    )
    assert response.status_code == (200 if headers else 302)
    entry = DiaryEntry.objects.get()
    assert (entry.symptom, entry.own_words) == (symptoms["vomiting"], "threw up twice")
    if not headers:
        response = alice_client.get(response["Location"])
    html = response.content.decode()
    assert "Matched to: <strong>Vomiting</strong>" in html
    assert f'action="/diary/entries/{entry.pk}/unmatch/"' in html


def test_the_first_complaint_of_a_sentence_is_the_one_linked(alice_client, symptoms):
    alice_client.post("/diary/entries/new/", entry_data("headache and threw up"))
    assert DiaryEntry.objects.get().symptom == symptoms["headaches-or-pressure-in-the-head"]


@pytest.mark.parametrize("words", ["no pain today", "haven't been sick", "lunch with friends"])
def test_denied_or_unknown_words_are_saved_without_a_symptom(alice_client, symptoms, words):
    assert alice_client.post("/diary/entries/new/", entry_data(words)).status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.symptom, entry.own_words) == (None, words)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_keep_my_own_words_saves_no_symptom(alice_client, symptoms, headers):
    data = entry_data("threw up twice", symptom=OWN_WORDS_ONLY)
    response = alice_client.post("/diary/entries/new/", data, headers=headers)
    assert response.status_code == (200 if headers else 302)
    entry = DiaryEntry.objects.get()
    assert (entry.symptom, entry.own_words) == (None, "threw up twice")
    assert "Matched to" not in response.content.decode()


def test_a_symptom_chosen_is_kept_over_the_best_match(alice_client, symptoms):
    data = entry_data("threw up twice", symptom=symptoms["nausea"].pk)
    alice_client.post("/diary/entries/new/", data)
    assert DiaryEntry.objects.get().symptom == symptoms["nausea"]


def test_keep_my_own_words_still_needs_words(alice_client, symptoms):
    response = alice_client.post("/diary/entries/new/", entry_data("", symptom=OWN_WORDS_ONLY))
    assert response.status_code == 400
    assert "Tell us what you are feeling" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_editing_an_entry_kept_in_own_words_keeps_it_so(alice_client, alice, symptoms):
    entry = DiaryEntry.objects.create(
        patient=alice, own_words="threw up twice", severity=1, occurred_at=timezone.now()
    )
    form = alice_client.get(f"/diary/entries/{entry.pk}/edit/").context["form"]
    assert form["symptom"].value() == OWN_WORDS_ONLY
    data = entry_data("threw up twice", symptom=OWN_WORDS_ONLY, severity="2")
    alice_client.post(f"/diary/entries/{entry.pk}/edit/", data)
    entry.refresh_from_db()
    assert (entry.symptom, entry.severity) == (None, 2)


# "Not this" ----------------------------------------------------------------------------------


def test_not_this_without_javascript_keeps_the_words_and_is_audited(
    alice_client, alice, matched_entry
):
    response = alice_client.post(f"/diary/entries/{matched_entry.pk}/unmatch/")
    assert response.status_code == 302
    assert response["Location"] == f"/diary/entries/{matched_entry.pk}/"
    matched_entry.refresh_from_db()
    assert (matched_entry.symptom, matched_entry.own_words) == (None, "threw up twice")
    event = AuditEvent.objects.get(action="diary.entry_unmatch")
    assert (event.actor_id, event.record_id) == (alice.pk, str(matched_entry.pk))
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    html = alice_client.get(response["Location"]).content.decode()
    assert "The entry keeps your own words, with no symptom." in html
    assert "Matched to" not in html


def test_not_this_with_htmx_returns_the_saved_panel_and_the_card(alice_client, matched_entry):
    response = alice_client.post(f"/diary/entries/{matched_entry.pk}/unmatch/", headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert '<div id="saved-entry" class="saved"' in html
    assert "Saved: threw up twice, mild" in html
    assert "The entry keeps your own words, with no symptom." in html
    assert "Matched to" not in html
    assert f'<li id="entry-{matched_entry.pk}" class="entry" hx-swap-oob="true">' in html
    matched_entry.refresh_from_db()
    assert matched_entry.symptom is None
    assert AuditEvent.objects.filter(action="diary.entry_unmatch").count() == 1


def test_not_this_takes_post_only(alice_client, matched_entry):
    assert alice_client.get(f"/diary/entries/{matched_entry.pk}/unmatch/").status_code == 405
    matched_entry.refresh_from_db()
    assert matched_entry.symptom_id


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_not_this_on_another_patients_entry_is_a_404_and_changes_nothing(
    client, bob, matched_entry, headers
):
    client.force_login(bob)
    response = client.post(f"/diary/entries/{matched_entry.pk}/unmatch/", headers=headers)
    assert response.status_code == 404
    matched_entry.refresh_from_db()
    assert matched_entry.symptom_id
    denied = AuditEvent.objects.get(actor_id=bob.pk, outcome=AuditEvent.Outcome.DENIED)
    assert denied.action == "diary.entry_unmatch"


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_caregiver_who_may_only_view_cannot_say_not_this(client, alice, matched_entry, headers):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.VIEW))
    assert "Not this" not in client.get(f"/diary/entries/{matched_entry.pk}/").content.decode()
    response = client.post(f"/diary/entries/{matched_entry.pk}/unmatch/", headers=headers)
    assert response.status_code == 403
    matched_entry.refresh_from_db()
    assert matched_entry.symptom_id


def test_a_caregiver_who_logs_says_not_this_as_entered_by_her(client, alice, matched_entry):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.LOG))
    assert client.post(f"/diary/entries/{matched_entry.pk}/unmatch/").status_code == 302
    matched_entry.refresh_from_db()
    assert (matched_entry.symptom, matched_entry.entered_by) == (None, dana)


def test_the_suggestions_offer_each_complaint_of_a_sentence(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "headache and threw up"},
        headers=CHOICE,
    )
    html = response.content.decode()
    headache, vomiting = symptoms["headaches-or-pressure-in-the-head"], symptoms["vomiting"]
    assert html.index(f'id="log-choice-{headache.pk}"') < html.index(
        f'id="log-choice-{vomiting.pk}"'
    )
