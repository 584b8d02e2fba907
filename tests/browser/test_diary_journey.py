import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import DiaryEntry
from tests.browser.conftest import sign_in_on
from tests.conftest import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded():
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    return make_patient("alice", "alice-password-123")


def words_box(page):
    return page.get_by_role("textbox", name="What are you feeling?")


def suggestion(page, name: str):
    return page.locator("#log-choice").get_by_role("button", name=name, exact=True)


def test_patient_logs_edits_and_deletes_a_symptom(page, live_server, checks, sign_in, seeded):
    sign_in("alice@example.org", "alice-password-123")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptom diary")
    expect(page.get_by_text("Your diary is empty.")).to_be_visible()
    # diary.js tells her what happens here: matches appear as she types.
    hint = page.locator("#id_own_words_helptext")
    expect(hint).to_contain_text("Matching symptoms appear below.")
    expect(page.get_by_role("button", name="Save in my diary")).to_have_count(0)
    checks.check()

    # Lay words bring the matching symptoms, as buttons.
    words_box(page).press_sequentially("my hip aches", delay=40)
    expect(suggestion(page, "Bone pain")).to_be_visible()
    expect(page.locator("#diary-status")).to_have_text(re.compile(r"^\d symptoms? match"))
    checks.check()  # suggestions shown
    suggestion(page, "Bone pain").click()
    expect(page.get_by_role("heading", name="Questions about Bone pain")).to_be_focused()
    expect(suggestion(page, "Bone pain")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#diary-status")).to_have_text("The questions are now about Bone pain.")
    checks.check()  # questions shown

    page.get_by_role("radio", name="Moderate").check()
    page.evaluate("window.portalTestNoReload = true")  # a full page load would clear it
    page.get_by_role("button", name="Save in my diary").click()

    # Saved without a reload: the section opens inline, focus moves to the confirmation.
    saved = page.get_by_role("heading", name="Saved: Bone pain, moderate")
    expect(saved).to_be_focused()
    expect(
        page.get_by_role("heading", name="Bone pain is one of the symptoms of bone metastases")
    ).to_be_visible()
    expect(page.locator("#diary-status")).to_have_text("Saved in your diary: Bone pain.")
    entry = DiaryEntry.objects.get()
    card = page.locator(f"#entry-{entry.pk}")
    expect(card.get_by_role("heading", name="Bone pain")).to_be_visible()
    expect(page.get_by_text("Your diary is empty.")).to_have_count(0)
    expect(words_box(page)).to_have_value("")
    assert page.evaluate("window.portalTestNoReload === true")  # set before Save: no reload
    checks.check()  # saved

    # "Learn more" opens the section inside the entry.
    card.get_by_role("link", name="Learn more: Symptoms of bone metastases").click()
    expect(card.get_by_text("Bones that fracture or break more easily")).to_be_visible()
    checks.check()  # learn-inline expanded

    # Edit inline.
    card.get_by_role("link", name=re.compile(r"^Edit")).click()
    editing = page.locator(f"#entry-{entry.pk}")
    expect(editing.get_by_role("heading", name="Edit: Bone pain")).to_be_focused()
    checks.check()  # edit form
    editing.get_by_role("radio", name="Severe", exact=True).check()
    editing.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#entry-{entry.pk} .severity")).to_have_text("Severe")
    expect(page.locator(f"#entry-{entry.pk}")).to_be_focused()
    entry.refresh_from_db()
    assert entry.severity == 3
    checks.check()

    # Delete, after a confirmation step.
    page.locator(f"#entry-{entry.pk}").get_by_role("link", name=re.compile(r"^Delete")).click()
    confirm = page.get_by_role("heading", name="Delete this entry?")
    expect(confirm).to_be_focused()
    checks.check()  # delete confirm
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("The entry is deleted.")).to_be_visible()
    assert DiaryEntry.objects.count() == 0
    checks.check()

    page.reload()
    expect(page.get_by_text("Your diary is empty.")).to_be_visible()


