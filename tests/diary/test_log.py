import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.models import AuditEvent, DiaryEntry
from tests.conftest import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def noon():
    """Today at noon, local time: "later today" and "a minute ahead" stay on today."""
    today = timezone.localdate()
    moment = timezone.make_aware(timezone.datetime(today.year, today.month, today.day, 12))
    with time_machine.travel(moment, tick=True):
        yield moment


def another_day(delta: timedelta) -> dict:
    """The time choice for "another day", `delta` from now."""
    when = timezone.localtime() + delta
    return {"when": "other", "other_date": f"{when:%Y-%m-%d}", "other_time": f"{when:%H:%M}"}


def entry_data(chosen=None, **overrides) -> dict:
    data = {
        "own_words": "my hip aches",
        "symptom": chosen.pk if chosen else "",
        "severity": "2",
        "when": "now",
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
    assert 'role="combobox"' not in html and 'role="listbox"' not in html
    # A compact start: her words and the button that finds matching symptoms, nothing else.
    log_form = html[
        html.index('<form id="log-form"') : html.index("</form>", html.index("log-form"))
    ]
    assert 'name="own_words"' in log_form
    assert ">Find matching symptoms</button>" in log_form
    assert '<div id="log-details" class="details">' in log_form
    for hidden in ("<legend>", 'name="when"', 'name="note"', "Save in my diary", "<select"):
        assert hidden not in log_form
    # The hint is true without JavaScript; diary.js swaps in the one for typing.
    assert "then choose “Find matching symptoms”." in log_form
    assert 'data-js-hint="In your own words, for example “my hip aches”. Matching' in log_form


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
    assert DiaryEntry.objects.count() == 1
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="log-panel"')
    assert "Saved: Bone pain, moderate" in html
    assert "Bone pain is one of the symptoms of bone metastases" in html
    assert 'href="/learn/metastatic-breast-cancer/#symptoms-of-bone-metastases"' in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def _oob(html: str) -> list[str]:
    return re.findall(r'hx-swap-oob="([^"]+)"', html)


def _submission_ids(html: str) -> list[str]:
    return re.findall(r'name="submission_id" value="([^"]*)"', html)


def test_the_htmx_reply_is_the_new_card_and_out_of_band_swaps_not_the_history(
    alice_client, alice, symptoms
):
    older = DiaryEntry.objects.create(
        patient=alice,
        own_words="earlier",
        severity=1,
        occurred_at=timezone.now() - timedelta(days=3),
    )
    data = entry_data(symptoms["bone-pain"])
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    entry = DiaryEntry.objects.latest("pk")
    day = timezone.localdate(entry.occurred_at)
    # A fresh form with a new submission id, the card in a new day at the top, the status.
    assert _submission_ids(html) != [data["submission_id"]] and len(_submission_ids(html)) == 1
    assert uuid.UUID(_submission_ids(html)[0])
    assert _oob(html) == ["afterbegin:#entry-list", "innerHTML", "innerHTML"]
    assert f'<section class="diary-day" id="day-{day:%Y-%m-%d}">' in html
    assert html.count('<li id="entry-') == 1 and f'<li id="entry-{entry.pk}" class="entry">' in html
    assert 'id="diary-history"' not in html and f"entry-{older.pk}" not in html
    assert (
        '<p id="diary-status" hx-swap-oob="innerHTML">Saved in your diary: Bone pain.</p>' in html
    )
    assert f"It is in your entries below, under {day:%A} {day.day} {day:%B %Y}." in html


def test_a_second_entry_of_the_day_goes_at_the_top_of_its_days_list(alice_client, alice, symptoms):
    DiaryEntry.objects.create(
        patient=alice,
        own_words="earlier",
        severity=1,
        occurred_at=timezone.now() - timedelta(minutes=1),
    )
    html = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"]), headers=HX
    ).content.decode()
    day = timezone.localdate()
    assert _oob(html)[0] == f"afterbegin:#day-{day:%Y-%m-%d}-entries"
    assert '<section class="diary-day"' not in html


