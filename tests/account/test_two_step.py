import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.utils import timezone

from portal.models import AuditEvent, DeniedAccessCount

pytestmark = pytest.mark.django_db

PASSWORD = {"login": "alice@example.org", "password": "alice-password-123"}


def totp_code(secret: str, at=None) -> str:
    moment = (at or timezone.now()).timestamp()
    return format_hotp_value(hotp_value(secret, int(moment) // 30))


@pytest.fixture(autouse=True)
def _frozen_clock():
    # A code computed here must still be current when the view checks it.
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def secret(alice) -> str:
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    return secret


def setup_key(html: str) -> str:
    """The TOTP setup key from its page, where it shows in groups of 4 (spans, no spaces)."""
    shown = re.search(r'id="setup-key">(.*?)</dd>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", shown)


def session_key(client) -> str:
    return client.cookies["sessionid"].value


def start_session(client) -> str:
    session = client.session
    session["visited"] = True
    session.save()
    return session_key(client)


def test_sign_in_gives_the_session_a_new_key(client, alice):
    before = start_session(client)
    response = client.post("/accounts/login/", PASSWORD)
    assert response.status_code == 302
    after = session_key(client)
    assert after != before
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, alice, secret):
    response = client.post("/accounts/login/", PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/account/")["Location"].startswith("/accounts/login/")


def test_each_step_gives_the_session_a_new_key(client, alice, secret):
    anonymous = start_session(client)
    client.post("/accounts/login/", PASSWORD)
    after_password = session_key(client)
    assert after_password != anonymous

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    after_code = session_key(client)
    assert after_code not in (anonymous, after_password)
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert AuditEvent.objects.filter(action="auth.second_step", outcome="success").count() == 1
    assert AuditEvent.objects.filter(action="auth.sign_in", outcome="success").count() == 1


def test_a_wrong_code_is_refused_and_audited(client, alice, secret):
    client.post("/accounts/login/", PASSWORD)
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.second_step")
    assert (event.outcome, event.actor_id) == ("failure", alice.pk)


def test_a_code_cannot_be_replayed(client, alice, secret):
    with time_machine.travel(timezone.now(), tick=False):
        code = totp_code(secret)
        client.post("/accounts/login/", PASSWORD)
        assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
        client.post("/accounts/logout/")

        client.post("/accounts/login/", PASSWORD)
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client, alice, secret):
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    client.post("/accounts/login/", PASSWORD)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", PASSWORD)
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# Transactional: allauth announces the new authenticator once the row is committed.
@pytest.mark.django_db(transaction=True)
def test_a_patient_enrols_an_authenticator_app_and_gets_recovery_codes(client, alice):
    client.post("/accounts/login/", PASSWORD)
    # Turning on two-step sign-in asks for the password again first.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": "alice-password-123"})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up an authenticator app" in html
    assert 'src="data:image/svg+xml;base64,' in html
    secret = setup_key(html)

    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert "Recovery codes" in codes_page
    assert "10 of 10 codes are unused" in codes_page
    assert AuditEvent.objects.filter(actor_id=alice.pk, action="account.mfa_add").count() == 2
    assert mail.outbox[-1].subject == "Patient portal: Two-step sign-in is on"


@pytest.fixture
def staff(alice):
    alice.is_staff = True
    alice.is_superuser = True
    alice.save()
    return alice


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff):
    client.post("/accounts/login/", PASSWORD)
    response = client.get("/staff-admin/")
    assert response["Location"] == "/staff-admin/login/?next=/staff-admin/"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/staff-admin/portal/auditevent/").status_code == 302


def test_staff_signed_in_without_the_second_step_cannot_use_the_admin(client, staff, secret):
    client.force_login(staff)  # a session that never passed the second step
    response = client.get("/staff-admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_staff_who_passed_the_second_step_use_the_admin(client, staff, secret):
    client.post("/accounts/login/", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/staff-admin/").status_code == 200


def test_a_patient_cannot_use_the_admin(client, alice, secret):
    client.post("/accounts/login/", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    response = client.get("/staff-admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403
    event = AuditEvent.objects.get(action="admin.access")
    assert (event.outcome, event.actor_id) == ("denied", alice.pk)


def test_the_audit_trail_is_read_only_in_the_admin(client, staff, secret):
    client.post("/accounts/login/", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    event = AuditEvent.objects.filter(action="auth.sign_in").first()
    assert client.get("/staff-admin/portal/auditevent/").status_code == 200
    change = client.get(f"/staff-admin/portal/auditevent/{event.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.post(f"/staff-admin/portal/auditevent/{event.pk}/change/", {}).status_code == 403
    assert client.get("/staff-admin/portal/auditevent/add/").status_code == 403
    assert client.post(f"/staff-admin/portal/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_denied_access_counts_are_read_only_in_the_admin(client, staff, secret):
    counter = DeniedAccessCount.objects.add_one(staff.pk)
    client.post("/accounts/login/", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/staff-admin/portal/deniedaccesscount/").status_code == 200
    url = f"/staff-admin/portal/deniedaccesscount/{counter.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"count": 0}).status_code == 403
    assert client.get("/staff-admin/portal/deniedaccesscount/add/").status_code == 403
    delete = f"/staff-admin/portal/deniedaccesscount/{counter.pk}/delete/"
    assert client.post(delete).status_code == 403
    assert DeniedAccessCount.objects.get(pk=counter.pk).count == 1


def test_guessing_codes_is_stopped_even_from_many_addresses(client, alice, secret):
    client.post("/accounts/login/", PASSWORD)
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in range(20):
        address = f"198.51.100.{attempt + 1}"
        client.post("/accounts/2fa/authenticate/", {"code": wrong}, REMOTE_ADDR=address)
    response = client.post("/accounts/2fa/authenticate/", {"code": right}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
