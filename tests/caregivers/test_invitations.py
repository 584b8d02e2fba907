"""Inviting, accepting, changing and stopping: the patient's pages, and the one link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from portal.models import AuditEvent, CaregiverGrant
from tests.caregivers.conftest import enter, make_grant

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/caregivers/accept/[\w-]+/)")


def invite(client, **fields):
    data = {"email": "dana@example.org", "patient_name": "Alice", "access": "log", **fields}
    return client.post("/caregivers/invite/", data)


def test_the_invitation_email_has_a_link_that_names_nobody_and_no_health_words(alice_client, alice):
    response = invite(alice_client, ends_on=(timezone.localdate() + timedelta(days=30)))
    assert response.status_code == 302
    assert response["Location"] == "/caregivers/"
    [email] = mail.outbox
    assert email.to == ["dana@example.org"]
    path = LINK.search(email.body)[1]
    grant = CaregiverGrant.objects.get()
    # The link carries only the random token; the database keeps only its hash.
    assert re.fullmatch(r"/caregivers/accept/[\w-]{43}/", path)  # the token, nothing else
    assert grant.token_hash not in path and len(grant.token_hash) == 64
    assert CaregiverGrant.objects.with_token(path.split("/")[3]).get() == grant
    text = (email.subject + email.body).lower()
    for word in ("cancer", "mbc", "metasta", "symptom", "breast", "oncolog"):
        assert word not in text, word
    assert "Alice" in email.body
    assert grant.patient == alice and grant.caregiver is None and grant.is_pending
    assert grant.invitation_expires_at - grant.invited_at == timedelta(days=7)


def test_the_invite_form_refuses_her_own_email_and_a_past_end_date(alice_client):
    response = invite(alice_client, email="ALICE@example.org")
    assert response.status_code == 400
    assert "Enter the email address of the person who will help." in response.content.decode()
    response = invite(alice_client, ends_on=timezone.localdate().isoformat())
    assert response.status_code == 400
    assert "Choose a day after today" in response.content.decode()
    assert not CaregiverGrant.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": ""}, "email", "Enter the email address of the person who will help."),
        (
            {"email": "dana at example"},
            "email",
            "Enter their email address in the right form, like name@example.com.",
        ),
        ({"patient_name": " "}, "patient_name", "Enter your name as they know you."),
        ({"patient_name": "n" * 101}, "patient_name", "Your name must be 100 characters or fewer."),
        ({"access": ""}, "access", "Choose what they may do."),
        ({"access": "everything"}, "access", "Choose what they may do from the list."),
        (
            {"ends_on": "2026-02-30"},
            "ends_on",
            "Enter the day access ends as a real date, for example 31/12/2026.",
        ),
    ],
)
def test_each_invitation_field_says_what_to_enter(alice_client, fields, field, message):
    response = invite(alice_client, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    anchor = f"id_{field}_0" if field == "access" else f"id_{field}"
    assert f'<a href="#{anchor}">' in html
    assert "This field is required." not in html
    assert not CaregiverGrant.objects.exists() and not mail.outbox


def test_changing_access_without_a_choice_says_what_to_choose(alice_client, logs_for_alice):
    response = alice_client.post(f"/caregivers/{logs_for_alice.pk}/edit/", {"access": ""})
    assert response.status_code == 400
    assert "Choose what they may do." in response.content.decode()
    logs_for_alice.refresh_from_db()
    assert logs_for_alice.access == "log"


def test_accepting_asks_to_sign_in_first_and_comes_back(client, alice):
    grant = make_grant(alice, None)
    response = client.get(f"/caregivers/accept/{grant.token}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/caregivers/accept/")


def test_a_caregiver_accepts_once_with_her_own_account(dana_client, dana, alice, bob, client):
    grant = make_grant(alice, None)
    url = f"/caregivers/accept/{grant.token}/"
    page = dana_client.get(url)
    assert page.status_code == 200
    assert "Alice invites you to help with their diary" in page.content.decode()
    assert dana_client.post(url)["Location"] == "/caregivers/"
    grant.refresh_from_db()
    assert grant.caregiver == dana and grant.accepted_at is not None
    assert grant in CaregiverGrant.objects.active().for_caregiver(dana)
    listing = dana_client.get("/caregivers/").content.decode()
    assert "Open Alice\u2019s diary" in listing
    assert "/accounts/2fa/totp/activate/" in listing  # the second step is offered

    # Reuse: the same link does nothing more, for her or for anyone else.
    assert dana_client.post(url)["Location"] == "/caregivers/"
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    grant.refresh_from_db()
    assert grant.caregiver == dana


def test_an_expired_invitation_says_so_and_cannot_be_accepted(dana_client, alice):
    grant = make_grant(alice, None)
    CaregiverGrant.objects.filter(pk=grant.pk).update(
        invitation_expires_at=timezone.now() - timedelta(seconds=1)
    )
    url = f"/caregivers/accept/{grant.token}/"
    response = dana_client.get(url)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert dana_client.post(url).status_code == 410
    grant.refresh_from_db()
    assert grant.caregiver is None and grant.accepted_at is None


@pytest.mark.parametrize("change", ["one-letter", "truncated", "unknown", "cancelled"])
def test_a_tampered_unknown_or_cancelled_token_is_a_404_and_audited(
    dana_client, dana, alice, change
):
    grant = make_grant(alice, None)
    token = grant.token
    if change == "one-letter":
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif change == "truncated":
        token = token[:-1]
    elif change == "unknown":
        token = "x" * 43
    else:
        grant.revoked_at = timezone.now()
        grant.save()
    assert dana_client.post(f"/caregivers/accept/{token}/").status_code == 404
    denied = AuditEvent.objects.get(action="caregiver.accept")
    assert denied.actor_id == dana.pk and denied.outcome == AuditEvent.Outcome.DENIED
    grant.refresh_from_db()
    assert grant.caregiver is None


def test_the_patient_cannot_accept_her_own_invitation(alice_client, alice):
    grant = make_grant(alice, None)
    response = alice_client.post(f"/caregivers/accept/{grant.token}/")
    # A page, not a 4xx, so Django's request log does not write down the working link.
    assert response.status_code == 200
    assert "your own invitation" in response.content.decode()
    assert response["Referrer-Policy"] == "strict-origin"
    grant.refresh_from_db()
    assert grant.caregiver is None


def test_the_invitation_page_sends_no_referer_with_its_token(dana_client, alice):
    grant = make_grant(alice, None)
    response = dana_client.get(f"/caregivers/accept/{grant.token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"


def test_the_database_refuses_a_patient_as_her_own_caregiver(alice):
    with pytest.raises(IntegrityError):
        make_grant(alice, alice)


def test_one_live_grant_per_patient_and_caregiver(alice, dana):
    make_grant(alice, dana)
    with pytest.raises(IntegrityError):
        make_grant(alice, dana)


def test_accepting_a_new_invitation_replaces_the_earlier_grant(dana_client, dana, alice):
    earlier = make_grant(alice, dana, CaregiverGrant.Access.VIEW)
    newer = make_grant(alice, None)
    dana_client.post(f"/caregivers/accept/{newer.token}/")
    earlier.refresh_from_db()
    newer.refresh_from_db()
    assert earlier.revoked_at is not None and newer.caregiver == dana


def test_the_patient_lists_changes_and_stops_a_grant(alice_client, logs_for_alice):
    listing = alice_client.get("/caregivers/").content.decode()
    assert "dana@example.org" in listing and "View and log for me" in listing
    response = alice_client.post(
        f"/caregivers/{logs_for_alice.pk}/edit/", {"access": "view", "ends_on": ""}
    )
    assert response.status_code == 302
    logs_for_alice.refresh_from_db()
    assert logs_for_alice.access == CaregiverGrant.Access.VIEW
    confirm = alice_client.get(f"/caregivers/{logs_for_alice.pk}/revoke/")
    assert "Stop dana@example.org seeing your diary?" in confirm.content.decode()
    assert alice_client.post(f"/caregivers/{logs_for_alice.pk}/revoke/").status_code == 302
    logs_for_alice.refresh_from_db()
    assert logs_for_alice.revoked_at is not None
    assert logs_for_alice not in CaregiverGrant.objects.active()
    # A stopped grant is gone from her list, and cannot be changed back.
    listing = alice_client.get("/caregivers/").content.decode()
    assert f'id="grant-{logs_for_alice.pk}"' not in listing
    response = alice_client.post(f"/caregivers/{logs_for_alice.pk}/edit/", {"access": "log"})
    assert response.status_code == 404


def test_an_end_date_in_the_past_ends_access(logs_for_alice):
    logs_for_alice.ends_on = timezone.localdate() - timedelta(days=1)
    logs_for_alice.save()
    assert logs_for_alice not in CaregiverGrant.objects.active()
    logs_for_alice.ends_on = timezone.localdate()
    logs_for_alice.save()
    assert logs_for_alice in CaregiverGrant.objects.active()  # the end date is the last day


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/caregivers/"),
        ("get", "/caregivers/invite/"),
        ("post", "/caregivers/invite/"),
        ("get", "/caregivers/{grant}/edit/"),
        ("post", "/caregivers/{grant}/edit/"),
        ("get", "/caregivers/{grant}/revoke/"),
        ("post", "/caregivers/{grant}/revoke/"),
    ],
)
def test_a_caregiver_in_the_patients_diary_cannot_invite_change_or_stop(
    dana_client, alice, dana, logs_for_alice, method, url
):
    enter(dana_client, logs_for_alice)
    # Dana's own grant to someone else, and Alice's: neither can be managed from here.
    own = make_grant(dana, None)
    for grant in (own, logs_for_alice):
        data = {"email": "eve@example.org", "patient_name": "x", "access": "log"}
        response = getattr(dana_client, method)(url.format(grant=grant.pk), data)
        assert response.status_code == 404, (method, url)
    logs_for_alice.refresh_from_db()
    assert logs_for_alice.revoked_at is None and logs_for_alice.access == "log"
    assert CaregiverGrant.objects.count() == 2 and not mail.outbox


def test_switching_needs_one_of_her_own_active_grants(dana_client, dana, alice, bob):
    bobs = make_grant(bob, alice)  # alice helps bob; dana does not
    for grant_id in (str(bobs.pk), "", "abc", "9" * 30):
        response = dana_client.post("/caregivers/switch/", {"grant": grant_id})
        assert response.status_code == 404, grant_id
    assert "portal_diary_of" not in dana_client.session
    denied = AuditEvent.objects.filter(action="caregiver.switch", outcome="denied")
    assert denied.count() == 4


def test_grants_are_read_only_in_the_staff_admin(client, alice, dana, logs_for_alice):
    from tests.conftest import pass_second_factor

    staff = type(alice).objects.create_user("staff", "staff@example.org", "x", is_staff=True)
    staff.is_superuser = True
    staff.save()
    pass_second_factor(client, staff)
    base = "/staff-admin/portal/caregivergrant/"
    assert client.get(base).status_code == 200
    page = client.get(f"{base}{logs_for_alice.pk}/change/")
    assert page.status_code == 200 and logs_for_alice.token_hash not in page.content.decode()
    assert client.post(f"{base}{logs_for_alice.pk}/change/", {"access": "view"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{logs_for_alice.pk}/delete/").status_code == 403
    logs_for_alice.refresh_from_db()
    assert logs_for_alice.access == "log"


def test_an_invitation_the_mail_server_refuses_is_withdrawn_and_can_be_sent_again(
    alice_client, monkeypatch
):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("relay down")

    monkeypatch.setattr("portal.caregivers.views.send_mail", refuse)
    response = invite(alice_client)
    assert response.status_code == 503
    assert "nobody has been invited" in response.content.decode()
    grant = CaregiverGrant.objects.get()
    assert grant.revoked_at is not None and not grant.is_pending
    assert AuditEvent.objects.filter(action="caregiver.invite_unsent").exists()
    monkeypatch.undo()
    assert invite(alice_client).status_code == 302
    assert len(mail.outbox) == 1
