import json
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent
from tests.conftest import ROOT
from tests.site.test_settings import PRODUCTION_ENV

pytestmark = pytest.mark.django_db

PASSWORD = {"login": "alice@example.org", "password": "alice-password-123"}


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_idle_and_absolute_limits_default_to_15_minutes_and_12_hours():
    assert timedelta(minutes=15) == settings.PORTAL_IDLE_TIMEOUT
    assert timedelta(hours=12) == settings.PORTAL_ABSOLUTE_TIMEOUT


def test_fifteen_idle_minutes_sign_the_patient_out(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert client.get("/account/").status_code == 200
    # Activity moved the deadline: 14:59 after the last request is still fine.
    with time_machine.travel(start + timedelta(minutes=29, seconds=58), tick=False):
        assert client.get("/account/").status_code == 200
    # A request within 15 s of the last one is activity too, but is not written again.
    with time_machine.travel(start + timedelta(minutes=30, seconds=5), tick=False):
        assert client.get("/account/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=44, seconds=58), tick=False):
        response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Faccount%2F"
    assert not signed_in(client)
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 15 minutes without activity" in page
    event = AuditEvent.objects.get(action="auth.session_timeout")
    assert (event.actor_id, event.record_id) == (alice.pk, "idle")


def test_twelve_hours_sign_the_patient_out_even_when_active(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", PASSWORD)
    moment = start
    while moment < start + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=10)
        with time_machine.travel(moment, tick=False):
            assert client.get("/account/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12), tick=False):
        response = client.get("/account/")
    assert response.status_code == 302
    assert not signed_in(client)
    assert "signed in for 12 hours" in client.get("/accounts/login/").content.decode()


def test_the_idle_limit_comes_from_the_environment(client, alice, settings):
    settings.PORTAL_IDLE_TIMEOUT = timedelta(minutes=5)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert client.get("/account/").status_code == 302


def test_an_htmx_request_after_the_timeout_loads_the_sign_in_page(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get("/account/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/"
    assert not signed_in(client)


def test_stay_signed_in_counts_as_activity(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        response = client.post("/account/stay-signed-in/", {"next": "/account/download/"})
        assert response["Location"] == "/account/download/"
        htmx = client.post("/account/stay-signed-in/", headers={"HX-Request": "true"})
        assert htmx.status_code == 204
    with time_machine.travel(start + timedelta(minutes=28), tick=False):
        assert client.get("/account/").status_code == 200


def test_stay_signed_in_does_not_redirect_off_site(alice_client):
    response = alice_client.post("/account/stay-signed-in/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_pages_warn_before_the_idle_sign_out(alice_client):
    html = alice_client.get("/").content.decode()
    assert 'id="session-warning"' in html
    # 15 minutes, less the 15 s the server may round activity down by.
    assert 'data-idle-seconds="885"' in html
    assert "Stay signed in" in html
    assert 'action="/account/stay-signed-in/"' in html
    assert "/static/js/session-timeout.js" in html
    assert 'aria-live="assertive"' in html


def test_signed_out_pages_have_no_warning(client):
    assert 'id="session-warning"' not in client.get("/").content.decode()


def test_sign_out_ends_the_server_session_and_clears_site_data(client, alice):
    client.post("/accounts/login/", PASSWORD)
    old_key = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response["Cache-Control"] == "no-store"
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()
    assert AuditEvent.objects.filter(action="auth.sign_out", actor_id=alice.pk).exists()


def test_sign_out_by_get_only_asks_for_confirmation(alice_client):
    response = alice_client.get("/accounts/logout/")
    assert response.status_code == 200
    assert signed_in(alice_client)


def test_production_cookies_are_host_only_secure_and_httponly():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS]))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **PRODUCTION_ENV,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == [
        "__Host-sessionid",
        "__Host-csrftoken",
        True,
        True,
        True,
        "Lax",
        "Lax",
        12 * 3600,
        31536000,
    ]


def test_changing_the_password_signs_out_the_other_sessions(client, alice):
    from django.test import Client

    other = Client()
    other.post("/accounts/login/", PASSWORD)
    client.post("/accounts/login/", PASSWORD)
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "alice-password-123",
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
        },
    )
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


@pytest.mark.django_db
def test_an_htmx_request_without_a_session_loads_the_sign_in_page_as_a_page(client):
    response = client.post(
        "/diary/suggestions/", {"own_words": "my hip"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_a_plain_request_without_a_session_is_still_an_ordinary_redirect(client):
    response = client.get("/diary/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "HX-Redirect" not in response
