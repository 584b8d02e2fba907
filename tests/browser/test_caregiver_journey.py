"""A patient lets someone help: invite, accept, log as caregiver, "entered by", revoke."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.models import DiaryEntry
from tests.browser.conftest import PageChecks
from tests.conftest import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_caregiver_logs_for_the_patient_until_she_stops_it(
    page, browser, live_server, checks, sign_in
):
    alice = make_patient("alice", "alice-password-123", first_name="Alice")
    make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")

    # Alice invites Dana from My account.
    sign_in("alice@example.org", "alice-password-123")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="People who help me"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People who help me")
    checks.check()
    page.get_by_role("link", name="Invite someone to help").click()
    checks.check()
    page.get_by_label("Their email address").fill("dana@example.org")
    expect(page.get_by_label("Your name as they know you")).to_have_value("Alice")
    page.get_by_label("View and log for me").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("We have sent an invitation to dana@example.org.")).to_be_visible()
    checks.check()
    [email] = mail.outbox
    link = re.search(r"https?://\S+/caregivers/accept/\S+/", email.body)[0]

    # Dana opens the link in her own browser, signs in and accepts.
    context = browser.new_context()
    helper = context.new_page()
    helper_checks = PageChecks(helper)
    helper.goto(link)
    expect(helper).to_have_url(re.compile(r"/accounts/login/\?next=/caregivers/accept/"))
    _sign_in(helper, "dana@example.org", "dana-password-123")
    expect(helper.get_by_role("heading", level=1)).to_have_text(
        "Alice invites you to help with their diary"
    )
    helper_checks.check()
    helper.get_by_role("button", name="Accept").click()
    expect(helper.get_by_role("link", name="Set up an authenticator app")).to_be_visible()
    helper_checks.check()
    helper.get_by_role("button", name="Open Alice\u2019s diary").click()
    expect(helper.get_by_role("heading", level=1)).to_have_text("Alice\u2019s symptom diary")
    expect(helper.get_by_text("You are in Alice\u2019s diary")).to_be_visible()
    helper_checks.check()

    # She logs an entry for Alice.
    helper.get_by_role("textbox", name="What are you feeling?").fill("tired after the walk")
    helper.get_by_role("button", name="Find matching symptoms").click()
    # No symptom list is loaded here: the entry is kept in her words, asked how bad it is.
    expect(helper.get_by_role("heading", name="Kept in your own words")).to_be_visible()
    helper.get_by_role("radio", name="Mild").check()
    helper.get_by_role("button", name="Save in my diary").click()
    expect(helper.get_by_role("heading", name="Saved: tired after the walk, mild")).to_be_visible()
    helper_checks.check()
    entry = DiaryEntry.objects.get()
    assert entry.patient == alice and entry.entered_by.email == "dana@example.org"

    # Alice sees who entered it, and what Dana did.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    expect(page.locator(f"#entry-{entry.pk}").get_by_text("Entered by Dana Doe")).to_be_visible()
    checks.check()
    page.goto(f"{live_server.url}/account/activity/")
    expect(page.get_by_text("Dana Doe added a diary entry")).to_be_visible()
    checks.check()

    # Alice stops it; Dana's next click lands outside the diary.
    page.goto(f"{live_server.url}/caregivers/")
    page.get_by_role("link", name="Stop access for dana@example.org").click()
    checks.check()
    page.get_by_role("button", name="Yes, stop access").click()
    expect(page.get_by_text("dana@example.org can no longer see your diary.")).to_be_visible()

    helper.get_by_role("navigation", name="Main").get_by_role("link", name="Summary").click()
    expect(helper).to_have_url(f"{live_server.url}/")
    expect(helper.get_by_text("Your access to Alice's diary has ended.")).to_be_visible()
    expect(helper.get_by_text("You are in Alice\u2019s diary")).to_have_count(0)
    helper_checks.check()
    helper.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    expect(helper.get_by_role("heading", level=1)).to_have_text("Your symptom diary")
    expect(helper.get_by_text("tired after the walk")).to_have_count(0)
    context.close()
