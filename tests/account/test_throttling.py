from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

RIGHT = {"login": "alice@example.org", "password": "alice-password-123"}
WRONG = {"login": "alice@example.org", "password": "not-alices-password"}


def sign_in(client, data, address="127.0.0.1"):
    return client.post("/accounts/login/", data, REMOTE_ADDR=address)


def test_the_limit_is_a_few_attempts_with_a_cool_off_not_a_permanent_lockout():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_repeated_failures_block_that_account_from_that_address(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, WRONG)
        assert response.status_code == 200
    response = sign_in(client, WRONG)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused for 15 minutes" in html
    assert "5 unsuccessful attempts" in html

    # Even the right password is refused while the pause lasts.
    response = sign_in(client, RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="auth.sign_in_blocked", outcome="denied", actor_id=alice.pk
    ).exists()


def test_a_block_does_not_stop_the_patient_signing_in_from_elsewhere(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, WRONG, address="203.0.113.7")
    assert sign_in(client, RIGHT, address="203.0.113.7").status_code == 429
    response = sign_in(client, RIGHT, address="198.51.100.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_sign_in_works_again_after_the_cool_off(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, WRONG)
        assert sign_in(client, RIGHT).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = sign_in(client, RIGHT)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(alice.pk)


def test_trying_during_the_pause_restarts_it(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, WRONG)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        response = sign_in(client, RIGHT)
        assert response.status_code == 429
        assert "starts the 15 minutes again" in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in(client, RIGHT).status_code == 429
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        assert sign_in(client, RIGHT).status_code == 302


def test_a_success_resets_the_count(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, WRONG)
    assert sign_in(client, RIGHT).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, WRONG).status_code == 200
    assert sign_in(client, RIGHT).status_code == 302


def test_a_stranger_cannot_lock_the_patient_out_from_her_own_address(client, alice):
    # Issue 18: allauth's per-account budget once counted the attempts axes had already
    # refused, so twenty tries from one address locked the account everywhere for an hour.
    for _ in range(20):
        sign_in(client, WRONG, address="203.0.113.7")
    assert sign_in(client, RIGHT, address="203.0.113.7").status_code == 429
    response = sign_in(client, RIGHT, address="198.51.100.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    client.logout()
    # The stranger's address is still paused.
    assert sign_in(client, RIGHT, address="203.0.113.7").status_code == 429


def test_failures_from_many_addresses_do_not_lock_the_patient_out(client, alice):
    for attempt in range(20):
        assert sign_in(client, WRONG, address=f"198.51.100.{attempt + 1}").status_code == 200
    response = sign_in(client, RIGHT, address="192.0.2.50")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
