import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_on
from tests.conftest import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded():
    call_command("loaddata", "fixtures/articles.json", verbosity=0)
    return make_patient("alice", "alice-password-123")


def test_patient_signs_in_and_reads_the_article(page, live_server, checks, sign_in, seeded):
    page.goto(f"{live_server.url}/")
    checks.check()

    sign_in("alice@example.org", "alice-password-123")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")
    checks.check()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    expect(page).to_have_url(f"{live_server.url}/learn/")
    checks.check()

    page.get_by_role("link", name="Metastatic breast cancer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Metastatic breast cancer")
    checks.check()

    toc = page.get_by_role("navigation", name="Contents")
    toc.get_by_role("link", name="Symptoms of bone metastases").click()
    expect(page).to_have_url(
        f"{live_server.url}/learn/metastatic-breast-cancer/#symptoms-of-bone-metastases"
    )
    section = page.locator("#symptoms-of-bone-metastases")
    expect(section).to_be_in_viewport()
    expect(section.get_by_text("Bone pain")).to_be_visible()
    checks.check()


def test_the_section_page_and_sign_in_errors_are_accessible(page, live_server, checks, seeded):
    page.goto(f"{live_server.url}/learn/metastatic-breast-cancer/symptoms-of-lung-metastases/")
    expect(page.get_by_text("Difficulty in catching breath")).to_be_visible()
    checks.check()

    sign_in_on(page, live_server.url, "alice@example.org", "not her password")
    expect(page.get_by_role("alert")).to_contain_text("password you specified are not correct")
    checks.check()


def test_article_reads_on_a_phone_without_sideways_scrolling(browser, live_server, seeded):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/learn/metastatic-breast-cancer/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    context.close()


def test_article_reflows_at_200_percent_zoom(browser, live_server, seeded):
    # 200% zoom of a 1280px window is a 640 CSS-pixel viewport at device scale 2.
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/learn/metastatic-breast-cancer/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    context.close()
