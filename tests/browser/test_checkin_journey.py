"""The weekly check-in on a phone (390 x 844), with JavaScript on and off: the default set
(Reeve et al. 2014's 12 core symptoms) from the start page to the done page.

Interactions, counted from the signed-in home page, for the answers below (fatigue mild and
a little bit, diarrhoea rarely, the other ten terms at their lowest answer, which skips their
other questions: 13 questions in all):
  1  the "Check-in" link in the header (one more, "Menu", where the phone's header folds
     its links behind it: `Taps.menu`)
  1  "Start the check-in"
  26 13 questions, each one tap on the answer and one on "Next"
  1  "Next: check your answers" ("Anything else?" left empty)
  1  "Send my check-in"
  = 30 interactions, the same with and without JavaScript. With every term answered above
its lowest (25 questions) it is 54. The journey with JavaScript also goes back one question
and forward again (2 more), and closes the tab half-way and continues from the start page's
"Continue your check-in" (2 more: the link in the header and "Continue"); those are not in
the count above.
"""

import pytest
from playwright.sync_api import expect

from portal.models import CheckIn, DiaryEntry
from tests.browser.conftest import sign_in_on
from tests.conftest import example_clinic, load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
# NCI term -> the answers given, in the order asked.
ANSWERS = [
    ("Fatigue", ["Mild", "A little bit"]),
    ("Insomnia", ["None"]),
    ("General pain", ["Never"]),
    ("Decreased appetite", ["None"]),
    ("Shortness of breath", ["None"]),
    ("Concentration", ["None"]),
    ("Anxious", ["Never"]),
    ("Nausea", ["Never"]),
    ("Sad", ["Never"]),
    ("Numbness & tingling", ["None"]),
    ("Constipation", ["None"]),
    ("Diarrhea", ["Rarely"]),
]
QUESTIONS = sum(len(words) for _, words in ANSWERS)


@pytest.fixture
def seeded():
    load_vocabulary("fixtures/check_in.json")
    example_clinic(breast_care_nurse_line="", breast_care_nurse_hours="")
    return make_patient("alice", "alice-password-123")


def open_nav(page) -> int:
    """Opens the header's "Menu" if the phone's header folds its links behind it; 1 if it did."""
    toggle = page.get_by_role("navigation", name="Main").get_by_text("Menu", exact=True)
    if toggle.count() and toggle.is_visible():
        toggle.click()
        return 1
    return 0