def test_a_missing_answer_moves_focus_to_the_error_summary_and_its_link_to_the_field(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    words_box(page).fill("something odd")
    page.get_by_role("button", name="Find matching symptoms").click()
    page.get_by_role("button", name="Save in my diary").click()
    summary = page.locator("#log-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing has been saved yet.")
    assert DiaryEntry.objects.count() == 0
    checks.check()  # error
    summary.get_by_role("link", name=re.compile("How bad is it")).click()
    expect(page.locator("#id_severity_0")).to_be_focused()


def test_an_urgent_symptom_shows_the_notice_and_announces_it_at_once(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    # The assertive region is on the page, empty, before anything is saved.
    alert = page.locator("#diary-alert")
    expect(alert).to_have_attribute("aria-live", "assertive")
    expect(alert).to_have_text("")
    words_box(page).press_sequentially("I had a fit", delay=40)
    suggestion(page, "Seizures").click()
    page.get_by_role("radio", name="Mild").check()
    page.get_by_role("button", name="Save in my diary").click()
    notice = page.locator("#saved-entry .care-notice")
    expect(notice).to_contain_text("call emergency services now")
    expect(notice).to_contain_text("This portal is not monitored by your care team.")
    expect(alert).to_contain_text("This may need urgent help.")
    expect(alert).to_contain_text("call emergency services now")
    checks.check()

    # The Learn page then shows how often it was logged, loaded lazily.
    page.goto(f"{live_server.url}/learn/metastatic-breast-cancer/symptoms-of-brain-metastases/")
    expect(page.get_by_text("Seizures: once")).to_be_visible()
    checks.check()


def test_the_diary_works_with_javascript_off_and_a_refresh_posts_nothing(
    browser, live_server, seeded
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    expect(page.locator("#id_own_words_helptext")).to_contain_text(
        "then choose “Find matching symptoms”."
    )
    page.get_by_label("What are you feeling?").fill("yellow eyes")
    page.get_by_role("button", name="Find matching symptoms").click()
    expect(page).to_have_url(f"{live_server.url}/diary/#log-choice")
    expect(page.get_by_text("Symptoms that match your words.")).to_be_visible()
    # A refresh asks for the page again; nothing is posted.
    methods = []
    page.on("request", lambda request: methods.append(request.method))
    page.reload()
    assert methods and set(methods) == {"GET"}
    expect(page.get_by_label("What are you feeling?")).to_have_value("yellow eyes")
    suggestion(page, "Jaundice").click()
    expect(page.get_by_role("heading", name="Questions about Jaundice")).to_be_visible()
    expect(suggestion(page, "Jaundice")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Mild").check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page).to_have_url(re.compile(r"/diary/entries/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaundice")
    expect(page.get_by_text("Contact your care team today.")).to_be_visible()
    entry = DiaryEntry.objects.get()
    assert (entry.symptom.slug, entry.own_words, entry.severity) == ("jaundice", "yellow eyes", 1)

    page.get_by_role("link", name="Delete this entry").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page).to_have_url(f"{live_server.url}/diary/")
    expect(page.get_by_text("The entry is deleted.")).to_be_visible()
    assert DiaryEntry.objects.count() == 0
    context.close()


def test_without_javascript_saving_unchosen_words_links_them_and_not_this_undoes_it(
    browser, live_server, seeded
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_label("What are you feeling?").fill("threw up twice")
    page.get_by_role("button", name="Find matching symptoms").click()
    page.get_by_label("Never").check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vomiting")
    expect(page.get_by_text("Matched to: Vomiting")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Not this")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("threw up twice")
    expect(page.get_by_text("The entry keeps your own words, with no symptom.")).to_be_visible()
    entry = DiaryEntry.objects.get()
    assert (entry.symptom, entry.own_words) == (None, "threw up twice")
    context.close()


def test_on_a_phone_the_first_entry_is_within_two_screens(browser, live_server, seeded):
    alice = seeded
    for hours in (1, 2):
        DiaryEntry.objects.create(
            patient=alice,
            own_words="tired",
            severity=1,
            occurred_at=timezone.now() - timedelta(hours=hours),
        )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    top = page.evaluate(
        "document.querySelector('#entry-list .entry').getBoundingClientRect().top + scrollY"
    )
    assert top <= 2 * 844, top
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .severity-option')]
            .filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent)"""
    )
    assert small == []
    context.close()


def test_nothing_chosen_links_the_best_match_and_not_this_keeps_the_words(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    words_box(page).press_sequentially("pain", delay=40)
    expect(suggestion(page, "General pain")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions about General pain")).to_be_visible()
    page.get_by_role("group", name="How bad was it at its worst?").get_by_role(
        "radio", name="Mild"
    ).check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("heading", name="Saved: General pain, mild")).to_be_focused()
    expect(page.locator("#saved-entry")).to_contain_text("Matched to: General pain")
    checks.check()
    page.get_by_role("button", name=re.compile(r"^Not this")).click()
    expect(page.get_by_role("heading", name="Saved: pain, mild")).to_be_focused()
    entry = DiaryEntry.objects.get()
    expect(page.locator(f"#entry-{entry.pk}").get_by_role("heading", name="pain")).to_be_visible()
    assert (entry.symptom, entry.own_words) == (None, "pain")
    checks.check()


def test_enter_in_a_field_finds_matches_and_saves_nothing(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    box = words_box(page)
    box.fill("yellow eyes")  # no keyup: only the button or Enter asks
    with page.expect_response(re.compile(r"/diary/suggestions/$")):
        box.press("Enter")  # the form's first button: "Find matching symptoms"
    expect(suggestion(page, "Jaundice")).to_be_visible()
    expect(box).to_be_focused()
    page.get_by_label("Another day").check()
    expect(page.get_by_label("Date")).to_be_visible()
    with page.expect_response(re.compile(r"/diary/suggestions/$")):
        page.get_by_label("Time", exact=True).press("Enter")
    expect(page.get_by_role("button", name="Save in my diary")).to_be_visible()
    expect(box).to_have_value("yellow eyes")
    assert DiaryEntry.objects.count() == 0
    checks.check()
