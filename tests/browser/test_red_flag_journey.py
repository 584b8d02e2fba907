"""Issue 11's journey: words typed, saved, and the saved entry links to its section
and shows its red flag with the clinic's number, with JavaScript on and off."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import DiaryEntry, NoticeLevel
from tests.browser.conftest import sign_in_on
from tests.conftest import example_clinic, load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SICK_TWICE = "Being sick 2 or more times in 24 hours"
SICK_TWICE_WORDS = "Being sick 2 or more times in 24 hours: contact the acute oncology line"


@pytest.fixture
def seeded():
    load_vocabulary()
    example_clinic()
    return make_patient("alice", "alice-password-123")


def _assert_saved_with_its_red_flag(page, entry: DiaryEntry) -> None:
    saved = page.locator("#saved-entry")
    expect(saved).to_contain_text("Matched to: Vomiting")
    expect(saved).to_contain_text("In your words: “threw up twice”")
    # Its section, inline, and the link into the full article.
    expect(
        saved.get_by_role("link", name=re.compile(r"^Read “.+” in the full article"))
    ).to_be_visible()
    # The red flag in its source's words, whom to call and the number as a tel: link.
    flag = saved.get_by_role("listitem").filter(has_text="Being sick 2 or more times in 24 hours")
    call = flag.get_by_role("link", name="01632 960 001")
    expect(call).to_have_attribute("href", "tel:01632960001")
    expect(flag).to_contain_text("St George's University Hospitals NHS FT")
    assert entry.symptom.slug == "vomiting"
    assert entry.times_in_24h == 2  # "twice", read from her words
    assert entry.notice_level == NoticeLevel.CONTACT
    assert entry.red_flag.name == SICK_TWICE
    # The history says it needed a call, in words.
    expect(page.locator(f"#entry-{entry.pk}")).to_contain_text("Needs a call")


def test_threw_up_twice_is_saved_with_the_clinics_number_and_announced_at_once(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    alert = page.locator("#diary-alert")
    expect(alert).to_have_attribute("aria-live", "assertive")  # there before the save
    box = page.get_by_role("textbox", name="What are you feeling?")
    box.press_sequentially("threw up twice", delay=40)
    expect(page.locator("#log-choice").get_by_role("button", name="Vomiting")).to_be_visible()
    # The questions are Vomiting's now (the best match, swapped in); none answered.
    expect(page.get_by_role("group", name="How often did you have it?")).to_be_visible()
    expect(page.get_by_label("How many times in the last 24 hours?")).to_be_visible()
    checks.check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Saved: Vomiting"))).to_be_focused()
    _assert_saved_with_its_red_flag(page, DiaryEntry.objects.get())
    # Read out at once, in the region that was waiting for it: the rule's words and number.
    expect(alert).to_contain_text("Please contact your care team.")
    expect(alert).to_contain_text(SICK_TWICE_WORDS)
    expect(alert).to_contain_text("01632 960 001")
    # The polite region says what was saved.
    expect(page.locator("#diary-status")).to_have_text("Saved in your diary: Vomiting.")
    checks.check()


def test_without_javascript_save_does_the_same(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_on(page, live_server, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_label("What are you feeling?").fill("threw up twice")
    page.get_by_role("button", name="Find matching symptoms").click()
    page.get_by_role("button", name="Save in my diary").click()
    entry = DiaryEntry.objects.get()
    page.goto(f"{live_server.url}{entry.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Being sick 2 or more times in 24 hours")
    expect(page.get_by_role("link", name="01632 960 001").first).to_have_attribute(
        "href", "tel:01632960001"
    )
    assert (entry.symptom.slug, entry.times_in_24h) == ("vomiting", 2)
    assert entry.notice_level == NoticeLevel.CONTACT
    context.close()