class Taps:
    """Counts what she taps."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.count += 1

    menu = 0

    def nav(self, name: str) -> None:
        """A link of the header's navigation, opening its "Menu" first where it is folded."""
        opened = open_nav(self.page)
        self.menu += opened
        self.count += opened
        self.link(name, self.page.get_by_role("navigation", name="Main"))

    def link(self, name: str, within=None) -> None:
        (within or self.page).get_by_role("link", name=name, exact=True).click()
        self.count += 1

    def answer(self, word: str) -> None:
        self.page.get_by_role("radio", name=word, exact=True).check()
        self.count += 1


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .check-in-option')]
            .filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent)"""
    )
    assert small == []


def _answer_all(page, taps: Taps, checks=None, start_at: int = 0) -> None:
    """Answers the questions from the `start_at`-th on, checking each is shown in turn."""
    flat = [(term, word) for term, words in ANSWERS for word in words]
    for position, (term, word) in enumerate(flat[start_at:], start_at + 1):
        expect(page.locator(".check-in-progress")).to_contain_text(f"Question {position} of")
        expect(page.locator("#check-in-question")).to_contain_text(term.lower())
        taps.answer(word)
        taps.button("Next")


def _review_and_send(page, taps: Taps, checks=None) -> None:
    expect(page.get_by_role("heading", name="Anything else?")).to_be_visible()
    if checks:
        checks.check()
    taps.button("Next: check your answers")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    review = page.locator("#check-in")
    expect(review).to_contain_text("Mild")
    expect(review).to_contain_text("Rarely")
    if checks:
        expect(page.get_by_role("heading", name="Check your answers")).to_be_focused()
        checks.check()
    taps.button("Send my check-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-in is in your diary")


def _assert_sent() -> None:
    check_in = CheckIn.objects.get()
    assert check_in.submitted_at is not None
    entries = {e.symptom.pro_ctcae_term: e for e in DiaryEntry.objects.select_related("symptom")}
    assert len(entries) == 12
    assert (entries["Fatigue"].severity, entries["Fatigue"].interference) == (1, 1)
    assert entries["Diarrhea"].frequency == 1
    assert entries["General pain"].frequency == 0
    assert all(entry.check_in_id == check_in.pk for entry in entries.values())


def test_she_completes_the_check_in_on_her_phone_with_javascript(browser, live_server, seeded):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    from tests.browser.conftest import PageChecks

    checks = PageChecks(page)
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    taps = Taps(page)
    taps.nav("Check-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly check-in")
    expect(page.get_by_text("25 short questions")).to_be_visible()
    checks.check()
    _fits_the_phone(page)
    taps.button("Start the check-in")
    legend = page.locator("#check-in-question")
    expect(legend).to_have_text(
        "In the last 7 days, what was the SEVERITY of your fatigue at its WORST?"
    )
    checks.check()
    _fits_the_phone(page)

    # The steps swap in place: no page load, and the focus moves to the new question.
    page.evaluate("window.portalTestNoReload = true")
    taps.answer("Mild")
    taps.button("Next")
    expect(legend).to_contain_text("how much did fatigue INTERFERE")
    expect(legend).to_be_focused()
    assert page.url.endswith("/questions/2/")
    assert page.evaluate("window.portalTestNoReload === true")
    checks.check()

    # Back and forward again: her answer is kept.
    page.get_by_role("link", name="Back", exact=True).click()
    expect(legend).to_contain_text("SEVERITY of your fatigue")
    expect(legend).to_be_focused()
    expect(page.get_by_role("radio", name="Mild", exact=True)).to_be_checked()
    page.get_by_role("button", name="Next", exact=True).click()
    expect(legend).to_contain_text("INTERFERE")

    taps.answer("A little bit")
    taps.button("Next")
    taps.answer("None")  # insomnia: None skips its interference
    taps.button("Next")
    expect(page.locator(".check-in-progress")).to_have_text("Question 4 of 24")
    expect(legend).to_contain_text("how OFTEN did you have general pain")

    # Closing the tab loses nothing: the start page continues where she left off.
    page.close()
    page = context.new_page()
    checks = PageChecks(page)
    taps.page = page
    page.goto(f"{live_server.url}/")
    open_nav(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check-in").click()
    page.get_by_role("link", name="Continue your check-in").click()
    expect(page.locator("#check-in-question")).to_contain_text("general pain")

    _answer_all(page, taps, start_at=3)
    _review_and_send(page, taps, checks)
    checks.check()
    expect(page.get_by_role("link", name="Go to your diary")).to_be_visible()
    _assert_sent()
    # The back-and-forth and the resume are not counted (see the docstring).
    assert taps.count == 30 + taps.menu
    context.close()


def test_she_completes_the_check_in_on_her_phone_without_javascript(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    taps = Taps(page)
    taps.nav("Check-in")
    _fits_the_phone(page)
    taps.button("Start the check-in")
    _fits_the_phone(page)
    # Without JavaScript each answer posts, then the next question's page loads.
    taps.answer("Mild")
    taps.button("Next")
    assert page.url.endswith("/questions/2/")
    # An empty answer is a clear error in place, nothing saved.
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an answer, from Not at all")
    assert page.url.endswith("/questions/2/")
    _answer_all(page, taps, start_at=1)
    _review_and_send(page, taps)
    _assert_sent()
    assert taps.count == 30 + taps.menu
    context.close()
