import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "carol@example.org"
PASSWORD = "purple river lamp toast"


def totp_now(secret: str) -> tuple[str, int]:
    """The app's current code, waiting for the next one if this one is about to expire."""
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.5)
    window = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, window)), window


def test_patient_signs_up_enrols_an_authenticator_and_signs_in_with_a_code(
    page, live_server, checks
):
    page.goto(f"{live_server.url}/")
    checks.check()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    checks.check()

    # A weak password is refused with the reason, next to the field.
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password1").fill("password1234")
    page.locator("#id_password2").fill("password1234")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("This password is too common.", exact=True)).to_be_visible()
    expect(page.locator("#id_password1")).to_have_attribute("aria-invalid", "true")
    checks.check()

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/confirm-email/")
    checks.check()

    # The confirmation link, from the email the live server just sent.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    checks.check()
    page.get_by_role("button", name="Confirm").click()

    # Signed in, and offered two-step sign-in straight away.
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    checks.check()
    page.get_by_role("link", name="Set up an authenticator app").click()
    # Turning it on asks for the password again.
    page.get_by_label("Password").fill(PASSWORD)
    checks.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    checks.check()

    # Shown in groups of 4; its text (what a copy gives) is the bare key.
    secret = page.locator("#setup-key").text_content()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    code, enrol_window = totp_now(secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.get_by_label("Your unused codes").input_value().split()
    assert len(codes) == 10
    checks.check()

    # Signing out clears what the site stored in the browser (Clear-Site-Data).
    page.evaluate("localStorage.setItem('left-behind', '1'); sessionStorage.setItem('x', '1')")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    checks.check()
    assert page.evaluate("localStorage.getItem('left-behind')") is None
    assert page.evaluate("sessionStorage.getItem('x')") is None

    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    checks.check()

    # The enrolment code cannot be used again: wait for the app's next code.
    code, window = totp_now(secret)
    while window == enrol_window:
        time.sleep(1)
        code, window = totp_now(secret)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")
    checks.check()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Recent sign-ins"
    ).click()
    expect(page.get_by_role("table")).to_contain_text("Signed in")
    expect(page.get_by_role("table")).to_contain_text("Authenticator code accepted")
    checks.check()


def test_a_minute_before_the_idle_sign_out_the_patient_can_stay_signed_in(
    page, live_server, checks, sign_in, settings
):
    from datetime import timedelta

    from tests.conftest import make_patient

    make_patient("alice", "alice-password-123")
    # 77 seconds idle (62 on the page, after the 15 s rounding): the warning shows after 2 s.
    settings.PORTAL_IDLE_TIMEOUT = timedelta(seconds=77)
    sign_in("alice@example.org", "alice-password-123")
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    checks.check()

    # The click must reach the server (which counts it as activity), not only hide the warning.
    with page.expect_response(lambda r: r.url.endswith("/account/stay-signed-in/")) as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")


def test_a_page_left_open_signs_the_patient_out_when_the_idle_time_is_up(
    page, live_server, checks, sign_in, settings
):
    """The page's own reload at the end of the countdown must not count as activity:
    it has to reach the server after the idle limit, or an unattended tab would stay
    signed in until the absolute limit."""
    from datetime import timedelta

    from portal.models import AuditEvent
    from tests.conftest import make_patient

    make_patient("alice", "alice-password-123")
    # 20 seconds idle: the page counts down 5 (after the 15 s rounding) and shows the
    # warning at once; nobody touches it.
    settings.PORTAL_IDLE_TIMEOUT = timedelta(seconds=20)
    sign_in("alice@example.org", "alice-password-123")
    expect(page.get_by_role("alertdialog", name="Are you still there?")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", timeout=40_000)
    expect(
        page.get_by_text(re.compile(r"You were signed out after .* without activity"))
    ).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.session_timeout", record_id="idle").exists()
    checks.check()


def test_the_account_pages_pass_the_accessibility_checks(page, live_server, checks, sign_in):
    from tests.conftest import make_patient

    make_patient("alice", "alice-password-123")
    for url in ("/accounts/password/reset/", "/accounts/signup/"):
        page.goto(f"{live_server.url}{url}")
        checks.check()
    sign_in("alice@example.org", "alice-password-123")
    for url in (
        "/account/",
        "/account/activity/",
        "/account/download/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/email/",
    ):
        page.goto(f"{live_server.url}{url}")
        expect(page.get_by_role("navigation", name="Your account")).to_be_visible()
        checks.check()

    page.goto(f"{live_server.url}/account/delete/")
    page.get_by_role("button", name="Delete my account and my diary for good").click()
    expect(page.get_by_text("Enter your password", exact=True).first).to_be_visible()
    checks.check()

    page.goto(f"{live_server.url}/accounts/password/change/")
    page.get_by_label("Current password").fill("not the password")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Please type your current password.", exact=True)).to_be_visible()
    checks.check()
