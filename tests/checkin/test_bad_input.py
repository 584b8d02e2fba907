"""Bad input is a clear error and changes nothing; another patient's check-in is a 404;
a caregiver follows the diary's rules; nobody signed out gets in."""

import pytest
from django.forms.models import model_to_dict

from portal.models import AuditEvent, CaregiverGrant, CheckIn, DiaryEntry
from tests.caregivers.conftest import enter, make_grant
from tests.checkin.conftest import answer, open_check_in, term
from tests.conftest import HX, make_patient


def unchanged(check_in) -> dict:
    return model_to_dict(CheckIn.objects.get(pk=check_in.pk))


@pytest.mark.parametrize("word", ["Sometimes", "5", "-1", "2.0", "", "Moderate"])
def test_an_answer_word_nci_does_not_define_is_a_400_and_saves_nothing(
    alice_client, alice, check_in_set, word
):
    check_in = open_check_in(alice, Fatigue={"severity": 1})
    before = unchanged(check_in)
    response = answer(alice_client, check_in, 1, word)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose an answer, from None to Very severe." in html
    assert "Nothing was saved." in html
    assert unchanged(check_in) == before


def test_an_attribute_the_term_does_not_have_is_a_400(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    fatigue = term("Fatigue")
    response = alice_client.post(
        f"/check-in/{check_in.pk}/questions/1/",
        {"answer": "1", "symptom": fatigue.pk, "attribute": "frequency"},
    )
    assert response.status_code == 400
    assert "This question has changed since the page was shown." in response.content.decode()
    assert unchanged(check_in)["answers"] == {}


def test_an_answer_for_another_question_than_the_steps_is_a_400(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = alice_client.post(
        f"/check-in/{check_in.pk}/questions/1/",
        {"answer": "1", "symptom": term("Insomnia").pk, "attribute": "severity"},
    )
    assert response.status_code == 400
    assert unchanged(check_in)["answers"] == {}


def test_an_answer_to_a_skipped_question_is_a_400(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, **{"General pain": {"frequency": 0}})
    before = unchanged(check_in)
    response = answer(alice_client, check_in, 6, "3")
    assert response.status_code == 400
    assert "so this one is not asked" in response.content.decode()
    assert unchanged(check_in) == before


@pytest.mark.parametrize("number", [0, 26, 999999999999999999999])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_step_out_of_range_is_a_404(alice_client, alice, check_in_set, number, method):
    check_in = open_check_in(alice)
    response = getattr(alice_client, method)(
        f"/check-in/{check_in.pk}/questions/{number}/", {"answer": "1"}
    )
    assert response.status_code == 404
    assert unchanged(check_in)["answers"] == {}


def test_words_that_look_like_web_code_are_a_field_error(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/",
        {"own_words": "<script>alert(1)</script>", "severity": "1"},
    )
    assert response.status_code == 400
    assert "web code" in response.content.decode()
    assert unchanged(check_in)["own_words"] == ""


def test_a_how_bad_word_nci_does_not_define_is_a_field_error(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": "hip", "severity": "9"}
    )
    assert response.status_code == 400
    assert "Choose how bad it was, from None to Very severe." in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/questions/1/"),
        ("post", "/questions/1/"),
        ("get", "/anything-else/"),
        ("post", "/anything-else/"),
        ("get", "/review/"),
        ("post", "/submit/"),
        ("get", "/done/"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_another_patients_check_in_is_a_404_unchanged_and_audited(
    alice_client, alice, bob, check_in_set, method, path, htmx
):
    bobs = open_check_in(bob, Fatigue={"severity": 1})
    bobs.own_words = "bob's private words"
    bobs.save()
    before = unchanged(bobs)
    data = {"answer": "4", "symptom": term("Fatigue").pk, "attribute": "severity"}
    data["own_words"] = "changed by alice"
    response = getattr(alice_client, method)(
        f"/check-in/{bobs.pk}{path}", data, headers=HX if htmx else {}
    )
    assert response.status_code == 404
    assert b"private words" not in response.content
    assert unchanged(bobs) == before
    assert not DiaryEntry.objects.exists()
    denied = AuditEvent.objects.get(outcome=AuditEvent.Outcome.DENIED, actor_id=alice.pk)
    assert (denied.record_type, denied.record_id) == ("portal.checkin", str(bobs.pk))


@pytest.mark.parametrize(
    "path", ["/check-in/", "/check-in/1/", "/check-in/1/questions/1/", "/check-in/1/done/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, check_in_set, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.post("/check-in/").url.startswith("/accounts/login/")
    assert not CheckIn.objects.exists()


def test_the_audit_trail_holds_ids_only(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    answer(alice_client, check_in, 1, "3")
    alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": "my hip aches", "severity": "2"}
    )
    alice_client.post(f"/check-in/{check_in.pk}/submit/")
    for event in AuditEvent.objects.all():
        assert event.record_id.isdigit(), event.action
        assert "hip" not in str(model_to_dict(event))


def test_a_caregiver_with_log_access_does_her_check_in_as_entered_by_her(
    client, alice, check_in_set
):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.LOG))
    response = client.post("/check-in/")
    check_in = CheckIn.objects.get()
    assert (check_in.patient, check_in.entered_by) == (alice, dana)
    answer(client, check_in, 1, "2")
    client.post(f"/check-in/{check_in.pk}/submit/")
    entry = DiaryEntry.objects.get()
    assert (entry.patient, entry.entered_by, entry.check_in) == (alice, dana, check_in)
    assert response.status_code == 302
    assert not CheckIn.objects.filter(patient=dana).exists()


def test_a_caregiver_with_view_access_cannot_check_in(client, alice, check_in_set):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.VIEW))
    response = client.post("/check-in/")
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("missing", ["symptom", "attribute"])
def test_a_post_without_the_question_it_answers_says_so_once(
    alice_client, alice, check_in_set, missing
):
    check_in = open_check_in(alice)
    data = {"answer": "1", "symptom": term("Fatigue").pk, "attribute": "severity"}
    del data[missing]
    response = alice_client.post(f"/check-in/{check_in.pk}/questions/1/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("This question has changed since the page was shown.") == 1
    assert "This field is required." not in html
    assert unchanged(check_in)["answers"] == {}


@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 200)])
def test_no_answer_is_a_specific_error_that_takes_the_focus(
    alice_client, alice, check_in_set, headers, status
):
    check_in = open_check_in(alice)
    response = answer(alice_client, check_in, 1, "", headers=headers)
    assert response.status_code == status
    html = response.content.decode()
    message = "Choose an answer, from None to Very severe."
    assert f'<ul class="errorlist" id="id_answer_error"><li>{message}</li></ul>' in html
    assert '<a href="#id_answer_0">In the last 7 days, what was the SEVERITY' in html
    assert "There is a problem</h2>" in html
    assert 'aria-describedby="id_answer_error"' in html
    # The error summary takes the focus (static/js/portal.js), not the question's legend.
    assert 'id="check-in-question" tabindex="-1">' in html
    assert "autofocus" not in html


def test_own_words_too_long_say_how_long_they_may_be(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = alice_client.post(
        f"/check-in/{check_in.pk}/anything-else/", {"own_words": "x" * 201, "severity": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = "Your own words must be 200 characters or fewer."
    assert f'<ul class="errorlist" id="id_own_words_error"><li>{message}</li></ul>' in html
    assert '<h3 class="error-summary-title" id="form-errors-title">There is a problem</h3>' in html
    assert unchanged(check_in)["own_words"] == ""
