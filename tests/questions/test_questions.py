"""Questions for my care team: add (also from an entry or a section), tick asked, edit, delete."""

from datetime import date

import pytest

from education.models import Section
from portal.models import AuditEvent, Question, Severity
from tests.conftest import HX, entry, local, symptom


@pytest.fixture
def alices_entry(alice):
    return entry(alice, symptom("Bone pain", "bone"), Severity.SEVERE, local(date(2026, 10, 2)))


@pytest.fixture
def bobs_entry(bob):
    return entry(bob, "bobs private ache", Severity.MILD, local(date(2026, 10, 2)))


@pytest.fixture
def bobs_question(bob):
    return Question.objects.create(patient=bob, text="bobs question")


@pytest.fixture
def alices_question(alice):
    return Question.objects.create(patient=alice, text="Can I travel?")


def test_list_shows_only_my_questions_not_asked_first(alice_client, alice, bobs_question):
    Question.objects.create(patient=alice, text="Asked already", asked=True)
    Question.objects.create(patient=alice, text="Still to ask")
    response = alice_client.get("/questions/")
    assert [q.text for q in response.context["questions"]] == ["Still to ask", "Asked already"]
    html = response.content.decode()
    assert "bobs question" not in html
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in html


def test_list_query_count_does_not_grow_with_the_list(
    alice_client, alice, alices_entry, article, django_assert_num_queries
):
    section = Section.objects.first()

    def make(count: int) -> None:
        Question.objects.bulk_create(
            Question(patient=alice, text=f"Q{n}", entry=alices_entry, section=section)
            for n in range(count)
        )

    make(1)
    # session, user, questions with entry and section, the clinic's numbers for the footer
    with django_assert_num_queries(4):
        alice_client.get("/questions/")
    make(50)
    with django_assert_num_queries(4):
        alice_client.get("/questions/")


def test_adding_a_question_without_javascript_redirects(alice_client, alice):
    response = alice_client.post("/questions/new/", {"text": "  Is this normal?  "})
    assert response.status_code == 302
    assert response["Location"] == "/questions/"
    question = Question.objects.get()
    assert (question.patient, question.text, question.asked) == (alice, "Is this normal?", False)


def test_adding_a_question_with_htmx_returns_the_panel_and_announces_it(alice_client):
    response = alice_client.post("/questions/new/", {"text": "Is this normal?"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="question-panel">')
    assert "<html" not in html
    assert "Is this normal?" in html
    # The live region already in the page gets the words (its content, not a new element).
    status = (
        '<p id="question-status" class="visually-hidden" role="status" hx-swap-oob="innerHTML">'
    )
    assert status + "Added.</p>" in html
    # The button keeps its id, so htmx gives it back the focus after the swap.
    assert 'id="question-add"' in html
    assert "HX-Request" in response["Vary"]


def test_the_page_has_the_empty_live_region_before_any_swap(alice_client):
    html = alice_client.get("/questions/").content.decode()
    assert '<p id="question-status" class="visually-hidden" role="status"></p>' in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your question."),
        ("   ", "Enter your question."),
        ("x" * 1001, "Your question must be 1,000 characters or fewer."),
        ("nul \x00 byte", "Null characters are not allowed."),
    ],
)
@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 200)])
def test_a_bad_question_is_an_inline_error_and_saves_nothing(
    alice_client, text, message, headers, status
):
    response = alice_client.post("/questions/new/", {"text": text}, headers=headers)
    assert response.status_code == status
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_text_error"><li>{message}</li></ul>' in html
    assert 'aria-describedby="id_text_helptext id_text_error"' in html
    assert 'aria-invalid="true"' in html
    assert "There is a problem</h2>" in html
    assert f'<a href="#id_text">Your question: {message}</a>' in html
    assert ("<title>Error: " in html) == (status == 400)  # a full page says so in its title
    assert "This field is required." not in html
    assert Question.objects.count() == 0


