"""The diary with the keyboard alone, and axe in every state htmx can bring it to."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import DiaryEntry
from tests.conftest import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded():
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    return make_patient("alice", "alice-password-123")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, most: int = 60) -> int:
    """Presses Tab until the element has focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return presses
    raise AssertionError(f"Tab never reached #{element_id}")


def test_logging_an_entry_with_the_keyboard_alone(page, live_server, checks, sign_in, seeded):
    """Keys, from the top of the diary page:
    Tab… until "What are you feeling?"; type "my hip aches" (the matches appear when typing
    pauses); Tab (Find matching symptoms); Tab (Bone pain); Enter (chosen: focus moves to
    "Questions about Bone pain"); Tab (the first answer, None); ArrowDown, ArrowDown
    (Moderate); Tab (When did it happen?: Now, already chosen); Tab (Anything else?);
    Tab (Save in my diary); Enter."""
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    tab_to(page, "id_own_words")
    page.keyboard.type("my hip aches", delay=40)
    choice = page.locator("#log-choice")
    expect(choice.get_by_role("button", name="Bone pain", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Find matching symptoms")).to_be_focused()
    page.keyboard.press("Tab")
    expect(choice.get_by_role("button", name="Bone pain", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Questions about Bone pain")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="None")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Moderate")).to_be_checked()
    page.keyboard.press("Tab")
    now = page.get_by_role("radio", name="Now")
    expect(now).to_be_focused()
    expect(now).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Anything else? (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save in my diary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Saved: Bone pain, moderate")).to_be_focused()
    entry = DiaryEntry.objects.get()
    assert (entry.symptom.slug, entry.severity) == ("bone-pain", 2)
    assert abs(entry.occurred_at - timezone.now()) < timedelta(minutes=5)
    checks.check()


def test_the_time_choice_is_one_tab_stop_until_another_time_is_chosen(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_label("What are you feeling?").fill("tired")
    page.get_by_role("button", name="Find matching symptoms").click()
    now = page.get_by_role("radio", name="Now")
    now.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Anything else? (optional)")).to_be_focused()
    expect(page.get_by_label("Time today")).to_be_hidden()
    now.focus()
    page.keyboard.press("ArrowDown")  # Earlier today
    expect(page.get_by_label("Time today")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Time today")).to_be_focused()
    checks.check()


def test_every_htmx_state_of_the_diary_passes_axe(page, live_server, checks, sign_in, seeded):
    alice = seeded
    start = timezone.now() - timedelta(days=10)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=alice,
            own_words=f"entry {i}",
            severity=i % 5,
            occurred_at=start + timedelta(hours=i * 5),
        )
        for i in range(25)
    )
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    checks.check()  # the page

    # The filter open, then applied: the dates go in the URL.
    page.get_by_text("Filter your entries").click()
    checks.check()
    day = timezone.localdate() - timedelta(days=20)
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_role("button", name="Show entries").click()
    expect(page).to_have_url(f"{live_server.url}/diary/?start={day.isoformat()}")
    expect(page.get_by_role("heading", name="Your entries")).to_be_focused()
    checks.check()

    # Earlier entries loaded.
    page.get_by_role("button", name="Show earlier entries").click()
    expect(page.locator("#diary-status")).to_contain_text("earlier entr")
    checks.check()

    # Suggestions with none matching, then the error after saving without an answer.
    page.get_by_label("What are you feeling?").fill("something odd")
    page.get_by_role("button", name="Find matching symptoms").click()
    expect(page.get_by_text("No symptom in our list matches these words.")).to_be_visible()
    checks.check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.locator("#log-errors")).to_be_focused()
    checks.check()

    # "Another day" with its date and time; saved into a filtered list: the panel says so.
    page.get_by_role("radio", name="Mild").check()
    page.get_by_role("radio", name="Another day").check()
    yesterday = timezone.localtime() - timedelta(days=1)
    page.get_by_label("Date").fill(f"{yesterday:%Y-%m-%d}")
    page.get_by_label("Time", exact=True).fill("10:30")
    checks.check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.locator("#saved-entry")).to_contain_text("Your entries below are filtered")
    checks.check()
    entry = DiaryEntry.objects.latest("pk")
    assert timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M") == (
        f"{yesterday:%Y-%m-%d} 10:30"
    )


def test_the_number_of_matches_is_read_out_only_when_it_changes(page, live_server, sign_in, seeded):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.evaluate(
        """() => {
            window.statusChanges = 0;
            new MutationObserver(() => window.statusChanges++).observe(
                document.getElementById("diary-status"),
                {childList: true, characterData: true, subtree: true});
        }"""
    )
    box = page.get_by_label("What are you feeling?")
    with page.expect_response("**/diary/suggestions/"):
        box.press_sequentially("my hip aches", delay=40)
    status = page.locator("#diary-status")
    expect(status).to_have_text("1 symptom matches your words.")
    changes = page.evaluate("window.statusChanges")
    assert changes >= 1
    # More letters, the same match: a new answer from the server, nothing new to hear.
    with page.expect_response("**/diary/suggestions/"):
        box.press_sequentially(" a lot", delay=40)
    expect(page.locator("#log-choice [data-announce]")).to_have_text(
        "1 symptom matches your words."
    )
    assert page.evaluate("window.statusChanges") == changes
    # Words that match nothing: that is new, and read out.
    box.fill("")
    with page.expect_response("**/diary/suggestions/"):
        box.press_sequentially("lunch with friends", delay=40)
    expect(status).to_have_text("No symptom matches your words. You can keep your own words.")
