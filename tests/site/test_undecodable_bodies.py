"""A body Django cannot decode, posted to every URL in the URL conf: a 400, never a 500.

A form that declares a charset other than UTF-8 is refused by Django; the 400 must carry
every security header and the request id, and leave one log line, not a traceback. The
list is read from the resolver, so URLs added later are covered without editing this file.
"""

import logging

import pytest
from django.test import Client

from tests.site.test_security_headers import assert_security_headers
from tests.site.test_url_access import all_urls

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32
LATIN1 = "application/x-www-form-urlencoded; charset=latin-1"
BODY = f"csrfmiddlewaretoken={TOKEN}&login=ren%E9e%40example.org&password=x".encode()


@pytest.fixture(autouse=True)
def _production_hsts(settings):
    settings.SECURE_HSTS_SECONDS = 31536000


def _client(settings, user=None, *, enforce_csrf_checks: bool) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    # A CSRF cookie the body's token matches, so CSRF goes on to read the body.
    client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    return client


def _post_latin1(client: Client, path: str):
    # Over HTTPS, as in production: CSRF also wants the page's own origin.
    return client.post(
        path,
        data=BODY,
        content_type=LATIN1,
        secure=True,
        headers={"Origin": "https://testserver"},
    )


def _console() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


def assert_one_line_logged(caplog, what: str) -> None:
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1, (what, [r.getMessage() for r in records])
    console = _console()
    assert console.filter(records[0])
    assert "\n" not in console.format(records[0]), what
    assert "must be UTF-8 encoded" in records[0].getMessage(), what


def assert_bad_request_page(response, what: str) -> None:
    assert response.status_code == 400, (what, response.status_code)
    assert_security_headers(response)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000"), what
    assert "We could not read what your browser sent" in response.content.decode(), what


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "alice"])
def test_a_form_in_another_charset_is_a_400_with_headers_on_every_url(
    settings, caplog, alice, signed_in
):
    # As in production: CSRF is checked, and the check is what reads the body first.
    client = _client(settings, alice if signed_in else None, enforce_csrf_checks=True)
    checked = 0
    for name, path in all_urls():
        caplog.clear()
        response = _post_latin1(client, path)
        what = f"POST {path} ({name})"
        assert_bad_request_page(response, what)
        assert_one_line_logged(caplog, what)
        checked += 1
    assert checked > 50


def test_a_view_that_reads_the_body_itself_answers_400_too(settings, caplog, alice):
    """Without the CSRF check (as for a csrf_exempt view) the view is the first to read the
    body: each URL either answers as it does to a plain POST (it never read the body) or 400."""
    read_by_the_view = 0
    for name, path in all_urls():
        caplog.clear()
        latin1 = _post_latin1(_client(settings, alice, enforce_csrf_checks=False), path)
        what = f"POST {path} ({name})"
        if latin1.status_code == 400:
            assert_bad_request_page(latin1, what)
            assert_one_line_logged(caplog, what)
            read_by_the_view += 1
            continue
        plain = _client(settings, alice, enforce_csrf_checks=False).post(path, secure=True)
        assert latin1.status_code == plain.status_code, (what, latin1.status_code)
    # Sign-in, sign-up, password reset, sign-out, the diary, appointments, questions...
    assert read_by_the_view >= 10
