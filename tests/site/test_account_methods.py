"""django-allauth's pages under /accounts/ refuse methods a page does not use.

The list is read from the resolver, so pages a newer allauth adds are covered too.
"""

import pytest

from tests.site.test_url_access import PUBLIC, all_urls

pytestmark = pytest.mark.django_db

OTHER_METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS"]


def account_urls() -> list[tuple[str, str]]:
    return [(name, path) for name, path in all_urls() if path.startswith("/accounts/")]


def test_the_walk_finds_allauths_pages():
    names = {name for name, _ in account_urls()}
    assert {"account_login", "account_signup", "account_email", "mfa_index"} <= names
    assert len(names) > 20


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_every_account_page_refuses_other_methods_to_a_signed_in_patient(alice_client, method):
    for name, path in account_urls():
        response = alice_client.generic(method, path)
        assert response.status_code == 405, (method, path, name, response.status_code)


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_every_public_account_page_refuses_other_methods_to_a_visitor(client, method):
    checked = 0
    for name, path in account_urls():
        if name in PUBLIC:
            response = client.generic(method, path)
            assert response.status_code == 405, (method, path, name, response.status_code)
            checked += 1
    assert checked > 10


def test_the_account_pages_still_answer_get_head_and_post(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.head("/accounts/signup/").status_code == 200
    response = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    assert response.status_code == 200