def test_an_entry_for_an_earlier_time_goes_in_its_place(alice_client, alice, symptoms, noon):
    today = timezone.localdate()

    def at(hour: int):
        return timezone.make_aware(timezone.datetime(today.year, today.month, today.day, hour))

    late, early = (
        DiaryEntry.objects.create(patient=alice, own_words=w, severity=1, occurred_at=at(h))
        for w, h in (("late", 11), ("early", 7))
    )
    two_days_ago = DiaryEntry.objects.create(
        patient=alice, own_words="old", severity=1, occurred_at=at(9) - timedelta(days=2)
    )
    # 09:00 today sits after 11:00 in today's list.
    data = entry_data(symptoms["fatigue"], when="today", time_today="09:00")
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    assert _oob(html)[0] == f"afterend:#entry-{late.pk}"
    # Yesterday, a day the list does not have: a new day after today's.
    data = entry_data(symptoms["fatigue"], **another_day(timedelta(days=-1)))
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    yesterday = today - timedelta(days=1)
    assert _oob(html)[0] == f"afterend:#day-{today:%Y-%m-%d}"
    assert f'<section class="diary-day" id="day-{yesterday:%Y-%m-%d}">' in html
    # Before the first entry of a day that has one: at the top of that day.
    data = entry_data(symptoms["fatigue"], **another_day(timedelta(days=-2, hours=-1)))
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    assert (
        _oob(html)[0]
        == f"afterbegin:#day-{timezone.localdate(two_days_ago.occurred_at):%Y-%m-%d}-entries"
    )
    assert early.pk  # 07:00 today stays below the 09:00 entry


def test_an_entry_older_than_the_first_page_is_not_inserted_the_panel_says_where(
    alice_client, alice, symptoms
):
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=alice,
            own_words="x",
            severity=1,
            occurred_at=timezone.now() - timedelta(hours=i),
        )
        for i in range(1, 21)
    )
    data = entry_data(symptoms["fatigue"], **another_day(timedelta(days=-30)))
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    entry = DiaryEntry.objects.latest("pk")
    day = timezone.localdate(entry.occurred_at)
    assert _oob(html) == ["innerHTML", "innerHTML"]
    assert f"It is with your entries of {day:%A} {day.day} {day:%B %Y}, further down." in html
    assert f'<a href="/diary/entries/{entry.pk}/">Open this entry</a>' in html


def test_the_first_entry_of_an_empty_diary_replaces_the_empty_list(alice_client, symptoms):
    html = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["fatigue"]), headers=HX
    ).content.decode()
    assert '<div id="entry-list" class="entry-list" hx-swap-oob="true">' in html
    assert "Your diary is empty." not in html


def test_a_filtered_history_gets_no_card_and_the_panel_says_so(alice_client, symptoms):
    data = entry_data(symptoms["fatigue"], history_filtered="1")
    html = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    assert _oob(html) == ["innerHTML", "innerHTML"]
    assert "Your entries below are filtered, so it may not be among them." in html
    page = alice_client.get("/diary/?attention=needs-attention").content.decode()
    assert '<input type="hidden" name="history_filtered" value="1" form="log-form">' in page
    assert 'name="history_filtered"' not in alice_client.get("/diary/").content.decode()