def test_an_edit_without_the_question_says_to_enter_it(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    response = alice_client.post(url, {"text": " ", "answer": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_text_error"><li>Enter your question.</li></ul>' in html
    assert '<a href="#id_text">Your question: Enter your question.</a>' in html
    alices_question.refresh_from_db()
    assert alices_question.text == "Can I travel?"


def test_question_text_is_shown_as_text(alice_client, alice):
    Question.objects.create(patient=alice, text="<script>alert(1)</script>")
    for url in ("/questions/", "/summary/"):
        html = alice_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert(1)" not in html, url


def test_a_question_can_start_from_my_diary_entry(alice_client, alice, alices_entry):
    response = alice_client.get(f"/questions/new/?entry={alices_entry.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "About your diary entry: Bone pain, Severe, 2 October 2026." in html
    assert f'name="entry" value="{alices_entry.pk}"' in html
    response = alice_client.post(
        "/questions/new/", {"text": "Why at night?", "entry": alices_entry.pk}
    )
    assert response.status_code == 302
    assert Question.objects.get().entry == alices_entry


def test_my_diary_entry_offers_to_ask_my_care_team_about_it(alice_client, alices_entry):
    link = f'href="/questions/new/?entry={alices_entry.pk}"'
    assert link in alice_client.get("/diary/").content.decode()
    assert link in alice_client.get(f"/diary/entries/{alices_entry.pk}/").content.decode()


def test_a_question_can_start_from_an_article_section(alice_client, article):
    section = Section.objects.get(slug="symptoms-of-bone-metastases")
    html = alice_client.get(f"/questions/new/?section={section.pk}").content.decode()
    assert "About: " in html and "Symptoms of bone metastases" in html
    alice_client.post("/questions/new/", {"text": "Is this me?", "section": section.pk})
    question = Question.objects.get()
    assert question.section == section
    listed = alice_client.get("/questions/").content.decode()
    assert 'href="/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"' in listed


def test_the_section_page_offers_to_ask_about_it_when_signed_in(alice_client, client, article):
    section = Section.objects.get(slug="symptoms-of-bone-metastases")
    url = "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"
    assert f'href="/questions/new/?section={section.pk}"' in alice_client.get(url).content.decode()
    alice_client.logout()
    assert "/questions/new/" not in client.get(url).content.decode()


@pytest.mark.parametrize("value", ["{pk}", "abc", "-1", "99999999999999999999999999"])
def test_starting_from_bobs_entry_or_a_bad_id_is_a_404(alice_client, alice, bobs_entry, value):
    response = alice_client.get(f"/questions/new/?entry={value.format(pk=bobs_entry.pk)}")
    assert response.status_code == 404
    assert "bobs private ache" not in response.content.decode()
    event = AuditEvent.objects.get(action="diaryentry.access")
    assert (event.outcome, event.actor_id) == ("denied", alice.pk)


@pytest.mark.parametrize("value", ["%C2%B2", "%00", "9" * 5000, "%EF%BC%91"])
def test_odd_entry_ids_are_a_404_and_only_well_formed_ids_are_audited(alice_client, value):
    # "²" passes str.isdigit() but not int(), fullwidth digits are not ASCII, and 5000 digits
    # exceed int()'s limit.
    response = alice_client.get(f"/questions/new/?entry={value}")
    assert response.status_code == 404
    assert AuditEvent.objects.get(action="diaryentry.access").record_id == ""


@pytest.mark.parametrize(
    "value", ["abc", "99999999999999999999999999", "123456", "%C2%B2", "%00", "9" * 5000]
)
def test_an_unknown_section_is_a_404(alice_client, article, value):
    assert alice_client.get(f"/questions/new/?section={value}").status_code == 404


@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 200)])
def test_posting_bobs_entry_id_saves_nothing(alice_client, bobs_entry, headers, status):
    response = alice_client.post(
        "/questions/new/", {"text": "Sneaky", "entry": bobs_entry.pk}, headers=headers
    )
    assert response.status_code == status
    assert "That diary entry could not be found." in response.content.decode()
    assert Question.objects.count() == 0


def test_ticking_asked_without_javascript_redirects(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/asked/"
    response = alice_client.post(url, {"asked": "true"})
    assert response.status_code == 302
    assert response["Location"] == f"/questions/#question-{alices_question.pk}"
    alices_question.refresh_from_db()
    assert alices_question.asked is True
    alice_client.post(url, {"asked": "true"})  # a repeated post sets, never toggles back
    alices_question.refresh_from_db()
    assert alices_question.asked is True


def test_ticking_asked_with_htmx_returns_the_row_and_announces_it(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/asked/"
    response = alice_client.post(url, {"asked": "true"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<li class="record record-done" id="question-{alices_question.pk}">'
    )
    assert "Mark as not asked" in html
    assert 'hx-swap-oob="innerHTML">Marked as asked.</p>' in html
    response = alice_client.post(url, {"asked": "false"}, headers=HX)
    alices_question.refresh_from_db()
    assert alices_question.asked is False
    assert "Marked as not asked yet." in response.content.decode()


def test_an_enormous_question_id_is_a_404_not_a_500(alice_client):
    assert alice_client.post(f"/questions/{'9' * 100}/asked/").status_code == 404


def test_ticking_asked_needs_a_post(alice_client, alices_question):
    assert alice_client.get(f"/questions/{alices_question.pk}/asked/").status_code == 405


def test_editing_a_question(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    assert "Can I travel?" in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"text": "Can I fly?", "asked": "on"})
    assert response.status_code == 302
    alices_question.refresh_from_db()
    assert (alices_question.text, alices_question.asked) == ("Can I fly?", True)
    response = alice_client.post(url, {"text": ""})
    assert response.status_code == 400
    alices_question.refresh_from_db()
    assert alices_question.text == "Can I fly?"


def test_delete_asks_for_confirmation_then_deletes(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/delete/"
    assert "Delete this question?" in alice_client.get(url).content.decode()
    assert Question.objects.count() == 1
    assert alice_client.post(url).status_code == 302
    assert Question.objects.count() == 0


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "edit/", {}),
        ("post", "edit/", {"text": "changed", "asked": "on"}),
        ("post", "asked/", {"asked": "true"}),
        ("get", "delete/", {}),
        ("post", "delete/", {}),
    ],
)
def test_bobs_question_is_a_404_for_alice_and_nothing_changes(
    alice_client, alice, bobs_question, method, path, data, headers
):
    response = getattr(alice_client, method)(
        f"/questions/{bobs_question.pk}/{path}", data, headers=headers
    )
    assert response.status_code == 404
    assert "bobs question" not in response.content.decode()
    bobs_question.refresh_from_db()
    assert (bobs_question.text, bobs_question.asked) == ("bobs question", False)
    event = AuditEvent.objects.get(action="question.access")
    assert (event.outcome, event.actor_id, event.record_id) == (
        "denied",
        alice.pk,
        str(bobs_question.pk),
    )


def test_adding_editing_ticking_and_deleting_are_in_the_audit_trail(alice_client, alice):
    """Ids and actions only: no question text in the trail."""
    alice_client.post("/questions/new/", {"text": "Can I travel?"})
    question = Question.objects.get()
    alice_client.post(f"/questions/{question.pk}/edit/", {"text": "Can I fly?"})
    alice_client.post(f"/questions/{question.pk}/asked/", {"asked": "true"})
    alice_client.post(f"/questions/{question.pk}/delete/")
    events = AuditEvent.objects.filter(action__startswith="question.").order_by("pk")
    assert [(e.action, e.record_id, e.actor_id, e.outcome) for e in events] == [
        (f"question.{action}", str(question.pk), alice.pk, "success")
        for action in ("create", "edit", "asked", "delete")
    ]
    assert all("travel" not in str(vars(e)) and "fly" not in str(vars(e)) for e in events)


def test_after_the_visit_the_answer_is_written_down_and_listed(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    html = alice_client.get(url).content.decode()
    assert 'name="answer"' in html and "The answer (optional)" in html
    answer = "Yes, but not in the week after treatment.\nTake the card with the phone number."
    response = alice_client.post(url, {"text": "Can I travel?", "asked": "on", "answer": answer})
    assert response.status_code == 302
    alices_question.refresh_from_db()
    assert (alices_question.asked, alices_question.answer) == (True, answer)
    listed = alice_client.get("/questions/").content.decode()
    assert "Yes, but not in the week after treatment.<br>Take the card" in listed
    assert "Write down the answer" not in listed


def test_writing_the_answer_leaves_the_asked_flag_as_it_is_posted(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    alice_client.post(url, {"text": "Can I travel?", "answer": "Ask again next time."})
    alices_question.refresh_from_db()
    assert (alices_question.asked, alices_question.answer) == (False, "Ask again next time.")
    alice_client.post(f"/questions/{alices_question.pk}/asked/", {"asked": "true"})
    alices_question.refresh_from_db()
    assert (alices_question.asked, alices_question.answer) == (True, "Ask again next time.")


def test_an_asked_question_without_an_answer_offers_to_write_it_down(alice_client, alice):
    asked = Question.objects.create(patient=alice, text="Scan results?", asked=True)
    Question.objects.create(patient=alice, text="Not yet asked")
    html = alice_client.get("/questions/").content.decode()
    assert html.count("Write down the answer") == 1
    assert f'href="/questions/{asked.pk}/edit/#id_answer"' in html


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("x" * 2001, "The answer must be 2,000 characters or fewer."),
        ("nul \x00 byte", "Null characters are not allowed."),
    ],
)
def test_a_bad_answer_is_a_field_error_and_changes_nothing(
    alice_client, alices_question, answer, message
):
    url = f"/questions/{alices_question.pk}/edit/"
    response = alice_client.post(url, {"text": "Changed", "asked": "on", "answer": answer})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html and 'href="#id_answer"' in html
    alices_question.refresh_from_db()
    assert (alices_question.text, alices_question.asked, alices_question.answer) == (
        "Can I travel?",
        False,
        "",
    )


def test_the_longest_answer_fits(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    response = alice_client.post(url, {"text": "Can I travel?", "answer": "x" * 2000})
    assert response.status_code == 302
    alices_question.refresh_from_db()
    assert len(alices_question.answer) == 2000


def test_the_answer_is_shown_as_text_and_kept_out_of_the_audit_trail(alice_client, alices_question):
    url = f"/questions/{alices_question.pk}/edit/"
    alice_client.post(url, {"text": "Can I travel?", "answer": "<b>sunscreen</b>"})
    html = alice_client.get("/questions/").content.decode()
    assert "&lt;b&gt;sunscreen&lt;/b&gt;" in html and "<b>sunscreen" not in html
    events = AuditEvent.objects.filter(action="question.edit")
    assert events.count() == 1
    assert "sunscreen" not in str(vars(events.get()))


def test_an_answer_does_not_add_queries_to_the_list(alice_client, alice, django_assert_num_queries):
    Question.objects.bulk_create(
        Question(patient=alice, text=f"Q{n}", asked=True, answer=f"A{n}") for n in range(30)
    )
    # session, user, questions with entry and section, the clinic's numbers for the footer
    with django_assert_num_queries(4):
        html = alice_client.get("/questions/").content.decode()
    assert "A29" in html
