"""Our own markup on every account page a patient sees: layout, labels, no inline code."""

import re

import pytest

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN_PAGES = [
    "/account/",
    "/account/activity/",
    "/account/download/",
    "/account/delete/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
]


def assert_our_page(html: str, url: str) -> None:
    assert "Skip to main content" in html, url  # our base.html, not allauth's
    assert "style=" not in html, url
    assert "<style" not in html, url
    for script in html.split("<script")[1:]:
        assert " src=" in script.split(">")[0], url
    # Every input with a placeholder also has a label of its own.
    for tag in re.findall(r"<input\b[^>]*\bplaceholder=\"[^>]*>", html):
        input_id = re.search(r'\bid="([^"]+)"', tag)
        assert input_id and f'for="{input_id[1]}"' in html, (url, tag)


def test_anonymous_account_pages_use_our_layout(client):
    for url in ANONYMOUS_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_our_page(response.content.decode(), url)


def test_signed_in_account_pages_use_our_layout(alice_client):
    for url in SIGNED_IN_PAGES:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert_our_page(response.content.decode(), url)
        assert 'aria-label="Your account"' in response.content.decode() or url in (
            "/accounts/logout/",
            "/accounts/reauthenticate/",
        ), url


def test_every_form_field_on_the_sign_in_page_has_a_label(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_the_recovery_codes_page_has_no_inline_script(alice_client, alice):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(alice)
    alice_client.post("/accounts/reauthenticate/", {"password": "alice-password-123"})
    response = alice_client.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200
    assert_our_page(response.content.decode(), "recovery codes")


def test_an_expired_form_gets_a_friendly_page_not_a_crash(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "alice-password-123"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "The form had expired" in html
    assert "Skip to main content" in html
