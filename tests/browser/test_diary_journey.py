import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from education.models import Symptom
from portal.models import DiaryEntry
from tests.browser.conftest import sign_in_on
from tests.conftest import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded():
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    return make_patient("alice", "alice-password-123")


def test_patient_logs_edits_and_deletes_a_symptom_with_the_keyboard(
    page, live_server, checks, sign_in, seeded
):
    bone_pain = Symptom.objects.get(slug="bone-pain")
    sign_in("alice@example.org", "alice-password-123")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptom diary")
    expect(page.get_by_text("Your diary is empty.")).to_be_visible()
    checks.check()

    # Lay words bring suggestions; the keyboard picks one.
    box = page.get_by_role("combobox", name="What are you feeling?")
    box.press_sequentially("my hip aches", delay=40)
    listbox = page.get_by_role("listbox", name="Suggested symptoms")
    expect(listbox.get_by_role("option", name="Bone pain")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#symptom-suggestions-status")).to_contain_text("suggestion")
    checks.check()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", f"symptom-suggestions-{bone_pain.pk}")
    expect(listbox.get_by_role("option", name="Bone pain")).to_have_attribute(
        "aria-selected", "true"
    )
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(page.locator("#id_symptom")).to_have_value(str(bone_pain.pk))
    expect(box).to_be_focused()
    expect(box).to_have_value("my hip aches")
    assert DiaryEntry.objects.count() == 0  # Enter picked; it did not submit

    page.get_by_role("radio", name="Moderate").check()
    page.evaluate("window.portalTestNoReload = true")  # a full page load would clear it
    page.get_by_role("button", name="Save in my diary").click()

    # Saved without a reload: the section opens inline, focus moves to the confirmation.
    saved = page.get_by_role("heading", name="Saved: Bone pain, moderate")
    expect(saved).to_be_focused()
    expect(
        page.get_by_role("heading", name="Bone pain is one of the symptoms of bone metastases")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Read “Symptoms of bone metastases” in the full article")
    ).to_be_visible()
    expect(page.locator("#diary-status")).to_have_text("Saved in your diary.")
    entry = DiaryEntry.objects.get()
    card = page.locator(f"#entry-{entry.pk}")
    expect(card.get_by_role("heading", name="Bone pain")).to_be_visible()
    expect(page.get_by_role("combobox", name="What are you feeling?")).to_have_value("")
    assert page.evaluate("window.portalTestNoReload === true")  # set before Save: no reload
    checks.check()

    # "Learn more" opens the section inside the entry.
    card.get_by_role("link", name="Learn more: Symptoms of bone metastases").click()
    expect(card.get_by_text("Bones that fracture or break more easily")).to_be_visible()
    checks.check()

    # Edit inline.
    card.get_by_role("link", name=re.compile(r"^Edit")).click()
    editing = page.locator(f"#entry-{entry.pk}")
    expect(editing.get_by_role("heading", name="Edit: Bone pain")).to_be_focused()
    checks.check()
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
    checks.check()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("The entry is deleted.")).to_be_visible()
    assert DiaryEntry.objects.count() == 0
    checks.check()

    page.reload()
    expect(page.get_by_text("Your diary is empty.")).to_be_visible()


