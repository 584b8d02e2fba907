"""Recent sign-ins in plain words: which browser on which device, identical rows as one with
a count, where she is signed in now, and "Sign out everywhere else"."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from portal.account.devices import device
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
CREDENTIALS = {"login": "alice@example.org", "password": "alice-password-123"}


@pytest.mark.parametrize(
    ("user_agent", "words"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari on Mac",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("", "an unknown browser"),
        ("x" * 500, "an unknown browser"),
    ],
)
def test_a_user_agent_reads_as_browser_on_device(user_agent, words):
    assert device(user_agent) == words


def browser(user_agent: str) -> Client:
    return Client(headers={"User-Agent": user_agent})


def signed_in(user_agent: str) -> Client:
    client = browser(user_agent)
    assert client.post("/accounts/login/", CREDENTIALS).status_code == 302
    return client


def test_a_sign_in_records_the_browser_in_words_not_the_user_agent(alice):
    signed_in(FIREFOX_WINDOWS)
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert (event.record_type, event.record_id) == ("browser", "Firefox on Windows")
    assert "Gecko" not in str([getattr(event, f.attname) for f in AuditEvent._meta.fields])


def test_identical_sign_ins_are_one_row_with_a_count_and_the_browser(alice):
    start = timezone.now() - timedelta(days=3)
    for day in range(3):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            signed_in(FIREFOX_WINDOWS).post("/accounts/logout/")
    browser(SAFARI_IPHONE).post("/accounts/login/", {**CREDENTIALS, "password": "wrong-one"})
    client = signed_in(CHROME_ANDROID)
    html = client.get("/account/activity/").content.decode()
    assert "Signed in 3 times from Firefox on Windows" in html
    assert "Signed out 3 times from Firefox on Windows" in html
    assert "Wrong password entered from Safari on iPhone" in html
    assert "Signed in from Chrome on Android" in html
    assert html.count("Signed in 3 times") == 1
    first = timezone.localtime(start).strftime("%-d %B %Y")
    assert "first <time" in html and first in html


def test_events_older_than_90_days_are_left_out(alice):
    with time_machine.travel(timezone.now() - timedelta(days=91), tick=False):
        signed_in(FIREFOX_WINDOWS)
    html = signed_in(CHROME_ANDROID).get("/account/activity/").content.decode()
    assert "Firefox on Windows" not in html
    assert "Signed in from Chrome on Android" in html


def test_she_sees_where_she_is_signed_in_now(alice):
    laptop = signed_in(FIREFOX_WINDOWS)
    signed_in(SAFARI_IPHONE)
    ended = signed_in(CHROME_ANDROID)
    ended.post("/accounts/logout/")
    html = laptop.get("/account/activity/").content.decode()
    now = html[html.index('id="now-heading"') : html.index('id="history-heading"')]
    assert 'Firefox on Windows</strong> <span class="tag">This browser</span>' in now
    assert "Safari on iPhone</strong>" in now
    assert "Chrome on Android" not in now  # signed out there
    assert "Sign out everywhere else" in now


def test_alone_she_gets_no_sign_out_everywhere_else_button(alice):
    html = signed_in(FIREFOX_WINDOWS).get("/account/activity/").content.decode()
    assert "Sign out everywhere else" not in html


def test_a_session_idle_past_the_limit_is_not_listed(alice, settings):
    laptop = signed_in(FIREFOX_WINDOWS)
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        signed_in(SAFARI_IPHONE)  # and left alone since
    html = laptop.get("/account/activity/").content.decode()
    assert "Safari on iPhone</strong>" not in html


def test_sign_out_everywhere_else_ends_the_others_and_keeps_this_one(alice, bob):
    laptop = signed_in(FIREFOX_WINDOWS)
    phone = signed_in(SAFARI_IPHONE)
    tablet = signed_in(CHROME_ANDROID)
    bobs = browser(FIREFOX_WINDOWS)
    bobs.post("/accounts/login/", {"login": "bob@example.org", "password": "bob-password-1234"})

    response = laptop.post("/account/activity/sign-out-elsewhere/", follow=True)
    assert response.redirect_chain == [("/account/activity/", 302)]
    html = response.content.decode()
    assert "You are signed out everywhere else. This browser is still signed in." in html
    assert "Safari on iPhone</strong>" not in html

    assert laptop.get("/account/").status_code == 200
    for other in (phone, tablet):
        assert other.get("/account/")["Location"].startswith("/accounts/login/")
    assert bobs.get("/account/").status_code == 200  # someone else's sessions are hers alone
    event = AuditEvent.objects.get(action="auth.sign_out_elsewhere")
    assert (event.actor_id, event.record_type, event.record_id) == (alice.pk, "sessions", "2")
    assert "Signed out everywhere else" in laptop.get("/account/activity/").content.decode()


def test_sign_out_everywhere_else_is_a_post(alice):
    laptop = signed_in(FIREFOX_WINDOWS)
    assert laptop.get("/account/activity/sign-out-elsewhere/").status_code == 405


def test_allauths_sessions_page_signs_out_the_others_too_and_is_audited(alice):
    laptop = signed_in(FIREFOX_WINDOWS)
    phone = signed_in(SAFARI_IPHONE)
    html = laptop.get("/accounts/sessions/").content.decode()
    assert "Safari on iPhone" in html and "This browser" in html
    laptop.post("/accounts/sessions/")
    assert phone.get("/account/")["Location"].startswith("/accounts/login/")
    assert laptop.get("/account/").status_code == 200
    assert AuditEvent.objects.get(action="auth.sign_out_elsewhere").record_id == "1"


@pytest.mark.parametrize("others", [0, 5])
def test_the_activity_page_runs_the_same_queries_however_much_there_is(
    alice, django_assert_num_queries, others
):
    for _ in range(others):
        signed_in(SAFARI_IPHONE)
        browser(CHROME_ANDROID).post("/accounts/login/", {**CREDENTIALS, "password": "wrong"})
    laptop = signed_in(FIREFOX_WINDOWS)
    laptop.get("/account/activity/")
    # Session and user, the grouped history, her helpers' rows, her sessions and whether
    # each is live, the clinic's numbers (the footer).
    with django_assert_num_queries(7):
        assert laptop.get("/account/activity/").status_code == 200
