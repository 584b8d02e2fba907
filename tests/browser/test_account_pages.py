"""The account pages in the browser: the second step, the setup key in groups of 4, the
password re-check, an error when deleting the account (focus on the summary, its links to
the fields), sign out everywhere else; axe-core on each."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL, PASSWORD = "alice@example.org", "alice-password-123"


@pytest.fixture
def alice(db):
    from tests.conftest import make_patient

    return make_patient("alice", PASSWORD)


def test_the_second_step_is_plain_and_its_error_takes_focus(page, live_server, checks, alice):
    TOTP.activate(alice, generate_totp_secret())
    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    expect(page.get_by_text("Two-Factor Authentication")).to_have_count(0)
    checks.check()

    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Code: Enter the 6-digit code from your")
    link.click()
    expect(page.get_by_label("Code")).to_be_focused()
    checks.check()


def test_the_setup_key_shows_in_fours_and_copies_without_spaces(page, live_server, checks, alice):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your password to continue")
    expect(page.get_by_text("Please reauthenticate")).to_have_count(0)
    checks.check()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")

    key = page.locator("#setup-key")
    groups = key.locator("span")
    expect(groups).to_have_count(8)
    texts = groups.all_text_contents()
    assert all(len(text) == 4 for text in texts)
    # Seen with a gap between groups...
    first, second = groups.nth(0).bounding_box(), groups.nth(1).bounding_box()
    assert second["x"] >= first["x"] + first["width"] + 4 or second["y"] > first["y"]
    # ...but selecting the key and copying gives it in one piece, as the app wants it.
    copied = key.evaluate(
        """node => { const range = document.createRange(); range.selectNodeContents(node);
                     const selection = getSelection(); selection.removeAllRanges();
                     selection.addRange(range); return selection.toString(); }"""
    )
    assert copied == "".join(texts)
    assert " " not in copied and "\n" not in copied
    # Nothing is wider than a 320 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    checks.check()

    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(
        page.get_by_role("link", name="Authenticator code: Enter the 6-digit code from your")
    ).to_be_visible()
    checks.check()


def test_a_deletion_error_takes_focus_and_links_to_each_field(page, live_server, checks, alice):
    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    page.goto(f"{live_server.url}/account/delete/")
    button = page.get_by_role("button", name="Delete my account and my diary for good")
    keep = page.get_by_role("link", name="Keep my account")
    # The destructive button does not look like the others.
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") != keep.evaluate(
        "a => getComputedStyle(a).backgroundColor"
    )
    assert "button-danger" in button.get_attribute("class")
    checks.check()

    page.get_by_label("Your password").fill(PASSWORD)
    button.click()  # the box is not ticked
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Your password")).to_have_value("")
    expect(page.get_by_text("Enter your password again", exact=False)).to_be_visible()
    box = page.get_by_role("checkbox", name="I understand")
    error = page.locator("#id_understood_error")
    expect(error).to_be_visible()
    # The box's error sits above the box, not squeezed beside it.
    assert error.bounding_box()["y"] + error.bounding_box()["height"] <= box.bounding_box()["y"]
    summary.get_by_role("link", name="Tick the box to show that you understand").click()
    expect(box).to_be_focused()
    checks.check()

    page.get_by_role("button", name="Delete my account and my diary for good").click()
    summary.get_by_role("link", name="Your password: Enter your password").click()
    expect(page.get_by_label("Your password")).to_be_focused()
    checks.check()


def test_sign_out_everywhere_else_from_the_activity_page(browser, page, live_server, checks, alice):
    phone = browser.new_context(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    ).new_page()
    sign_in_on(phone, live_server.url, EMAIL, PASSWORD)
    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    page.goto(f"{live_server.url}/account/activity/")
    now = page.get_by_role("list", name="Where you are signed in now")
    expect(now.get_by_role("listitem")).to_have_count(2)
    expect(now).to_contain_text("Safari on iPhone")
    expect(now).to_contain_text("This browser")
    checks.check()

    page.get_by_role("button", name="Sign out everywhere else").click()
    expect(page.get_by_text("You are signed out everywhere else.")).to_be_visible()
    expect(now.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_role("table", name="Sign-ins and account changes")).to_contain_text(
        "Signed out everywhere else"
    )
    checks.check()

    phone.goto(f"{live_server.url}/account/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in")
    phone.context.close()


def test_every_other_allauth_page_passes_axe(page, live_server, checks, alice):
    from tests.browser.test_account_journey import totp_now

    for url, heading in [
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/confirm-email/", "Check your email"),
        ("/accounts/confirm-email/not-a-key/", "Confirm your email address"),
        ("/accounts/inactive/", "This account is closed"),
        ("/accounts/password/reset/key/1-not-a-key/", "This link has expired"),
        ("/accounts/password/reset/key/done/", "Your password is changed"),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        checks.check()

    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(alice)
    sign_in_on(page, live_server.url, EMAIL, PASSWORD)
    page.get_by_label("Code").fill(totp_now(secret)[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")
    for url, heading in [
        ("/accounts/logout/", "Sign out of the portal?"),
        ("/accounts/sessions/", "Where you are signed in"),
        ("/accounts/email/", "Your email address"),
        ("/accounts/2fa/", "Two-step sign-in"),
        ("/accounts/2fa/reauthenticate/", "Confirm it is you to continue"),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        checks.check()

    # Changes to the second step ask for the password again first (allauth: a sign-in does
    # not count), then stay open for a few minutes.
    page.goto(f"{live_server.url}/accounts/2fa/totp/deactivate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your password to continue")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn off two-step sign-in?")
    checks.check()
    for url, heading in [
        ("/accounts/2fa/recovery-codes/", "Recovery codes"),
        ("/accounts/2fa/recovery-codes/generate/", "Make new recovery codes?"),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        checks.check()
