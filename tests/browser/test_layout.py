"""The layout on a phone, at 200% zoom and with the keyboard: the header stays small, "Menu"
opens the navigation (a <details>, so it also works without JavaScript), My account shows one
navigation at a time, and Home's "Log a symptom" leads to the diary's form. axe-core runs on
every state."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageChecks, sign_in_on
from tests.conftest import load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "alice-password-123"
REFLOW = {"width": 320, "height": 568}  # WCAG's reflow width (an iPhone SE's screen)
PHONE = {"width": 390, "height": 844}
# 200% zoom of a 1280x720 window: 640x360 CSS pixels (device scale 1 is the usual proxy).
ZOOM_200 = {"width": 640, "height": 360}
DESKTOP = {"width": 1280, "height": 800}
MAIN_LINKS = [
    "Learn",
    "Diary",
    "Check-in",
    "Summary",
    "Appointments",
    "Treatments",
    "Questions",
    "My account",
]


@pytest.fixture
def alice():
    load_vocabulary()
    return make_patient("alice", PASSWORD, first_name="Alice")


@pytest.fixture
def open_page(browser, live_server, alice):
    """A page of a new browser context of the given size, signed in as Alice on Home."""
    contexts = []

    def _open(viewport: dict, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        checks = PageChecks(page)
        sign_in_on(page, live_server.url, "alice@example.org", PASSWORD)
        return page, checks

    yield _open
    for context in contexts:
        context.close()


def _header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def _summary(page, nav: str):
    return page.get_by_role("navigation", name=nav).locator("summary")


def _as_announced(page, nav: str) -> dict:
    """The menu's summary as Chromium's accessibility tree gives it to a screen reader."""
    session = page.context.new_cdp_session(page)
    found = session.send(
        "Runtime.evaluate",
        {"expression": f"document.querySelector('nav[aria-label=\"{nav}\"] summary')"},
    )
    node = session.send("DOM.describeNode", {"objectId": found["result"]["objectId"]})
    tree = session.send(
        "Accessibility.getPartialAXTree",
        {"backendNodeId": node["node"]["backendNodeId"], "fetchRelatives": False},
    )
    session.detach()
    ax = tree["nodes"][0]
    properties = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
    return {
        "role": ax["role"]["value"],
        "name": ax.get("name", {}).get("value"),
        "expanded": properties.get("expanded"),
    }


def _main_links(page):
    return page.get_by_role("navigation", name="Main").get_by_role("link")


@pytest.mark.parametrize(
    "viewport", [REFLOW, PHONE, ZOOM_200], ids=["320x568", "390x844", "zoom-200"]
)
def test_the_header_is_one_row_under_a_quarter_of_the_screen(open_page, viewport):
    page, checks = open_page(viewport)
    assert _header_height(page) < viewport["height"] / 4
    # One row: the name and "Menu" side by side, the links folded away.
    brand = page.get_by_role("link", name="MBC Portal").bounding_box()
    menu = _summary(page, "Main").bounding_box()
    assert abs(brand["y"] + brand["height"] / 2 - (menu["y"] + menu["height"] / 2)) < 4
    assert menu["height"] >= 44 and menu["width"] >= 44
    expect(_main_links(page)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    checks.check()


def test_menu_opens_and_closes_with_the_keyboard_and_says_so(open_page):
    page, checks = open_page(PHONE)
    page.reload()  # without the sign-in message, which takes focus on arrival
    # Tab: the skip link, the portal's name, then "Menu".
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    menu = _summary(page, "Main")
    expect(menu).to_be_focused()
    assert _as_announced(page, "Main") == {
        "role": "DisclosureTriangle",  # what Chromium gives a <summary>: a button, collapsed
        "name": "Menu",
        "expanded": False,
    }
    checks.check()

    page.keyboard.press("Enter")
    expect(_main_links(page)).to_have_text(MAIN_LINKS)
    assert _as_announced(page, "Main")["expanded"] is True
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    checks.check()
    # Tab goes on into the links, in order; Escape closes and returns to "Menu".
    page.keyboard.press("Tab")
    expect(_main_links(page).first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()
    expect(_main_links(page)).to_have_count(0)
    assert _as_announced(page, "Main")["expanded"] is False

    page.keyboard.press(" ")
    expect(_main_links(page)).to_have_count(8)
    assert _as_announced(page, "Main")["expanded"] is True
    page.keyboard.press(" ")
    expect(_main_links(page)).to_have_count(0)
    assert _as_announced(page, "Main")["expanded"] is False
    # Open, the links go below the header's row, in the page's flow (nothing is covered).
    page.keyboard.press("Enter")
    diary = _main_links(page).get_by_text("Diary", exact=True)
    diary.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptom diary")
    expect(_main_links(page)).to_have_count(0)  # a new page starts with the menu folded


def test_without_javascript_the_menu_still_opens(open_page):
    page, _ = open_page(REFLOW, java_script_enabled=False)
    assert _header_height(page) < REFLOW["height"] / 4
    expect(_main_links(page)).to_have_count(0)
    _summary(page, "Main").click()
    expect(_main_links(page)).to_have_count(8)
    _main_links(page).get_by_text("Questions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions for my care team")
    # (axe-core cannot run in a page without JavaScript; the markup is the one checked above.)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_wide_screen_the_links_show_without_menu(open_page, javascript):
    page, checks = open_page(DESKTOP, java_script_enabled=javascript)
    expect(_summary(page, "Main")).to_be_hidden()
    expect(_main_links(page)).to_have_text(MAIN_LINKS)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    if javascript:
        # The element is open too, so its state matches what is seen.
        assert page.evaluate("document.querySelector('nav[aria-label=Main] details').open")
        checks.check()


def test_the_menu_folds_when_the_window_narrows_and_opens_when_it_widens(open_page):
    page, _ = open_page(DESKTOP)
    expect(_main_links(page)).to_have_count(8)
    page.set_viewport_size(PHONE)
    expect(_main_links(page)).to_have_count(0)
    expect(_summary(page, "Main")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    expect(_main_links(page)).to_have_count(8)


def test_my_account_shows_one_navigation_at_a_time_on_a_phone(open_page, live_server):
    page, checks = open_page(PHONE)
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    account = page.get_by_role("navigation", name="Your account")
    # Both menus folded: no link of either before the page's own heading.
    expect(_main_links(page)).to_have_count(0)
    expect(account.get_by_role("link")).to_have_count(0)
    h1 = page.get_by_role("heading", level=1).bounding_box()
    assert h1["y"] + h1["height"] < PHONE["height"] / 3
    checks.check()
    _summary(page, "Your account").click()
    assert _as_announced(page, "Your account") == {
        "role": "DisclosureTriangle",
        "name": "Pages in My account",
        "expanded": True,
    }
    expect(account.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    checks.check()
    account.get_by_role("link", name="Recent sign-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recent sign-ins")


def test_my_account_menu_is_a_row_of_links_on_a_wide_screen(open_page, live_server):
    page, checks = open_page(DESKTOP)
    page.goto(f"{live_server.url}/account/details/")
    account = page.get_by_role("navigation", name="Your account")
    expect(_summary(page, "Your account")).to_be_hidden()
    expect(account.get_by_role("link", name="Your details")).to_have_attribute(
        "aria-current", "page"
    )
    expect(_main_links(page).get_by_text("My account")).to_have_attribute("aria-current", "true")
    checks.check()


def test_home_starts_with_log_a_symptom_which_opens_the_diarys_form(open_page):
    page, checks = open_page(PHONE)
    start = page.get_by_role("link", name="Log a symptom")
    expect(start).to_be_in_viewport()
    checks.check()
    start.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptom diary")
    assert page.url.endswith("/diary/#log-heading")
    expect(page.get_by_role("heading", name="Log a symptom", level=2)).to_be_in_viewport()
    expect(page.locator("#log-panel form")).to_be_in_viewport()
    checks.check()
