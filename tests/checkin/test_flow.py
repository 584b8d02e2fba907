"""Starting, answering as she goes, going back and forward, continuing a half-done check-in,
"Anything else?" and the review; plain requests and htmx."""

from portal.models import AuditEvent, CheckIn
from tests.checkin.conftest import answer, open_check_in, term
from tests.conftest import HX


def test_the_start_page_lists_the_clinics_items_and_the_time_it_takes(alice_client, check_in_set):
    html = alice_client.get("/check-in/").content.decode()
    assert "25 short questions" in html
    assert "about 2 minutes" in html
    assert html.index("Fatigue") < html.index("Insomnia") < html.index("Diarrhea")
    assert "Start the check-in" in html
    assert CheckIn.objects.count() == 0  # looking starts nothing


def test_starting_makes_one_open_check_in_and_goes_to_the_first_question(
    alice_client, alice, check_in_set
):
    response = alice_client.post("/check-in/")
    check_in = CheckIn.objects.get()
    assert response.url == f"/check-in/{check_in.pk}/questions/1/"
    assert (check_in.patient, check_in.submitted_at, check_in.answers) == (alice, None, {})
    assert AuditEvent.objects.filter(action="checkin.start", record_id=str(check_in.pk)).exists()
    # Starting again (another tab) continues the same one.
    assert alice_client.post("/check-in/").url == f"/check-in/{check_in.pk}/questions/1/"
    assert CheckIn.objects.count() == 1


def test_a_question_page_shows_ncis_item_and_words(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    html = alice_client.get(f"/check-in/{check_in.pk}/questions/5/").content.decode()
    assert "In the last 7 days, how OFTEN did you have general pain?" in html
    assert "Question 5 of 25" in html
    for word in ("Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"):
        assert f"<span>{word}</span>" in html
    assert "autofocus>In the last 7 days" in html  # the legend takes the focus
    assert "PRO-CTCAE" in html


def test_each_answer_is_saved_as_she_goes_and_leads_to_the_next_question(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 1, "2")
    assert response.status_code == 302
    assert response.url == f"/check-in/{check_in.pk}/questions/2/"
    check_in.refresh_from_db()
    assert check_in.answers == {str(term("Fatigue").pk): {"severity": 2}}
    assert AuditEvent.objects.filter(action="checkin.answer", record_id=str(check_in.pk)).exists()


def test_never_skips_to_the_next_term(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 5, "0")  # general pain: Never
    assert response.url == f"/check-in/{check_in.pk}/questions/8/"  # decreased appetite
    # The skipped questions are not shown: their address goes on to the next asked one.
    assert alice_client.get(f"/check-in/{check_in.pk}/questions/6/").url == (
        f"/check-in/{check_in.pk}/questions/8/"
    )


def test_changing_to_never_drops_the_answers_no_longer_asked(alice_client, alice, check_in_set):
    pain = {"frequency": 2, "severity": 3, "interference": 1}
    check_in = open_check_in(alice, **{"General pain": pain})
    answer(alice_client, check_in, 5, "0")
    check_in.refresh_from_db()
    assert check_in.answers[str(term("General pain").pk)] == {"frequency": 0}


def test_back_shows_the_previous_asked_question_with_her_answer(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 0}, Insomnia={"severity": 3})
    html = alice_client.get(f"/check-in/{check_in.pk}/questions/3/").content.decode()
    assert f'href="/check-in/{check_in.pk}/questions/1/"' in html  # fatigue's 2nd is skipped
    assert 'value="3" id="id_answer_3" required checked' in html
    first = alice_client.get(f"/check-in/{check_in.pk}/questions/1/").content.decode()
    assert 'href="/check-in/" hx-get' not in first  # back to the start page, not in place
    assert 'href="/check-in/">Back' in first


def test_a_half_done_check_in_continues_at_the_first_unanswered_question(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice, Fatigue={"severity": 1, "interference": 0})
    html = alice_client.get("/check-in/").content.decode()
    assert "Continue your check-in" in html
    assert "answered 2 questions" in html
    assert f'href="/check-in/{check_in.pk}/"' in html
    response = alice_client.get(f"/check-in/{check_in.pk}/")
    assert response.url == f"/check-in/{check_in.pk}/questions/3/"
    assert alice_client.post("/check-in/").url == f"/check-in/{check_in.pk}/questions/3/"


def test_the_last_question_leads_to_anything_else_then_the_review(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 25, "1")  # diarrhea, the last
    assert response.url == f"/check-in/{check_in.pk}/anything-else/"
    html = alice_client.get(response.url).content.decode()
    assert "Anything else?" in html
    assert f'href="/check-in/{check_in.pk}/questions/25/"' in html  # back
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": "my hip aches", "severity": "2"}
    )
    assert response.url == f"/check-in/{check_in.pk}/review/"
    check_in.refresh_from_db()
    assert check_in.own_words == "my hip aches"
    assert check_in.answers["own_words"] == {"severity": 2}


