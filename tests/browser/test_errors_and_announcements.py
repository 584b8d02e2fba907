"""The site-wide error and announcement patterns (issue 16), outside the diary and account:
the error summary takes focus (after a plain 400 and after an htmx swap) and its links move
focus to the field with its label or legend in view; the Questions live region is filled,
not replaced; a message after a redirect takes focus; "Yes, delete it" is a danger button.
axe-core finds nothing in each state."""

import pytest
from playwright.sync_api import expect

from portal.models import Appointment, Question
from tests.browser.conftest import PageChecks, sign_in_on
from tests.conftest import load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Short enough that the field a summary link points to is below the fold.
SMALL = {"viewport": {"width": 390, "height": 520}}
PASSWORD = "alice-password-123"


@pytest.fixture
def alice():
    return make_patient("alice", PASSWORD)


@pytest.fixture
def signed_in(browser, live_server, alice):
    """A page of a small-screen context, signed in as alice, with its checks."""
    context = browser.new_context(**SMALL)
    page = context.new_page()
    checks = PageChecks(page)
    sign_in_on(page, live_server.url, "alice@example.org", PASSWORD)
    yield page, checks
    context.close()


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def _in_view(page, selector: str) -> bool:
    """Wholly on screen (to a pixel: scrollIntoView may leave a fraction above the top)."""
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
            return r.top >= -1 && r.bottom <= window.innerHeight + 1; }""",
        selector,
    )


def test_a_plain_bad_post_is_a_400_whose_summary_takes_focus_and_links_to_the_field(
    signed_in, live_server
):
    page, checks = signed_in
    page.goto(f"{live_server.url}/appointments/new/")
    page.get_by_label("Notes (optional)").fill("Bring the scan letter")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save appointment").click()
    assert posted.value.status == 400
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary).to_contain_text("Nothing has been saved yet.")
    checks.check()

    # The field's own error sits next to it and describes it.
    field = page.get_by_label("Date and time")
    expect(page.locator("#id_starts_at_error")).to_have_text(
        "Enter the date and time of the appointment."
    )
    expect(field).to_have_attribute("aria-describedby", "id_starts_at_helptext id_starts_at_error")
    expect(field).to_have_accessible_description(
        "For example 14/12/2026, 10:30. Enter the date and time of the appointment."
    )

    # The link moves focus to the field, with its label in view (not scrolled off the top).
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    summary.get_by_role("link", name="Date and time: Enter the date and time").click()
    expect(field).to_be_focused()
    assert _in_view(page, "label[for='id_starts_at']")
    checks.check()
    assert not Appointment.objects.exists()


def test_without_javascript_the_400_page_says_what_to_fix(browser, live_server, alice):
    context = browser.new_context(java_script_enabled=False, **SMALL)
    page = context.new_page()
    sign_in_on(page, live_server.url, "alice@example.org", PASSWORD)
    page.goto(f"{live_server.url}/questions/")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Add question").click()
    assert posted.value.status == 400
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Your question: Enter your question.")
    expect(link).to_have_attribute("href", "#id_text")
    expect(page.locator("#id_text_error")).to_have_text("Enter your question.")
    assert not Question.objects.exists()
    context.close()


def test_an_htmx_bad_post_focuses_the_summary_and_the_status_is_filled_not_replaced(
    signed_in, live_server
):
    page, checks = signed_in
    page.goto(f"{live_server.url}/questions/")
    checks.check()
    page.evaluate("window.portalTestNoReload = true")  # a full page load would clear it
    status = page.evaluate_handle("document.getElementById('question-status')")

    page.get_by_role("button", name="Add question").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    assert page.evaluate("window.portalTestNoReload === true")
    checks.check()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    summary.get_by_role("link", name="Your question: Enter your question.").click()
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    assert _in_view(page, "label[for='id_text']")

    box.fill("Can I travel in December?")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_role("list", name="My questions")).to_contain_text("Can I travel")
    # The live region that was in the page before the swap is the one that now speaks.
    assert page.evaluate(
        "(el) => el.isConnected && el === document.getElementById('question-status')", status
    )
    assert page.evaluate("(el) => el.textContent", status) == "Added."
    assert page.evaluate("(el) => el.getAttribute('role')", status) == "status"
    # Focus is back on the button she pressed (the panel was swapped around it).
    expect(page.get_by_role("button", name="Add question")).to_be_focused()
    assert page.evaluate("window.portalTestNoReload === true")
    checks.check()

    # Marking it asked speaks through the same region.
    page.get_by_role("button", name="Mark as asked").click()
    expect(page.get_by_role("button", name="Mark as not asked")).to_be_visible()
    assert page.evaluate(
        "(el) => el.isConnected && el === document.getElementById('question-status')", status
    )
    assert page.evaluate("(el) => el.textContent", status) == "Marked as asked."
    checks.check()


def test_a_message_after_a_redirect_takes_focus_so_it_is_read(signed_in, live_server):
    page, checks = signed_in
    page.goto(f"{live_server.url}/appointments/new/")
    page.get_by_label("Date and time").fill("2026-12-14T10:30")
    page.get_by_role("button", name="Save appointment").click()
    expect(page).to_have_url(f"{live_server.url}/appointments/")
    message = page.get_by_role("status").filter(has_text="Appointment saved.")
    expect(message).to_be_focused()
    assert _in_view(page, ".messages")
    checks.check()
    # The next page without a message leaves the focus alone.
    page.reload()
    expect(page.get_by_text("Appointment saved.")).to_have_count(0)
    assert page.evaluate("document.activeElement === document.body")


def test_yes_delete_it_is_a_red_danger_button_unlike_the_others(signed_in, live_server, alice):
    page, checks = signed_in
    question = Question.objects.create(patient=alice, text="Is this normal?")
    page.goto(f"{live_server.url}/questions/{question.pk}/delete/")
    danger = page.get_by_role("button", name="Yes, delete it")
    colours = danger.evaluate(
        "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    plain = page.evaluate(
        """() => { const b = document.createElement('button'); b.className = 'button';
            document.querySelector('main').append(b);
            const colour = getComputedStyle(b).backgroundColor; b.remove(); return colour; }"""
    )
    assert colours == ["rgb(192, 38, 30)", "rgb(255, 255, 255)"]
    assert plain != colours[0]
    checks.check()  # axe checks its contrast
    danger.focus()
    assert danger.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(255, 191, 71)"
    checks.check()
    danger.click()
    message = page.get_by_role("status").filter(has_text="Question deleted.")
    expect(message).to_be_focused()
    assert not Question.objects.exists()


def test_a_check_in_answer_left_out_focuses_the_summary_and_its_link_the_first_word(
    signed_in, live_server
):
    page, checks = signed_in
    load_vocabulary("fixtures/check_in.json")
    page.goto(f"{live_server.url}/check-in/")
    page.get_by_role("button", name="Start the check-in").click()
    legend = page.locator("#check-in-question")
    expect(legend).to_contain_text("SEVERITY of your fatigue")
    page.evaluate("window.portalTestNoReload = true")
    page.get_by_role("button", name="Next", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose an answer, from None to Very severe.")
    assert page.evaluate("window.portalTestNoReload === true")  # swapped by htmx
    checks.check()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    summary.get_by_role("link").click()
    expect(page.get_by_role("radio", name="None", exact=True)).to_be_focused()
    assert _focused_id(page) == "id_answer_0"
    assert _in_view(page, "#check-in-question")  # the radios' legend, the question itself
    checks.check()