def test_after_a_reload_the_page_is_the_same_as_before(alice_client, alice, symptoms):
    alice_client.post("/diary/entries/new/", entry_data(symptoms["fatigue"]), headers=HX)
    html = alice_client.get("/diary/").content.decode()
    entry = DiaryEntry.objects.get()
    assert f'<li id="entry-{entry.pk}" class="entry">' in html
    assert "Saved: " not in html
    assert '<div id="log-details" class="details"></div>' in html


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
    "a day in the future": (another_day(timedelta(days=1)), "The date cannot be in the future."),
    "a time later today": ({"when": "today", "time_today": "18:00"}, "cannot be in the future."),
    "another day, today, later": (another_day(timedelta(hours=3)), "cannot be in the future."),
    "another day without a date": (
        {"when": "other", "other_time": "10:00"},
        "Enter the date it happened, for example 24/11/2026.",
    ),
    "another day without a time": (
        {"when": "other", "other_date": "2026-01-02"},
        "Enter the time it happened, for example 14:30.",
    ),
    "earlier today without a time": (
        {"when": "today", "time_today": ""},
        "Enter the time it happened today, for example 14:30.",
    ),
    "a time that is not a time": (
        {"when": "today", "time_today": "teatime"},
        "Enter the time, for example 14:30.",
    ),
    "a date that is not a date": (
        {"when": "other", "other_date": "yesterday-ish", "other_time": "10:00"},
        "Enter the date, for example 24/11/2026.",
    ),
    "a day at the start of the calendar": (
        {"when": "other", "other_date": "0001-01-01", "other_time": "10:00"},
        "check the year",
    ),
    "an unknown time choice": ({"when": "tomorrow"}, "Choose when it happened"),
    "negative severity": ({"severity": "-1"}, "Choose how bad it is"),
    "100 kB note": ({"note": "x" * 100_000}, "Ensure this value has at most 2000 characters"),
    "NUL byte in the note": ({"note": "pain\x00"}, "Null characters are not allowed."),
    "NUL byte in own words": ({"own_words": "hip\x00"}, "Null characters are not allowed."),
    "script tag in the note": ({"note": "<script>alert(1)</script>"}, "looks like web code"),
    "script tag in own words": ({"own_words": "<script>alert(1)</script>"}, "looks like web code"),
    "unknown symptom": ({"symptom": "99999"}, "Choose one of the symptoms that match your words"),
    "own words too long": ({"own_words": "a" * 201}, "at most 200 characters"),
}


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_without_javascript_is_a_400_with_inline_errors(
    alice_client, symptoms, noon, overrides, message
):
    response = alice_client.post(
        "/diary/entries/new/", entry_data(symptoms["bone-pain"], **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Nothing has been saved yet." in html
    assert 'aria-invalid="true"' in html or "symptom" in overrides  # a hidden field
    assert "<script>alert(1)</script>" not in html
    assert DiaryEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action="diary.entry_create").exists()


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_with_htmx_returns_the_form_with_errors_as_a_200(
    alice_client, symptoms, noon, overrides, message
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


def test_a_time_a_little_ahead_of_the_server_clock_is_accepted(alice_client, symptoms, noon):
    data = entry_data(symptoms["fatigue"], **another_day(timedelta(minutes=1)))
    assert alice_client.post("/diary/entries/new/", data).status_code == 302


TIME_CHOICES = {
    "now": ({"when": "now"}, lambda noon: noon),
    "left out: now": ({"when": ""}, lambda noon: noon),
    "earlier today": (
        {"when": "today", "time_today": "08:15"},
        lambda noon: noon.replace(hour=8, minute=15),
    ),
    "another day": (
        {"when": "other", "other_date": "2026-03-29", "other_time": "01:30"},
        lambda noon: timezone.make_aware(timezone.datetime(2026, 3, 29, 1, 30)),
    ),
    "another day, typed the British way": (
        {"when": "other", "other_date": "24/11/2026", "other_time": "14.30"},
        lambda noon: timezone.make_aware(timezone.datetime(2026, 11, 24, 14, 30)),
    ),
}


@pytest.mark.parametrize(("choice", "expected"), TIME_CHOICES.values(), ids=TIME_CHOICES.keys())
def test_the_time_choice_sets_when_it_happened(alice_client, symptoms, noon, choice, expected):
    data = {**entry_data(symptoms["fatigue"]), **choice}
    assert alice_client.post("/diary/entries/new/", data).status_code == 302
    occurred_at = DiaryEntry.objects.get().occurred_at
    assert abs(occurred_at - expected(noon)) < timedelta(seconds=30)


def test_the_time_choice_is_one_group_that_starts_at_now(alice_client, symptoms):
    data = {"own_words": "my hip aches", "submission_id": str(uuid.uuid4())}
    html = alice_client.post(
        "/diary/suggestions/", data, headers={**HX, "HX-Target": "log-choice"}
    ).content.decode()
    assert "<legend>When did it happen?</legend>" in html
    assert 'type="radio" name="when" value="now"' in html and 'value="now" required' not in html
    assert re.search(r'name="when" value="now"[^>]*checked', html)
    for label in ("Now", "Earlier today", "Another day", "Time today", "Date", "Time"):
        assert f">{label}<" in html
    assert 'type="time" name="time_today"' in html and 'type="date" name="other_date"' in html
    assert "datetime-local" not in html


def test_an_edit_shows_the_entrys_own_time(alice_client, alice, symptoms):
    yesterday = timezone.localtime() - timedelta(days=1)
    entry = DiaryEntry.objects.create(
        patient=alice, own_words="sore", severity=1, occurred_at=yesterday.replace(hour=9, minute=5)
    )
    html = alice_client.get(f"/diary/entries/{entry.pk}/edit/").content.decode()
    assert re.search(r'name="when" value="other"[^>]*checked', html)
    assert f'value="{yesterday:%Y-%m-%d}"' in html and 'value="09:05"' in html


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


CHOICE = {**HX, "HX-Target": "log-choice"}


def test_typing_returns_the_matching_symptoms_as_buttons(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/", {"own_words": "my hip aches"}, headers=CHOICE
    )
    html = response.content.decode()
    bone_pain = symptoms["bone-pain"]
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="log-choice" class="choice">')
    assert 'role="listbox"' not in html and 'role="option"' not in html
    button = re.search(
        rf'<button type="submit"[^>]*name="symptom" value="{bone_pain.pk}"[^>]*>', html
    )
    assert button and 'formaction="/diary/questions/"' in button[0]
    assert 'hx-post="/diary/questions/"' in button[0] and 'aria-pressed="false"' in button[0]
    assert ">None of these: keep my own words</button>" in html
    # What a screen reader hears once typing pauses (diary.js reads it out when it changes).
    assert re.search(r'<p class="visually-hidden" data-announce>\d symptoms? match', html)
    # The first time, the rest of the form comes too, asking the best match's questions.
    assert '<div id="log-details" class="details" hx-swap-oob="true">' in html
    assert "Questions about Bone pain" in html and "The best match for your words." in html
    assert "no-store" in response["Cache-Control"]


def test_later_suggestions_swap_only_the_questions(alice_client, symptoms):
    data = {"own_words": "my hip aches", "questions_shown": "1", "note": "kept"}
    html = alice_client.post("/diary/suggestions/", data, headers=CHOICE).content.decode()
    assert '<div id="log-grading" class="grading" hx-swap-oob="true">' in html
    assert 'id="log-details"' not in html


def test_suggestions_use_the_form_htmx_names_and_nothing_else(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "yellow eyes"},
        headers={**HX, "HX-Target": "edit-7-choice"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="edit-7-choice" class="choice">')
    assert 'id="edit-7-grading"' in html
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "yellow eyes"},
        headers={**HX, "HX-Target": '"><script>'},
    )
    assert response.status_code == 303  # not a form's: the plain answer, a redirect
    assert "<script>" not in response.content.decode()


def test_unrelated_words_get_no_suggestions(alice_client, symptoms):
    html = alice_client.post(
        "/diary/suggestions/", {"own_words": "I went shopping"}, headers=CHOICE
    ).content.decode()
    assert 'name="symptom" value="' not in html.replace('value=""', "")
    assert "No symptom matches your words. You can keep your own words." in html


def test_suggestions_are_never_asked_for_in_the_url(alice_client, symptoms):
    assert alice_client.get("/diary/suggestions/?own_words=hip").status_code == 405


def test_suggestions_without_javascript_redirect_and_the_diary_shows_them(alice_client, symptoms):
    data = entry_data(own_words="yellow eyes", severity="3")
    response = alice_client.post("/diary/suggestions/", data)
    assert response.status_code == 303
    assert response["Location"] == "/diary/#log-choice"  # no words in the URL
    assert "yellow" not in response["Location"]
    page = alice_client.get(response["Location"])
    html = page.content.decode()
    jaundice = symptoms["jaundice"]
    assert "Symptoms that match your words." in html
    assert f'name="symptom" value="{jaundice.pk}" aria-pressed="false"' in html
    assert 'value="yellow eyes"' in html
    assert "Questions about Jaundice" in html
    assert 'value="3" id="id_severity_3" checked' in html  # what she answered is kept
    # A refresh is a GET of the diary: the same page, nothing posted again.
    assert alice_client.get("/diary/").content.decode().count("Questions about Jaundice") == 1
    assert DiaryEntry.objects.count() == 0


def test_a_suggestion_button_without_javascript_chooses_it_and_shows_its_questions(
    alice_client, symptoms
):
    nausea = symptoms["vomiting"]  # the second match: the first is the headache
    data = {**entry_data(own_words="headache and threw up"), "symptom": ["", str(nausea.pk)]}
    response = alice_client.post("/diary/questions/", data)
    assert response.status_code == 303 and response["Location"] == "/diary/#log-details"
    html = alice_client.get("/diary/").content.decode()
    assert f'name="symptom" value="{nausea.pk}" aria-pressed="true"' in html
    assert '<input type="hidden" name="symptom" value="' + str(nausea.pk) in html
    assert "Questions about Vomiting" in html
    # Saving it, and the draft is gone.
    saved = alice_client.post(
        "/diary/entries/new/", {**entry_data(nausea, own_words="headache and threw up")}
    )
    assert saved.status_code == 302
    assert DiaryEntry.objects.get().symptom == nausea
    assert "Questions about" not in alice_client.get("/diary/").content.decode()


def test_a_suggestion_button_with_htmx_marks_the_choice_and_focuses_its_questions(
    alice_client, symptoms
):
    nausea = symptoms["vomiting"]
    data = {
        "own_words": "headache and threw up",
        "symptom": ["", str(nausea.pk)],
        "questions_shown": "1",
    }
    html = alice_client.post("/diary/questions/", data, headers=CHOICE).content.decode()
    assert f'value="{nausea.pk}" aria-pressed="true"' in html
    assert (
        '<h3 id="log-grading-heading" class="grading-heading" tabindex="-1" autofocus>'
        "Questions about Vomiting</h3>" in html
    )
    assert (
        '<p id="diary-status" hx-swap-oob="innerHTML">The questions are now about Vomiting.</p>'
        in html
    )


def test_typed_script_is_escaped_in_the_suggestions_page(alice_client, symptoms):
    alice_client.post("/diary/suggestions/", {"own_words": "<script>x</script>"})
    html = alice_client.get("/diary/").content.decode()
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
    assert '<div class="care-notice care-notice-emergency">' in html
    assert html.count('class="care-notice') == 1  # once, not again on the card in the list
    # Read out at once: the assertive live region, already on the page, receives its words.
    alert = html[html.index('<div id="diary-alert" hx-swap-oob="innerHTML">') :]
    assert alert.startswith(
        '<div id="diary-alert" hx-swap-oob="innerHTML"><p>This may need urgent help.'
    )
    assert "call emergency services now" in alert
    assert 'id="diary-alert" class="visually-hidden" aria-live="assertive"' in (
        alice_client.get("/diary/").content.decode()
    )
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


def test_a_retried_htmx_save_replaces_the_card_instead_of_adding_a_second(alice_client, symptoms):
    data = entry_data(symptoms["bone-pain"])
    alice_client.post("/diary/entries/new/", data, headers=HX)
    again = alice_client.post("/diary/entries/new/", data, headers=HX).content.decode()
    entry = DiaryEntry.objects.get()
    # One card, swapped in where the first reply put it; nothing inserted before or after.
    assert again.count(f'id="entry-{entry.pk}"') == 1
    assert f'<li id="entry-{entry.pk}" class="entry" hx-swap-oob="true">' in again
    assert "afterbegin:" not in again and "afterend:" not in again
    assert "It was already saved, once." in again
