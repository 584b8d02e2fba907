"""Every allauth page a patient reaches is ours: our layout and headings in plain words, none
of allauth's defaults; its forms say what to enter, field by field."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.test import Client

from tests.account.test_two_step import setup_key

pytestmark = pytest.mark.django_db

PASSWORD = "alice-password-123"
# allauth's own words, which must not reach a patient.
ALLAUTH_DEFAULTS = [
    "Two-Factor Authentication",
    "two-factor authentication",
    "Please reauthenticate",
    "Confirm Access",
    "Authenticator App",
    "Activate",
    "Deactivate",
    "Sign Out",
    "Email Addresses",
    "Password Reset",
    "Bad Token",
    "Verify Your Email Address",
    "Account Inactive",
    "Sign Up Closed",
    "This field is required.",
    "Incorrect code.",
]


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def assert_ours(html: str, heading: str) -> None:
    assert "Skip to main content" in html  # templates/base.html
    assert h1(html) == heading
    for words in ALLAUTH_DEFAULTS:
        assert words not in html, words


ANONYMOUS = [
    ("/accounts/login/", "Sign in"),
    ("/accounts/signup/", "Create an account"),
    ("/accounts/password/reset/", "Reset your password"),
    ("/accounts/password/reset/done/", "Check your email"),
    ("/accounts/password/reset/key/1-not-a-key/", "This link has expired"),
    ("/accounts/password/reset/key/done/", "Your password is changed"),
    ("/accounts/confirm-email/", "Check your email"),
    ("/accounts/confirm-email/not-a-key/", "Confirm your email address"),
    ("/accounts/inactive/", "This account is closed"),
]


@pytest.mark.parametrize(("url", "heading"), ANONYMOUS)
def test_each_page_before_sign_in_is_ours(client, url, heading):
    response = client.get(url)
    assert response.status_code == 200
    assert_ours(response.content.decode(), heading)


SIGNED_IN = [
    ("/accounts/logout/", "Sign out of the portal?"),
    ("/accounts/reauthenticate/", "Confirm your password to continue"),
    ("/accounts/email/", "Your email address"),
    ("/accounts/password/change/", "Change your password"),
    ("/accounts/2fa/", "Two-step sign-in"),
    ("/accounts/sessions/", "Where you are signed in"),
]


@pytest.mark.parametrize(("url", "heading"), SIGNED_IN)
def test_each_signed_in_page_is_ours(alice_client, url, heading):
    response = alice_client.get(url)
    assert response.status_code == 200
    assert_ours(response.content.decode(), heading)


def reauthenticated(client) -> Client:
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_setup_page_is_ours_and_groups_the_key_in_fours(alice_client):
    html = reauthenticated(alice_client).get("/accounts/2fa/totp/activate/").content.decode()
    assert_ours(html, "Set up an authenticator app")
    shown = re.search(r'id="setup-key">(.*?)</dd>', html, re.S).group(1)
    groups = re.findall(r"<span>([A-Z2-7]+)</span>", shown)
    assert [len(group) for group in groups] == [4] * 8
    # No space, line break or anything else between the groups: a copy is the bare key.
    assert shown == "".join(f"<span>{group}</span>" for group in groups)
    assert setup_key(html) == "".join(groups) == alice_client.session["mfa.totp.secret"]
    assert "32 letters and digits, shown in groups of 4" in html


@pytest.fixture
def with_totp(alice):
    TOTP.activate(alice, generate_totp_secret())
    RecoveryCodes.activate(alice)
    return alice


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/2fa/", "Two-step sign-in"),
        ("/accounts/2fa/totp/deactivate/", "Turn off two-step sign-in?"),
        ("/accounts/2fa/recovery-codes/", "Recovery codes"),
        ("/accounts/2fa/recovery-codes/generate/", "Make new recovery codes?"),
    ],
)
def test_each_two_step_page_is_ours(alice_client, with_totp, url, heading):
    response = reauthenticated(alice_client).get(url)
    assert response.status_code == 200
    assert_ours(response.content.decode(), heading)


def test_the_code_re_check_is_ours_and_offers_the_password_instead(alice_client, with_totp):
    html = alice_client.get("/accounts/2fa/reauthenticate/").content.decode()
    assert_ours(html, "Confirm it is you to continue")
    assert "Enter the 6-digit code from your authenticator app" in html
    assert "Use your password instead" in html
    html = alice_client.get("/accounts/reauthenticate/").content.decode()
    assert "Use a code from your authenticator app instead" in html


def test_the_second_step_is_ours(client, with_totp):
    client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})
    html = client.get("/accounts/2fa/authenticate/").content.decode()
    assert_ours(html, "Second step")
    assert "Enter the 6-digit code from your authenticator app." in html
    assert 'placeholder="' not in html
    response = client.post("/accounts/2fa/authenticate/", {"code": ""})
    html = response.content.decode()
    assert_ours(html, "Second step")
    assert 'href="#id_code">Code: Enter the 6-digit code from your authenticator app</a>' in html


def test_a_confirmation_link_says_which_address_it_confirms(client, alice):
    address = EmailAddress.objects.create(user=alice, email="new@example.org", verified=False)
    from allauth.account.models import EmailConfirmationHMAC

    key = EmailConfirmationHMAC(address).key
    html = client.get(f"/accounts/confirm-email/{key}/").content.decode()
    assert_ours(html, "Confirm your email address")
    assert "Confirm that <strong>new@example.org</strong> is your email address." in html


@pytest.mark.parametrize(
    ("url", "data", "messages"),
    [
        (
            "/accounts/login/",
            {"login": "", "password": ""},
            ["Email address: Enter your email address", "Password: Enter your password"],
        ),
        (
            "/accounts/login/",
            {"login": "alice at example", "password": "x"},
            ["Enter an email address in the right format, like name@example.com"],
        ),
        (
            "/accounts/signup/",
            {"email": "", "password1": "", "password2": ""},
            ["Enter your email address", "Enter a password", "Enter the password again"],
        ),
        (
            "/accounts/password/reset/",
            {"email": ""},
            ["Enter the email address you sign in with"],
        ),
    ],
)
def test_errors_before_sign_in_say_what_to_enter(client, url, data, messages):
    html = client.post(url, data).content.decode()
    assert "There is a problem" in html
    for message in messages:
        assert message in html
    assert "This field is required." not in html


@pytest.mark.parametrize(
    ("url", "data", "messages"),
    [
        (
            "/accounts/password/change/",
            {"oldpassword": "", "password1": "", "password2": ""},
            [
                "Current password: Enter your current password",
                "New password: Enter a new password",
                "New password again: Enter the new password again",
            ],
        ),
        ("/accounts/reauthenticate/", {"password": ""}, ["Password: Enter your password"]),
        ("/accounts/email/", {"action_add": "", "email": ""}, ["Enter the email address to add"]),
        (
            "/account/delete/",
            {"password": "", "understood": ""},
            [
                "Your password: Enter your password",
                "Tick the box to show that you understand everything will be deleted",
            ],
        ),
        (
            "/account/details/",
            {"date_of_birth": "31/02/1970"},
            ["Enter your date of birth as a date, for example 27/3/1968"],
        ),
    ],
)
def test_errors_when_signed_in_say_what_to_enter(alice_client, url, data, messages):
    html = alice_client.post(url, data).content.decode()
    assert "There is a problem" in html
    for message in messages:
        assert message in html
    assert "This field is required." not in html


def test_a_failed_deletion_leaves_the_password_empty_and_says_to_enter_it_again(alice_client):
    response = alice_client.post("/account/delete/", {"password": PASSWORD})  # box not ticked
    assert response.status_code == 400
    html = response.content.decode()
    password_input = re.search(r'<input type="password"[^>]*>', html).group(0)
    assert "value=" not in password_input
    assert PASSWORD not in html
    assert "Enter your password again" in html
    assert 'aria-describedby="id_password_helptext"' in password_input
    # The box's error is its own, before the box, and the summary links to the box.
    assert html.index('id="id_understood_error"') < html.index('id="id_understood"')
    assert '<a href="#id_understood">' in html
    assert get_user_model().objects.filter(username="alice").exists()


def test_the_delete_button_is_red_and_says_what_is_lost(alice_client):
    html = alice_client.get("/account/delete/").content.decode()
    assert (
        '<button type="submit" class="button button-danger">'
        "Delete my account and my diary for good</button>" in html
    )


def test_turning_off_two_step_sign_in_is_a_danger_button(alice_client, with_totp):
    html = reauthenticated(alice_client).get("/accounts/2fa/totp/deactivate/").content.decode()
    assert 'class="button button-danger">Turn off two-step sign-in</button>' in html


def test_one_confirmed_address_is_said_plainly_and_two_can_be_managed(alice_client, alice):
    html = alice_client.get("/accounts/email/").content.decode()
    assert "You sign in with <strong>alice@example.org</strong>" in html
    assert "Remove this address" not in html
    EmailAddress.objects.create(user=alice, email="alice.home@example.org", verified=False)
    html = alice_client.get("/accounts/email/").content.decode()
    assert "<legend>Your addresses</legend>" in html
    assert "Not confirmed yet" in html
    assert (
        'name="action_remove" class="button button-danger">'
        "Remove this address from my account</button>" in html
    )


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("mfa/email/totp_activated", "Two-step sign-in was turned on."),
        ("mfa/email/totp_deactivated", "Two-step sign-in was turned off."),
        ("mfa/email/recovery_codes_generated", "New recovery codes were made"),
    ],
)
def test_the_change_emails_use_the_pages_words_and_name_the_browser(template, words):
    from django.template.loader import render_to_string

    from tests.account.test_activity_and_sessions import FIREFOX_WINDOWS

    # What allauth's adapter.send_notification_mail gives the templates.
    context = {"ip": "198.51.100.7", "user_agent": FIREFOX_WINDOWS, "timestamp": "now"}
    body = render_to_string(f"{template}_message.txt", context)
    subject = render_to_string(f"{template}_subject.txt", context)
    assert words in body
    assert "- in Firefox on Windows" in body and "- from network address 198.51.100.7" in body
    assert "Gecko" not in body
    for text in (body, subject):
        assert "wo-Factor" not in text and "Authenticator App" not in text
