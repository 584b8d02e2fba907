import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent, DiaryEntry
from tests.conftest import HX

pytestmark = pytest.mark.django_db


def now_field(delta: timedelta = timedelta(0)) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def entry_data(chosen=None, **overrides) -> dict:
    data = {
        "own_words": "my hip aches",
        "symptom": chosen.pk if chosen else "",
        "severity": "2",
        "occurred_at": now_field(-timedelta(minutes=5)),
        "note": "Worse after the stairs.",
        "submission_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_diary_page_offers_the_log_form(alice_client, symptoms):
    response = alice_client.get("/diary/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/diary/entries/new/"' in html
    assert 'role="combobox"' in html
    assert "<legend>How bad is it?</legend>" in html
    for word in ["None", "Mild", "Moderate", "Severe", "Very severe"]:
        assert f"<span>{word}</span>" in html
    assert response.context["form"].initial["occurred_at"] <= timezone.now()


def test_the_diary_is_private_and_never_cached(client, alice_client, symptoms):
    response = alice_client.get("/diary/")
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in response.content.decode()
    client.logout()
    response = client.get("/diary/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logging_without_javascript_saves_and_redirects_to_the_entry(alice_client, symptoms):
    bone_pain = symptoms["bone-pain"]
    response = alice_client.post("/diary/entries/new/", entry_data(bone_pain))
    entry = DiaryEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/diary/entries/{entry.pk}/"
    assert entry.symptom == bone_pain
    assert entry.own_words == "my hip aches"
    assert entry.severity == 2
    page = alice_client.get(response["Location"]).content.decode()
    assert "Saved in your diary." in page
    assert "Bone pain is one of the symptoms of bone metastases" in page


def test_logging_with_htmx_returns_the_entry_and_opens_the_section(alice_client, symptoms):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["bone-pain"]), headers=HX
    )
    html = response.content.decode()
    entry = DiaryEntry.objects.get()
    assert response.status_code == 200
    assert "Saved: Bone pain, moderate" in html
    assert "Bone pain is one of the symptoms of bone metastases" in html
    assert 'href="/learn/metastatic-breast-cancer/#symptoms-of-bone-metastases"' in html
    # The list is swapped out of band with the new entry at the top, and a fresh form.
    assert 'id="diary-history"' in html and 'hx-swap-oob="true"' in html
    assert f'id="entry-{entry.pk}"' in html
    assert str(entry.submission_id) not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_own_words_alone_are_a_valid_entry(alice_client, symptoms):
    # Words the vocabulary does not know ("tingling" is PRO-CTCAE's Numbness & tingling).
    response = alice_client.post(
        "/diary/entries/new/", entry_data(own_words="something odd I cannot name")
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.symptom is None
    assert entry.label == "something odd I cannot name"


def test_a_symptom_alone_is_a_valid_entry(alice_client, symptoms):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"], own_words="")
    )
    assert response.status_code == 302
    assert DiaryEntry.objects.get().label == "Fatigue"


def test_logging_is_audited_without_health_data(alice_client, alice, symptoms):
    alice_client.post("/diary/entries/new/", entry_data(symptoms["bone-pain"]))
    entry = DiaryEntry.objects.get()
    event = AuditEvent.objects.get(action="diary.entry_create")
    assert event.actor_id == alice.pk
    assert (event.record_type, event.record_id) == ("portal.diaryentry", str(entry.pk))
    assert event.outcome == "success"


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_retried_submission_saves_one_entry(alice_client, symptoms, headers):
    data = entry_data(symptoms["bone-pain"])
    first = alice_client.post("/diary/entries/new/", data, headers=headers)
    second = alice_client.post("/diary/entries/new/", data, headers=headers)
    assert DiaryEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="diary.entry_create").count() == 1
    assert first.status_code == second.status_code
    if not headers:
        assert first["Location"] == second["Location"]


def test_the_same_submission_id_from_another_patient_is_their_own_entry(
    client, alice, bob, symptoms
):
    data = entry_data(symptoms["bone-pain"])
    client.force_login(alice)
    client.post("/diary/entries/new/", data)
    client.force_login(bob)
    client.post("/diary/entries/new/", data)
    assert sorted(DiaryEntry.objects.values_list("patient__username", flat=True)) == [
        "alice",
        "bob",
    ]