def test_a_bad_entry_shows_errors_in_place_and_saves_nothing(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been saved yet.")
    expect(page.get_by_role("combobox", name="What are you feeling?")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert DiaryEntry.objects.count() == 0
    checks.check()


def test_an_urgent_symptom_shows_the_care_team_notice(page, live_server, checks, sign_in, seeded):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    box = page.get_by_role("combobox", name="What are you feeling?")
    box.press_sequentially("I had a fit", delay=40)
    suggestion = page.get_by_role("listbox", name="Suggested symptoms").get_by_role(
        "option", name="Seizures"
    )
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.get_by_role("radio", name="Mild").check()
    page.get_by_role("button", name="Save in my diary").click()
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("call emergency services now")
    expect(notice).to_contain_text("This portal is not monitored by your care team.")
    checks.check()

    # The Learn page then shows how often it was logged, loaded lazily.
    page.goto(f"{live_server.url}/learn/metastatic-breast-cancer/symptoms-of-brain-metastases/")
    expect(page.get_by_text("Seizures: once")).to_be_visible()
    checks.check()


def test_the_diary_works_with_javascript_off(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_label("What are you feeling?").fill("yellow eyes")
    page.get_by_role("button", name="Find matching symptoms").click()
    expect(page.get_by_text("Symptoms that match your words")).to_contain_text("Jaundice")
    expect(page.locator("#id_symptom option:checked")).to_have_text("Jaundice")
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
    page.get_by_label("Mild").check()
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vomiting")
    expect(page.get_by_text("Matched to: Vomiting")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Not this")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("threw up twice")
    expect(page.get_by_text("The entry keeps your own words, with no symptom.")).to_be_visible()
    entry = DiaryEntry.objects.get()
    assert (entry.symptom, entry.own_words) == (None, "threw up twice")
    context.close()


def test_the_diary_fits_a_phone_screen(browser, live_server, seeded, django_user_model):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .severity-option')]
            .filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent)"""
    )
    assert small == []
    context.close()


def test_the_suggestion_list_follows_the_combobox_keyboard_pattern(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    box = page.get_by_role("combobox", name="What are you feeling?")
    box.press_sequentially("pain", delay=40)
    options = page.get_by_role("listbox", name="Suggested symptoms").get_by_role("option")
    expect(options.first).to_be_visible()
    count = options.count()
    assert count >= 2
    box.press("ArrowUp")  # from the box, up goes to the last suggestion
    expect(options.nth(count - 1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")  # and wraps round to the first
    expect(options.first).to_have_attribute("aria-selected", "true")
    checks.check()
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    expect(page.locator("#id_symptom")).to_have_value("")
    # Nothing chosen: the best match is linked on save, and "Not this" keeps only the words.
    page.get_by_role("radio", name="Mild").check()
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


def test_enter_in_the_words_saves_them_linked_to_their_section(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    page.get_by_role("radio", name="Mild").check()
    box = page.get_by_role("combobox", name="What are you feeling?")
    box.press_sequentially("threw up twice", delay=40)
    expect(
        page.get_by_role("listbox", name="Suggested symptoms").get_by_role("option").first
    ).to_be_visible()
    box.press("Enter")  # no suggestion highlighted: Enter saves
    expect(page.get_by_role("heading", name="Saved: Vomiting, mild")).to_be_focused()
    saved = page.locator("#saved-entry")
    expect(saved).to_contain_text("Matched to: Vomiting")
    expect(saved).to_contain_text("In your words: “threw up twice”")
    expect(saved.get_by_role("heading", name="Please contact your care team")).to_be_visible()
    expect(
        saved.get_by_role("link", name=re.compile(r"^Read “.+” in the full article"))
    ).to_be_visible()
    entry = DiaryEntry.objects.get()
    assert (entry.symptom.slug, entry.own_words) == ("vomiting", "threw up twice")
    checks.check()


def test_enter_in_a_field_or_the_find_button_only_fills_the_suggestions(
    page, live_server, checks, sign_in, seeded
):
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    box = page.get_by_role("combobox", name="What are you feeling?")
    box.fill("yellow eyes")  # no keyup: only the button or Enter asks
    page.get_by_role("button", name="Find matching symptoms").click()
    option = page.get_by_role("listbox", name="Suggested symptoms").get_by_role(
        "option", name="Jaundice"
    )
    expect(option).to_be_visible()
    expect(box).to_be_focused()
    box.press("Escape")
    # Enter in another field asks for suggestions too (the first submit button); the form stays.
    with page.expect_response(re.compile(r"/diary/suggestions/$")):
        page.get_by_label("When did it happen?").press("Enter")
    expect(page.get_by_role("button", name="Save in my diary")).to_be_visible()
    expect(box).to_have_value("yellow eyes")
    assert DiaryEntry.objects.count() == 0
    checks.check()
