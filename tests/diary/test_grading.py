"""Entries graded the way PRO-CTCAE grades: each symptom's own questions with NCI's words,
the numbers red-flag rules need (read from her words too), and the notice they raise,
with the clinic's number, stored on the entry for the history and its filter."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import RedFlagRule, Symptom
from portal.models import DiaryEntry, NoticeLevel
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX, example_clinic, load_vocabulary, make_patient

pytestmark = pytest.mark.django_db

ACUTE = '<a href="tel:01632960001">01632 960 001</a>'
EMERGENCY = '<a href="tel:999">999</a>'
QUESTIONS = ("frequency", "severity", "interference", "amount", "presence")
NUMBERS = ("temperature_c", "times_in_24h")


@pytest.fixture
def rules(symptoms):
    load_vocabulary()
    return {rule.name: rule for rule in RedFlagRule.objects.all()}


@pytest.fixture
def contacts(db):
    return example_clinic(breast_care_nurse_line="", breast_care_nurse_hours="")


def term(name: str) -> Symptom:
    return Symptom.objects.get(pro_ctcae_term=name)


def entry_data(own_words: str = "", symptom="", **answers) -> dict:
    return {
        "own_words": own_words,
        "symptom": getattr(symptom, "pk", symptom),
        "when": "now",
        "note": "Kept with the entry.",
        "submission_id": str(uuid.uuid4()),
        **answers,
    }


def log(client, headers=None, **data):
    return client.post("/diary/entries/new/", entry_data(**data), headers=headers or {})


# The questions swapped in when a suggestion is chosen (the form's questions already shown).
GRADING = {**HX, "HX-Target": "log-choice"}


def choose(client, target: str = "log-choice", **data):
    return client.post(
        "/diary/questions/", {"questions_shown": "1", **data}, headers={**HX, "HX-Target": target}
    )


def log_form(html: str) -> str:
    return html[html.index('<form id="log-form"') : html.index("</form>", html.index("log-form"))]


def asked(html: str) -> set[str]:
    """The questions and numbers the html offers."""
    return {name for name in QUESTIONS + NUMBERS if f'name="{name}"' in html}


# Each symptom asks its own questions -----------------------------------------------------------

ATTRIBUTE_SETS = {
    "Diarrhea": {"frequency", "times_in_24h"},
    "Rash": {"presence"},
    "Vomiting": {"frequency", "severity", "times_in_24h"},
    "General pain": {"frequency", "severity", "interference"},
    "Hair loss": {"amount"},
}


@pytest.mark.parametrize(("name", "questions"), ATTRIBUTE_SETS.items(), ids=ATTRIBUTE_SETS.keys())
def test_choosing_a_symptom_swaps_in_its_questions(alice_client, symptoms, name, questions):
    response = choose(alice_client, own_words="", symptom=term(name).pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="log-choice" class="choice">')
    assert '<div id="log-grading" class="grading" hx-swap-oob="true">' in html
    assert asked(html) == questions
    assert f">Questions about {name}</h3>" in html


def test_the_questions_keep_nci_words_and_name_the_source(alice_client, symptoms):
    html = choose(alice_client, symptom=term("General pain").pk).content.decode()
    assert "<legend>How often did you have it?</legend>" in html
    assert "<legend>How bad was it at its worst?</legend>" in html
    legend = "How much did it get in the way of your usual or daily activities?"
    assert f"<legend>{legend}</legend>" in html
    for word in ["Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"]:
        assert f"<span>{word}</span>" in html
    for word in ["Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"]:
        assert f"<span>{word}</span>" in html
    assert "PRO-CTCAE™ item library version 1.0" in html


def test_the_questions_are_asked_for_in_the_body_never_the_url(alice_client, symptoms):
    assert alice_client.get(f"/diary/questions/?symptom={term('Rash').pk}").status_code == 405


def test_a_garbled_symptom_id_for_the_questions_is_the_plain_question_not_a_500(
    alice_client, symptoms
):
    for garbled in ["9" * 40, "drop table", "\x00"]:
        response = choose(alice_client, symptom=garbled)
        assert response.status_code == 200
        assert asked(response.content.decode()) == {"severity"}


def test_the_questions_keep_the_answers_that_still_fit(alice_client, symptoms):
    html = choose(
        alice_client, symptom=term("Vomiting").pk, severity="2", amount="3", times_in_24h="4"
    ).content.decode()
    assert 'value="2" id="id_severity_2" checked' in html
    assert 'name="times_in_24h" value="4"' in html
    assert 'name="amount"' not in html  # Vomiting does not ask how much


def test_an_edit_forms_questions_carry_its_own_ids(alice_client, symptoms):
    html = choose(alice_client, "edit-12-choice", symptom=term("Hair loss").pk).content.decode()
    assert html.lstrip().startswith('<div id="edit-12-choice" class="choice">')
    assert '<div id="edit-12-grading" class="grading" hx-swap-oob="true">' in html
    assert 'id="id_edit-12_amount_0"' in html


@pytest.mark.parametrize(
    ("name", "answers", "stored"),
    [
        ("Diarrhea", {"frequency": "3"}, {"frequency": 3}),
        ("Rash", {"presence": "1"}, {"presence": True}),
        ("Rash", {"presence": "0"}, {"presence": False}),
        (
            "Vomiting",
            {"frequency": "2", "severity": "1", "times_in_24h": "1"},
            {"frequency": 2, "severity": 1, "times_in_24h": 1},
        ),
        (
            "General pain",
            {"frequency": "1", "severity": "2", "interference": "3"},
            {"frequency": 1, "severity": 2, "interference": 3},
        ),
        ("Hair loss", {"amount": "2"}, {"amount": 2}),
    ],
    ids=["diarrhea", "rash-yes", "rash-no", "vomiting", "general-pain", "hair-loss"],
)
def test_each_symptom_saves_its_answers(alice_client, symptoms, name, answers, stored):
    response = log(alice_client, symptom=term(name), **answers)
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    for field in QUESTIONS + NUMBERS:
        assert getattr(entry, field) == stored.get(field), field


def test_the_history_and_the_entry_page_show_the_answers_in_nci_words(alice_client, symptoms):
    log(alice_client, symptom=term("Vomiting"), frequency="3", severity="2", times_in_24h="2")
    entry = DiaryEntry.objects.get()
    for html in (
        alice_client.get("/diary/").content.decode(),
        alice_client.get(f"/diary/entries/{entry.pk}/").content.decode(),
    ):
        assert '<span class="severity severity-2">Moderate</span>' in html
        assert "<div><dt>How often</dt><dd>Frequently</dd></div>" in html
        assert "<div><dt>Times in the last 24 hours</dt><dd>2</dd></div>" in html


def test_an_answer_only_the_symptom_asks_needs_no_severity(alice_client, symptoms):
    log(alice_client, symptom=term("Hair loss"), amount="4")
    html = alice_client.get("/diary/").content.decode()
    assert "<div><dt>How much</dt><dd>Very much</dd></div>" in html
    assert 'class="severity ' not in html


# Answers that do not fit: a field error, never a 500, nothing saved ----------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_an_answer_the_chosen_symptom_does_not_ask_is_a_field_error(
    alice_client, symptoms, headers
):
    response = log(alice_client, headers, symptom=term("Diarrhea"), severity="2", frequency="1")
    html = response.content.decode()
    assert response.status_code == (200 if headers else 400)
    if headers:
        assert html.lstrip().startswith('<section id="log-panel"')
    assert "This question is not asked about Diarrhea. You answered “Moderate”" in html
    assert "You chose Diarrhea, so these are its questions." in html
    # Its questions, and the one that does not fit with a way to leave it out.
    assert asked(log_form(html)) == {"frequency", "severity", "times_in_24h"}
    assert '<input type="radio" name="severity" value="" id="id_severity_none">' in html
    assert 'value="1" id="id_frequency_1" checked' in html
    assert not DiaryEntry.objects.exists()


def test_leaving_out_the_answer_that_did_not_fit_saves(alice_client, symptoms):
    response = log(alice_client, symptom=term("Diarrhea"), severity="", frequency="1")
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.frequency, entry.severity) == (1, None)


def test_without_javascript_the_best_match_asks_its_questions_and_nothing_is_lost(
    alice_client, symptoms
):
    # She answered the plain "How bad is it?" and pressed Save without choosing a symptom;
    # her words match Diarrhea, which PRO-CTCAE asks only how often.
    response = log(alice_client, own_words="diarrhoea again", severity="3")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your words match Diarrhea best, so these are its questions." in html
    assert "If it is not Diarrhea, choose another of the symptoms above." in html
    assert "<legend>How often did you have it?</legend>" in html
    assert 'value="diarrhoea again"' in html
    assert "Kept with the entry." in html
    assert 'value="3" id="id_severity_3" aria-invalid="true" checked' in html
    assert not DiaryEntry.objects.exists()


BAD_VALUES = {
    "frequency out of the scale": ({"frequency": "5"}, "Choose how often, from Never to"),
    "frequency a word": ({"frequency": "often"}, "Choose how often, from Never to"),
    "severity negative": ({"severity": "-1"}, "Choose how bad it is, from None to"),
    "times a fraction": ({"times_in_24h": "2.5"}, "Enter how many times, a whole number"),
    "times zero": ({"times_in_24h": "0"}, "Enter how many times, a whole number"),
    "times too many": ({"times_in_24h": "51"}, "Enter how many times, a whole number"),
    "times huge": ({"times_in_24h": "9" * 400}, "Enter how many times, a whole number"),
    "times NUL": ({"times_in_24h": "\x00"}, "Enter how many times, a whole number"),
}


@pytest.mark.parametrize(("answers", "message"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_an_unknown_answer_is_a_field_error(alice_client, symptoms, answers, message):
    response = log(alice_client, symptom=term("Vomiting"), **answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html or "errorlist" in html
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize(
    "value", ["hot", "NaN", "Infinity", "1e5", "29.9", "45.1", "38.55", "9" * 400]
)
def test_an_impossible_temperature_is_a_field_error(alice_client, symptoms, value):
    high_temperature = Symptom.objects.get(slug="high-temperature")
    response = log(alice_client, symptom=high_temperature, temperature_c=value)
    assert response.status_code == 400
    assert "Enter your temperature in °C, from 30.0 to 45.0" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_a_temperature_with_a_decimal_comma_is_read(alice_client, symptoms):
    high_temperature = Symptom.objects.get(slug="high-temperature")
    assert log(alice_client, symptom=high_temperature, temperature_c="38,4").status_code == 302
    assert DiaryEntry.objects.get().temperature_c == Decimal("38.4")


def test_presence_is_yes_or_no_only(alice_client, symptoms):
    response = log(alice_client, symptom=term("Rash"), presence="maybe")
    assert response.status_code == 400
    assert "Choose Yes or No." in response.content.decode()


def test_no_answer_to_several_questions_asks_for_one(alice_client, symptoms):
    response = log(alice_client, symptom=term("General pain"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Answer at least one of the questions about General pain." in html
    assert '<a href="#id_frequency_0">' in html  # on its first question


# Entries from before the library ------------------------------------------------------------


@pytest.fixture
def old_entry(alice, symptoms):
    return DiaryEntry.objects.create(
        patient=alice,
        symptom=symptoms["bone-pain"],
        own_words="my hip aches",
        severity=2,
        occurred_at=timezone.now() - timedelta(days=40),
    )


def test_an_entry_with_severity_only_reads_as_before(alice_client, old_entry):
    for html in (
        alice_client.get("/diary/").content.decode(),
        alice_client.get(f"/diary/entries/{old_entry.pk}/").content.decode(),
    ):
        assert '<span class="severity severity-2">Moderate</span>' in html
        assert '<dl class="answers">' not in html
        assert "notice-level" not in html


def test_an_entry_with_severity_only_edits_as_before(alice_client, old_entry):
    url = f"/diary/entries/{old_entry.pk}/edit/"
    html = alice_client.get(url).content.decode()
    assert asked(html) == {"severity"}
    assert f'value="2" id="id_edit-{old_entry.pk}_severity_2" checked' in html
    data = entry_data("my hip aches", old_entry.symptom, severity="1")
    assert alice_client.post(url, data).status_code == 302
    old_entry.refresh_from_db()
    assert (old_entry.severity, old_entry.frequency, old_entry.symptom.slug) == (
        1,
        None,
        "bone-pain",
    )


def test_an_entry_kept_in_own_words_asks_how_bad_it_is(alice_client, alice, symptoms):
    entry = DiaryEntry.objects.create(
        patient=alice, own_words="odd feeling", severity=1, occurred_at=timezone.now()
    )
    html = alice_client.get(f"/diary/entries/{entry.pk}/edit/").content.decode()
    assert "<legend>How bad is it?</legend>" in html
    assert asked(html) == {"severity"}


# Numbers from her words, and the notices they raise -----------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_threw_up_twice_counts_two_and_raises_the_vomiting_rule_with_the_clinic_number(
    alice_client, rules, contacts, headers
):
    response = log(alice_client, headers, own_words="threw up twice")
    entry = DiaryEntry.objects.get()
    assert entry.symptom.slug == "vomiting"
    assert entry.times_in_24h == 2
    assert entry.notice_level == NoticeLevel.CONTACT
    assert entry.red_flag == rules["Being sick 2 or more times in 24 hours"]
    if not headers:
        response = alice_client.get(response["Location"])
    html = response.content.decode()
    assert "Being sick 2 or more times in 24 hours: contact the acute oncology line" in html
    assert f"Call the 24-hour acute oncology line: {ACUTE} (Example Cancer Centre)." in html
    assert "Source: St George&#x27;s University Hospitals NHS FT" in html
    assert "Reviewed by" not in html  # nobody has signed the rule off yet
    assert '<span class="notice-level notice-level-contact">Needs a call</span>' in html


def test_a_count_she_typed_in_the_field_wins_over_her_words(alice_client, rules):
    response = log(alice_client, HX, own_words="threw up twice", times_in_24h="7")
    assert DiaryEntry.objects.get().times_in_24h == 7
    assert (
        "Being sick 6 or more times in 24 hours: contact the acute oncology line immediately"
        in (response.content.decode())
    )


def test_a_count_for_a_symptom_that_takes_none_is_not_filled(alice_client, rules):
    log(alice_client, own_words="headache twice", severity="1")
    entry = DiaryEntry.objects.get()
    assert entry.symptom.slug == "headaches-or-pressure-in-the-head"
    assert entry.times_in_24h is None


def test_a_count_out_of_range_in_her_words_is_not_filled_silently(alice_client, rules):
    response = log(alice_client, own_words="threw up 60 times")
    assert response.status_code == 400
    assert "Your words say “60 times”. Enter how many times" in response.content.decode()
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_temperature_in_words_fills_the_field_and_raises_the_temperature_notice(
    alice_client, rules, contacts, headers
):
    response = log(alice_client, headers, own_words="I have a temperature of 38.5")
    entry = DiaryEntry.objects.get()
    assert entry.symptom.slug == "high-temperature"
    assert entry.temperature_c == Decimal("38.5")
    assert entry.red_flag == rules["Temperature 37.5 °C or above"]
    if not headers:
        response = alice_client.get(response["Location"])
    html = response.content.decode()
    assert "A temperature of 37.5 °C or above during cancer treatment" in html
    assert f"Call the 24-hour acute oncology line: {ACUTE}" in html
    assert "<div><dt>Temperature</dt><dd>38.5 °C</dd></div>" in html


def test_a_temperature_in_fahrenheit_words_is_converted(alice_client, rules):
    assert log(alice_client, own_words="temperature 101F").status_code == 302
    assert DiaryEntry.objects.get().temperature_c == Decimal("38.3")


def test_a_temperature_that_may_be_fahrenheit_is_asked_for_in_celsius(alice_client, rules):
    response = log(alice_client, own_words="temperature of 101")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your words say “temperature of 101”: that looks like °F." in html
    assert "Please enter your temperature in °C here" in html
    assert not DiaryEntry.objects.exists()


def test_a_normal_temperature_raises_no_notice(alice_client, rules):
    log(alice_client, own_words="temperature 36.8")
    entry = DiaryEntry.objects.get()
    assert (entry.temperature_c, entry.notice_level, entry.red_flag) == (Decimal("36.8"), "", None)


def test_an_emergency_red_flag_names_the_emergency_number(alice_client, rules, contacts):
    log(alice_client, symptom=Symptom.objects.get(slug="chest-pain"), severity="1")
    entry = DiaryEntry.objects.get()
    assert entry.notice_level == NoticeLevel.EMERGENCY
    html = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert f"Call the emergency number: {EMERGENCY}." in html
    assert '<span class="notice-level notice-level-emergency">Emergency</span>' in html


def test_a_signed_off_rule_shows_who_reviewed_it(alice_client, rules, django_user_model):
    rule = rules["Being sick 2 or more times in 24 hours"]
    nurse = django_user_model.objects.create_user("nurse", first_name="Nia", last_name="Reed")
    rule.sign_off(nurse)
    rule.save()
    response = log(alice_client, HX, own_words="threw up twice")
    day = timezone.localdate()
    assert f"Reviewed by Nia Reed on {day.day} {day:%B %Y}." in response.content.decode()


def test_without_the_clinics_numbers_the_red_flag_says_whom_to_call(alice_client, rules):
    html = log(alice_client, HX, own_words="threw up twice").content.decode()
    assert "<strong>Call the 24-hour acute oncology line.</strong>" in html
    assert "tel:" not in html


def test_an_edit_records_the_notice_again(alice_client, alice, rules):
    entry = DiaryEntry.objects.create(
        patient=alice,
        symptom=term("Vomiting"),
        frequency=1,
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    data = entry_data("", entry.symptom, frequency="1", times_in_24h="3")
    response = alice_client.post(f"/diary/entries/{entry.pk}/edit/", data, headers=HX)
    assert "Being sick 2 or more times in 24 hours" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.times_in_24h, entry.notice_level) == (3, NoticeLevel.CONTACT)


def test_not_this_records_the_notice_without_the_symptom(alice_client, rules):
    log(alice_client, own_words="threw up twice")
    entry = DiaryEntry.objects.get()
    alice_client.post(f"/diary/entries/{entry.pk}/unmatch/")
    entry.refresh_from_db()
    # The vomiting rule is about Vomiting; the words alone raise no rule.
    assert (entry.symptom, entry.notice_level, entry.red_flag) == (None, "", None)


def test_a_caregiver_logging_for_her_raises_the_same_notice(client, alice, rules, contacts):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana))
    response = log(client, HX, own_words="threw up twice")
    assert f"Call the 24-hour acute oncology line: {ACUTE}" in response.content.decode()
    entry = DiaryEntry.objects.get()
    assert (entry.patient, entry.entered_by, entry.notice_level) == (alice, dana, "contact")


# Without JavaScript, and with htmx ------------------------------------------------------------


def test_find_matching_symptoms_shows_the_best_matchs_questions(alice_client, symptoms):
    response = alice_client.post("/diary/suggestions/", entry_data("diarrhoea", severity="2"))
    assert response.status_code == 303
    form = log_form(alice_client.get(response["Location"]).content.decode())
    assert asked(form) == {"frequency", "times_in_24h"}
    assert ">Questions about Diarrhea</h3>" in form
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("headers", [{}, GRADING], ids=["plain", "htmx"])
def test_a_suggestion_chosen_shows_its_questions_and_saves_nothing(alice_client, symptoms, headers):
    data = entry_data("my hair", term("Hair loss"), severity="2", questions_shown="1")
    response = alice_client.post("/diary/questions/", data, headers=headers)
    if not headers:
        assert response.status_code == 303
        response = alice_client.get(response["Location"])
    html = response.content.decode()
    assert response.status_code == 200
    assert asked(log_form(html) if not headers else html) == {"amount"}
    assert "errorlist" not in html
    if not headers:
        assert 'value="my hair"' in html and "Kept with the entry." in html
    assert not DiaryEntry.objects.exists()


def test_show_the_questions_on_an_edit_saves_nothing(alice_client, old_entry):
    url = f"/diary/entries/{old_entry.pk}/edit/?show_questions=1"
    data = entry_data("my hip aches", term("Rash"), severity="2")
    response = alice_client.post(url, data)
    assert response.status_code == 200
    assert asked(response.content.decode()) == {"presence"}
    old_entry.refresh_from_db()
    assert (old_entry.symptom.slug, old_entry.severity) == ("bone-pain", 2)


def test_typing_asks_htmx_for_suggestions_in_the_body(alice_client, symptoms):
    html = alice_client.get("/diary/").content.decode()
    words_box = html[html.index('id="id_own_words"') :]
    words_box = words_box[: words_box.index(">")]
    # The form's fields go in the body (an hx-post inside the form), never the URL.
    assert 'hx-post="/diary/suggestions/"' in words_box
    assert 'hx-trigger="keyup changed delay:600ms, paste delay:600ms"' in words_box
    assert 'hx-target="#log-choice"' in words_box
    assert "<select" not in log_form(html)


def test_suggestions_swap_in_the_best_matchs_questions(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "diarrhoea", "symptom": "", "questions_shown": "1"},
        headers=GRADING,
    )
    html = response.content.decode()
    assert '<div id="log-grading" class="grading" hx-swap-oob="true">' in html
    grading = html[html.index('<div id="log-grading"') :]
    assert asked(grading) == {"frequency", "times_in_24h"}


def test_suggestions_keep_the_questions_of_a_symptom_she_chose(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "diarrhoea", "symptom": term("Hair loss").pk, "questions_shown": "1"},
        headers=GRADING,
    )
    grading = response.content.decode().split('<div id="log-grading"')[1]
    assert asked(grading) == {"amount"}


def test_suggestions_for_an_edit_form_swap_its_own_questions(alice_client, symptoms):
    response = alice_client.post(
        "/diary/suggestions/",
        {"own_words": "diarrhoea"},
        headers={**HX, "HX-Target": "edit-7-choice"},
    )
    html = response.content.decode()
    assert '<div id="edit-7-grading" class="grading" hx-swap-oob="true">' in html
    assert 'id="id_edit-7_frequency_0"' in html


# The history: "needs attention", at a constant cost ---------------------------------------------


@pytest.fixture
def flagged_diary(alice, symptoms):
    now = timezone.now()

    def make(hours: int, level: str) -> DiaryEntry:
        return DiaryEntry.objects.create(
            patient=alice,
            symptom=symptoms["fatigue"],
            severity=1,
            notice_level=level,
            occurred_at=now - timedelta(hours=hours),
        )

    return {
        "calm": make(1, NoticeLevel.NONE),
        "call": make(2, NoticeLevel.CONTACT),
        "emergency": make(3, NoticeLevel.EMERGENCY),
    }


def shown(html: str, entries: dict) -> set[str]:
    return {name for name, entry in entries.items() if f'id="entry-{entry.pk}"' in html}


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_the_needs_attention_filter_shows_entries_with_a_notice(
    alice_client, flagged_diary, headers
):
    response = alice_client.post(
        "/diary/", {"attention": "needs-attention"}, headers=headers, follow=True
    )
    assert response.status_code == 200
    assert shown(response.content.decode(), flagged_diary) == {"call", "emergency"}
    everything = alice_client.post("/diary/", {"attention": ""}, headers=headers, follow=True)
    assert shown(everything.content.decode(), flagged_diary) == {"calm", "call", "emergency"}


def test_the_needs_attention_filter_is_offered_in_the_posted_filter_form(
    alice_client, flagged_diary
):
    html = alice_client.get("/diary/").content.decode()
    filters = html[html.index('<form id="diary-filter"') :]
    filters = filters[: filters.index("</form>")]
    assert '<option value="needs-attention">Only those that need attention</option>' in filters
    assert "?attention" not in html


def test_a_garbled_attention_filter_is_a_field_error(alice_client, flagged_diary):
    response = alice_client.post("/diary/", {"attention": "<script>"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_diary_of_graded_and_flagged_entries_costs_the_same_queries_whatever_its_size(
    alice_client, alice, symptoms
):
    vomiting = term("Vomiting")

    def fill(count: int) -> int:
        DiaryEntry.objects.for_patient(alice).delete()
        DiaryEntry.objects.bulk_create(
            DiaryEntry(
                patient=alice,
                symptom=vomiting,
                frequency=i % 5,
                severity=i % 5,
                times_in_24h=i % 7 + 1,
                notice_level=NoticeLevel.CONTACT if i % 2 else NoticeLevel.NONE,
                occurred_at=timezone.now() - timedelta(hours=i),
            )
            for i in range(count)
        )
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get("/diary/").status_code == 200
        return len(queries)

    fill(1)  # the first request may rotate or save the session
    assert fill(1) == fill(60)