BAD_INPUT = {
    "no symptom and no words": ({"own_words": "", "symptom": ""}, "Tell us what you are feeling"),
    "severity out of range": ({"severity": "5"}, "Choose how bad it is"),
    "severity not a number": ({"severity": "terrible"}, "Choose how bad it is"),
    "severity missing": ({"severity": ""}, "Choose how bad it is"),
    "time in the future": (
        {"occurred_at": now_field(timedelta(days=1))},
        "The time cannot be in the future.",
    ),
    "time not a time": ({"occurred_at": "yesterday-ish"}, "Enter the date and time"),
    "time at the start of the calendar": ({"occurred_at": "0001-01-01T00:00"}, "check the year"),
    "negative severity": ({"severity": "-1"}, "Choose how bad it is"),
    "100 kB note": ({"note": "x" * 100_000}, "Ensure this value has at most 2000 characters"),
    "NUL byte in the note": ({"note": "pain\x00"}, "Null characters are not allowed."),
    "NUL byte in own words": ({"own_words": "hip\x00"}, "Null characters are not allowed."),
    "script tag in the note": ({"note": "<script>alert(1)</script>"}, "looks like web code"),
    "script tag in own words": ({"own_words": "<script>alert(1)</script>"}, "looks like web code"),
    "unknown symptom": ({"symptom": "99999"}, "Select a valid choice"),
    "own words too long": ({"own_words": "a" * 201}, "at most 200 characters"),
}


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_without_javascript_is_a_400_with_inline_errors(
    alice_client, symptoms, overrides, message
):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["bone-pain"], **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Nothing has been saved yet." in html
    assert 'aria-invalid="true"' in html
    assert "<script>alert(1)</script>" not in html
    assert DiaryEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action="diary.entry_create").exists()


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_with_htmx_returns_the_form_with_errors_as_a_200(
    alice_client, symptoms, overrides, message
):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["bone-pain"], **overrides), headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert html.lstrip().startswith('<section id="log-panel"')
    assert "<script>alert(1)</script>" not in html
    assert DiaryEntry.objects.count() == 0


def test_a_time_a_little_ahead_of_the_server_clock_is_accepted(alice_client, symptoms):
    data = entry_data(symptoms["fatigue"], occurred_at=now_field(timedelta(minutes=1)))
    assert alice_client.post("/diary/entries/new/", data).status_code == 302


def test_the_log_url_only_accepts_posts(alice_client, symptoms):
    assert alice_client.get("/diary/entries/new/").status_code == 405


def test_a_post_without_the_csrf_token_is_refused(alice, symptoms):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/diary/entries/new/", entry_data(symptoms["bone-pain"]))
    assert response.status_code == 403
    assert DiaryEntry.objects.count() == 0


# Suggestions -----------------------------------------------------------------------------


def test_typing_returns_a_listbox_of_suggestions(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "my hip aches"},
        headers={**HX, "HX-Target": "symptom-suggestions"},
    )
    html = response.content.decode()
    bone_pain = symptoms["bone-pain"]
    assert response.status_code == 200
    assert '<ul id="symptom-suggestions" class="suggestions" role="listbox"' in html
    assert f'id="symptom-suggestions-{bone_pain.pk}"' in html
    assert 'role="option" aria-selected="false">Bone pain</li>' in html
    assert 'hx-swap-oob="innerHTML"' in html and "suggestion" in html
    assert "no-store" in response["Cache-Control"]


def test_suggestions_use_the_listbox_id_htmx_names(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "yellow eyes"},
        headers={**HX, "HX-Target": "edit-7-list"},
    )
    assert 'id="edit-7-list"' in response.content.decode()
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "yellow eyes"},
        headers={**HX, "HX-Target": '"><script>'},
    )
    html = response.content.decode()
    assert 'id="symptom-suggestions"' in html
    assert "<script>" not in html


def test_unrelated_words_get_no_suggestions(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/", {"own_words": "I went shopping"}, headers=HX
    )
    html = response.content.decode()
    assert 'role="option"' not in html
    assert "No suggestions. You can keep your own words." in html


def test_suggestions_are_never_asked_for_in_the_url(alice_client, symptoms):
    assert alice_client.get("/diary/suggestions/?own_words=hip").status_code == 405


