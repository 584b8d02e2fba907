import pytest


def test_ping_answers_a_signed_in_patient_with_a_tiny_uncached_response(alice_client, alice):
    response = alice_client.get("/ping/")
    assert response.status_code == 200
    assert response.content == f"ok {alice.pk}\n".encode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


def test_ping_loads_only_the_session_and_the_user(alice_client, django_assert_num_queries):
    with django_assert_num_queries(2):
        alice_client.get("/ping/")


@pytest.mark.django_db
def test_ping_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/ping/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/ping/"


def test_ping_accepts_only_get(alice_client):
    assert alice_client.post("/ping/").status_code == 405
