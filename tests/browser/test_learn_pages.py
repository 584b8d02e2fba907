"""The Learn pages in Chromium: a section page with one h1 and previous/next links that work
from the keyboard, the article's contents grouped into its parts, the editorial note after the
article, a section opened inside a diary entry at the right heading level, and axe on the
article and a section page at a phone's size (390x844) and WCAG's reflow width (320x568)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import AXE_SOURCE, PageChecks, sign_in_on
from tests.conftest import entry, load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "/learn/metastatic-breast-cancer/"
BONE = f"{ARTICLE}symptoms-of-bone-metastases/"
PHONE = {"width": 390, "height": 844}
REFLOW = {"width": 320, "height": 568}
# axe's best-practice rules for the problems issue 16 found on these pages (the checks
# fixture runs the WCAG rules).
STRUCTURE_RULES = ["page-has-heading-one", "heading-order", "landmark-unique", "region"]


@pytest.fixture
def seeded():
    load_vocabulary()


def assert_well_structured(page) -> None:
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async (rules) => (await axe.run(document,
            {runOnly: {type: 'rule', values: rules}})).violations""",
        STRUCTURE_RULES,
    )
    summary = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert violations == [], f"{page.url}: {summary}"


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Presses Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_section_page_has_one_h1_and_previous_and_next_by_keyboard(
    page, live_server, checks, seeded
):
    page.goto(f"{live_server.url}{BONE}")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Symptoms of bone metastases")
    pager = page.get_by_role("navigation", name="Previous and next sections")
    expect(pager.get_by_role("link")).to_have_count(2)
    checks.check()
    assert_well_structured(page)

    # Keys: Tab until "Next section" has the focus, Enter.
    tab_to(page, "a[rel=next]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{ARTICLE}symptoms-of-brain-metastases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Symptoms of brain metastases")
    checks.check()

    # Tab until "Previous section" has the focus, Enter: back where she was.
    tab_to(page, "a[rel=prev]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{BONE}")

    # The breadcrumb leads up to the part the sub-section belongs to.
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    breadcrumb.get_by_role("link", name="Symptoms of metastatic breast cancer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Symptoms of metastatic breast cancer"
    )
    checks.check()
    assert_well_structured(page)


def test_the_articles_contents_are_grouped_into_its_parts(page, live_server, checks, seeded):
    page.goto(f"{live_server.url}{ARTICLE}")
    toc = page.get_by_role("navigation", name="Contents")
    parts = toc.locator(":scope > ol > li")
    expect(parts).to_have_count(10)
    symptoms = parts.filter(has_text="Symptoms of metastatic breast cancer")
    expect(symptoms.locator("ol > li")).to_have_text(
        [
            "Symptoms of bone metastases",
            "Symptoms of brain metastases",
            "Symptoms of liver metastases",
            "Symptoms of lung metastases",
            "Other symptoms of metastatic breast cancer",
        ]
    )
    checks.check()
    assert_well_structured(page)

    # A sub-section's link from the contents, by keyboard, lands on its h3.
    tab_to(page, 'a[href="#symptoms-of-liver-metastases"]')
    page.keyboard.press("Enter")
    liver = page.locator("#symptoms-of-liver-metastases")
    expect(liver).to_be_in_viewport()
    expect(liver.get_by_role("heading", level=3)).to_have_text("Symptoms of liver metastases")


@pytest.mark.parametrize("viewport", [PHONE, REFLOW], ids=["390x844", "320x568"])
def test_article_and_section_pages_pass_axe_on_a_phone(browser, live_server, seeded, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    checks = PageChecks(page)
    for url in (ARTICLE, BONE, f"{ARTICLE}overview/", f"{ARTICLE}key-points/"):
        page.goto(f"{live_server.url}{url}")
        checks.check()
        assert_well_structured(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], url
    context.close()


def test_on_a_phone_the_article_opens_with_its_contents_not_the_editorial_note(
    browser, live_server, seeded
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{ARTICLE}")
    note = page.get_by_text("Edited only to leave out an advertisement")
    contents = page.get_by_role("heading", name="Contents")
    key_points = page.get_by_role("heading", name="Key points", exact=True)
    expect(note).not_to_be_in_viewport()
    assert contents.bounding_box()["y"] < key_points.bounding_box()["y"] < note.bounding_box()["y"]
    # "About this text" at the top leads to it.
    page.get_by_role("link", name="About this text").click()
    expect(note).to_be_in_viewport()
    context.close()


def test_a_section_opened_inside_a_diary_entry_keeps_the_heading_order(
    page, live_server, checks, seeded
):
    from education.models import Symptom

    alice = make_patient("alice", "alice-password-123")
    bone_pain = Symptom.objects.get(slug="bone-pain")
    assert bone_pain.main_section.slug == "symptoms-of-bone-metastases"
    entry(alice, bone_pain, 2, timezone.now() - timedelta(hours=1))
    entry(alice, bone_pain, 1, timezone.now() - timedelta(hours=2))
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")

    for link in page.get_by_role("link", name="Learn more: Symptoms of bone metastases").all():
        link.click()
    inline = page.get_by_role("heading", name="Symptoms of bone metastases", level=5)
    expect(inline).to_have_count(2)
    checks.check()
    assert_well_structured(page)