def test_suggestions_without_javascript_choose_the_best_match_in_the_form(alice_client, symptoms):
    data = entry_data(symptoms["fatigue"], own_words="yellow eyes", severity="3")
    response = alice_client.post("/diary/suggestions/", data)
    html = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 200
    assert form["symptom"].value() == symptoms["jaundice"].pk
    assert "Symptoms that match your words: <strong>Jaundice</strong>" in html
    assert f'<option value="{symptoms["jaundice"].pk}" selected>Jaundice</option>' in html
    assert 'value="yellow eyes"' in html
    # The answers are optional one by one, so no radio button is required.
    assert 'value="3" id="id_severity_3" checked' in html
    assert DiaryEntry.objects.count() == 0


def test_typed_script_is_escaped_in_the_suggestions_page(alice_client, symptoms):
    response = alice_client.post("/diary/suggestions/", {"own_words": "<script>x</script>"})
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


# When to contact the care team -------------------------------------------------------------


def test_a_seizure_shows_the_emergency_notice(alice_client, symptoms):
    response = alice_client.post(
        "/diary/entries/new/",
        entry_data(symptoms["seizures"], own_words="had a fit", severity="1"),
        headers=HX,
    )
    html = response.content.decode()
    assert 'class="care-notice care-notice-emergency" role="alert"' in html
    assert html.count('class="care-notice') == 1  # once, not again on the card in the list
    assert "call emergency services now" in html
    assert "This portal is not monitored by your care team." in html
    assert "Source of this guidance: Portal default" in html


def test_a_routine_symptom_rated_mild_shows_no_notice(alice_client, symptoms):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"], severity="1"), headers=HX
    )
    assert "care-notice" not in response.content.decode()


def test_a_severe_rating_asks_to_contact_the_care_team(alice_client, symptoms):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"], severity="3"), headers=HX
    )
    html = response.content.decode()
    assert "Please contact your care team" in html
    assert "You rated this as severe." in html
    assert "This portal is not monitored by your care team." in html


def test_a_rise_of_two_levels_within_a_week_asks_to_contact_the_care_team(
    alice_client, alice, symptoms
):
    DiaryEntry.objects.create(
        patient=alice,
        symptom=symptoms["fatigue"],
        severity=0,
        occurred_at=timezone.now() - timedelta(days=3),
    )
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"], severity="2"), headers=HX
    )
    html = response.content.decode()
    assert "It is 2 levels worse than on" in html
    assert "This portal is not monitored by your care team." in html


def test_a_huge_symptom_number_is_an_inline_error(alice_client, symptoms):
    response = alice_client.post("/diary/entries/new/", entry_data(symptom="99999999999999999999"))
    assert response.status_code == 400
    assert DiaryEntry.objects.count() == 0


@pytest.mark.parametrize("submission_id", ["", "not-a-uuid", "\x00"])
def test_a_missing_or_garbled_submission_key_still_saves_once(
    alice_client, symptoms, submission_id
):
    data = entry_data(symptoms["fatigue"], submission_id=submission_id)
    response = alice_client.post("/diary/entries/new/", data)
    assert response.status_code == 302
    assert DiaryEntry.objects.get().submission_id is None


def test_the_error_summary_links_to_the_first_severity_word(alice_client, symptoms):
    html = alice_client.post(
        "/diary/entries/new/", entry_data(own_words="something odd", severity="")
    ).content.decode()
    assert '<a href="#id_severity_0">How bad is it?: Choose how bad it is' in html
    assert 'id="id_severity_0"' in html


def test_no_answer_at_all_is_an_error_on_the_first_question_of_the_symptom(alice_client, symptoms):
    # Fatigue asks how bad at its worst and how much it got in the way: neither answered.
    html = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"], severity="")
    ).content.decode()
    assert (
        '<a href="#id_severity_0">How bad was it at its worst?: '
        "Answer at least one of the questions about Fatigue.</a>"
    ) in html
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("note", ["pain < a week", "a < b", "<3 from my daughter", "5 > 4"])
def test_ordinary_less_than_signs_in_a_note_are_kept(alice_client, alice, symptoms, note):
    response = alice_client.post("/diary/entries/new/", entry_data(symptoms["fatigue"], note=note))
    assert response.status_code == 302
    assert DiaryEntry.objects.get(patient=alice).note == note


def test_section_activity_of_an_unpublished_article_is_a_404(alice_client, symptoms):
    from education.models import Section

    section = Section.objects.get(slug="symptoms-of-bone-metastases")
    section.article.published = False
    section.article.save()
    assert alice_client.get(f"/diary/sections/{section.pk}/activity/").status_code == 404