def test_anything_else_may_be_left_empty(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    check_in.own_words = "was here"
    check_in.answers = {"own_words": {"severity": 1}}
    check_in.save()
    response = alice_client.post(f"/check-in/{check_in.pk}/anything-else/", {"own_words": ""})
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert (check_in.own_words, check_in.answers) == ("", {})


def test_words_without_how_bad_is_a_field_error(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": "my hip aches"}
    )
    assert response.status_code == 400
    assert "Choose how bad it was at its worst" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.own_words == ""


def test_the_review_lists_her_answers_with_change_links(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 2, "interference": 1})
    check_in.own_words = "my hip aches"
    check_in.answers["own_words"] = {"severity": 2}
    check_in.save()
    html = alice_client.get(f"/check-in/{check_in.pk}/review/").content.decode()
    assert "Check your answers" in html
    assert "<strong>Moderate</strong>" in html
    assert "<strong>A little bit</strong>" in html
    assert f'href="/check-in/{check_in.pk}/questions/1/?review=1"' in html
    assert "Not answered" in html  # insomnia and the rest
    assert "“my hip aches”</strong>, at its worst: <strong>Moderate</strong>" in html
    assert "Send my check-in" in html


def test_a_change_from_the_review_goes_back_to_the_review(alice_client, alice, check_in_set):
    answers = {"Fatigue": {"severity": 2, "interference": 1}}
    check_in = open_check_in(alice, **answers)
    check_in.answers.update(
        {
            str(item.symptom.pk): {attribute: 1 for attribute in item.symptom.attributes}
            for item in check_in_set[1:]
        }
    )
    check_in.save()
    html = alice_client.get(f"/check-in/{check_in.pk}/questions/1/?review=1").content.decode()
    assert '<input type="hidden" name="review" value="1">' in html
    assert f'href="/check-in/{check_in.pk}/review/"' in html  # back to the review
    response = answer(alice_client, check_in, 1, "3", review="1")
    assert response.url == f"/check-in/{check_in.pk}/review/"


def test_a_change_from_the_review_that_asks_more_asks_those_first(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice, **{"General pain": {"frequency": 0}})
    check_in.answers.update(
        {
            str(item.symptom.pk): {attribute: 1 for attribute in item.symptom.attributes}
            for item in check_in_set
            if item.symptom.pro_ctcae_term != "General pain"
        }
    )
    check_in.save()
    response = answer(alice_client, check_in, 5, "2", review="1")
    assert response.url == f"/check-in/{check_in.pk}/questions/6/?review=1"


def test_with_htmx_the_next_question_swaps_in_and_its_address_is_pushed(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 1, "2", headers=HX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/check-in/{check_in.pk}/questions/2/"
    html = response.content.decode()
    assert html.lstrip().startswith("<title>Question 2 of 25")
    assert '<section id="check-in"' in html and "<main" not in html
    assert "how much did fatigue INTERFERE" in html
    assert 'tabindex="-1" autofocus>In the last 7 days' in html
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_with_htmx_back_is_swapped_in_place_too(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 2})
    html = alice_client.get(f"/check-in/{check_in.pk}/questions/2/").content.decode()
    back = (
        f'href="/check-in/{check_in.pk}/questions/1/" hx-get="/check-in/{check_in.pk}/questions/1/"'
    )
    assert back in html
    response = alice_client.get(f"/check-in/{check_in.pk}/questions/1/", headers=HX)
    assert "<main" not in response.content.decode()
    assert "checked" in response.content.decode()


def test_with_htmx_the_last_steps_swap_in_anything_else_and_the_review(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 25, "1", headers=HX)
    assert response["HX-Push-Url"] == f"/check-in/{check_in.pk}/anything-else/"
    assert "Anything else?" in response.content.decode()
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": ""}, headers=HX
    )
    assert response["HX-Push-Url"] == f"/check-in/{check_in.pk}/review/"
    assert "Check your answers" in response.content.decode()


def test_with_htmx_a_bad_answer_is_the_question_again_with_its_error(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 1, "", headers=HX)
    assert response.status_code == 200  # htmx swaps only a 2xx
    assert "HX-Push-Url" not in response
    assert "Choose an answer, from None to Very severe." in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.answers == {}


def test_without_active_items_there_is_nothing_to_start(alice_client, check_in_set):
    from education.models import CheckInItem

    CheckInItem.objects.update(active=False)
    html = alice_client.get("/check-in/").content.decode()
    assert "Your clinic has not chosen any check-in questions yet." in html
    assert "Start the check-in" not in html
    assert alice_client.post("/check-in/").url == "/check-in/"
    assert not CheckIn.objects.exists()
