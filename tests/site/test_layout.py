"""The layout (templates/base.html): what it costs, its menu, icon and description, the
footer of public and private pages, Home's start and the sign-in greeting."""

import pytest
from django.test import RequestFactory

from portal.context_processors import layout
from portal.models import CaregiverGrant
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import example_clinic, make_patient

pytestmark = pytest.mark.django_db

ARTICLE = "/learn/metastatic-breast-cancer/"


def _header(html: str) -> str:
    return html[html.index('<header class="site-header') : html.index("</header>")]


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer') :]


# What the layout costs ------------------------------------------------------------------------


def test_home_signed_in_reads_the_session_the_user_and_the_clinics_numbers(
    alice_client, django_assert_num_queries
):
    example_clinic()
    alice_client.get("/")  # the first request may rotate or save the session
    with django_assert_num_queries(3) as queries:
        assert alice_client.get("/").status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "django_session" in tables and "auth_user" in tables
    assert "portal_cliniccontacts" in tables  # the footer's numbers: she may need them here


def test_home_signed_out_makes_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_an_article_signed_in_costs_its_own_queries_and_the_floor(
    alice_client, article, django_assert_num_queries
):
    alice_client.get(ARTICLE)
    with django_assert_num_queries(5):  # session, user, the article, its sections, the clinic
        assert alice_client.get(ARTICLE).status_code == 200


def test_the_navigation_is_built_once_and_reused():
    first = layout(RequestFactory().get("/"))["nav"]
    second = layout(RequestFactory().get("/learn/"))["nav"]
    assert first is second
    assert [link.href for link in first.signed_out] == [
        "/learn/",
        "/accounts/login/",
        "/accounts/signup/",
    ]


# The menu -------------------------------------------------------------------------------------


def test_the_main_menu_is_a_disclosure_with_every_link_for_a_signed_in_patient(alice_client):
    header = _header(alice_client.get("/").content.decode())
    assert '<nav aria-label="Main" class="main-nav">' in header
    assert '<details class="menu main-menu">' in header
    assert '<summary class="nav-toggle">Menu</summary>' in header
    for href, label in [
        ("/learn/", "Learn"),
        ("/diary/", "Diary"),
        ("/check-in/", "Check-in"),
        ("/summary/", "Summary"),
        ("/appointments/", "Appointments"),
        ("/treatments/", "Treatments"),
        ("/questions/", "Questions"),
        ("/account/", "My account"),
    ]:
        assert f'<li><a href="{href}">{label}</a></li>' in header
    assert '<button type="submit" class="link-button">Sign out</button>' in header
    assert "Sign in" not in header


def test_a_visitor_menu_offers_learn_sign_in_and_an_account(client):
    header = _header(client.get("/").content.decode())
    assert '<summary class="nav-toggle">Menu</summary>' in header
    assert '<li><a href="/accounts/login/">Sign in</a></li>' in header
    assert '<li><a href="/accounts/signup/">Create account</a></li>' in header
    assert "/diary/" not in header and "Sign out" not in header


def test_the_menu_marks_the_page_and_the_part_of_the_portal_it_is_in(alice_client):
    assert '<a href="/questions/" aria-current="page">Questions</a>' in _header(
        alice_client.get("/questions/").content.decode()
    )
    # A page inside a part: the part's link is current, but it is not this page.
    assert '<a href="/questions/" aria-current="true">Questions</a>' in _header(
        alice_client.get("/questions/new/").content.decode()
    )
    assert '<a href="/account/" aria-current="true">My account</a>' in _header(
        alice_client.get("/reminders/").content.decode()
    )
    assert "aria-current" not in _header(alice_client.get("/").content.decode())


def test_my_accounts_menu_folds_into_one_line(alice_client):
    html = alice_client.get("/account/").content.decode()
    menu = html[html.index('<nav aria-label="Your account"') :]
    menu = menu[: menu.index("</nav>")]
    assert '<details class="menu">' in menu
    assert "<summary>Pages in My account</summary>" in menu
    assert '<a href="/account/" aria-current="page">Overview</a>' in menu


def test_the_menu_script_is_loaded_with_the_pages_nonce(client):
    response = client.get("/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert f'<script src="/static/js/nav.js" defer nonce="{nonce}"></script>' in html


# Icon and description -------------------------------------------------------------------------


def test_pages_have_a_description_and_an_icon(client):
    head = client.get("/").content.decode().split("</head>")[0]
    assert (
        '<meta name="description" content="A patient portal for people living with '
        "metastatic breast cancer" in head
    )
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in head
    assert '<link rel="icon" href="/static/favicon.png" type="image/png" sizes="32x32">' in head
    assert '<meta name="theme-color" content="#6b2a5e">' in head


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/favicon.png", "image/png"),
        ("/static/favicon.ico", "image/"),
    ],
)
def test_the_icons_are_served(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = b"".join(response.streaming_content)
    assert len(body) > 200


def test_favicon_ico_at_the_root_leads_to_the_icon_for_anyone(client, alice_client):
    for who in (client, alice_client):
        response = who.get("/favicon.ico")
        assert response.status_code == 302
        assert response["Location"] == "/static/favicon.ico"
        icon = who.get(response["Location"])
        assert icon.status_code == 200
        assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


# The footer -----------------------------------------------------------------------------------


def test_home_and_learn_give_her_the_monitoring_line_and_the_numbers_when_signed_in(
    alice_client, article
):
    example_clinic()
    for url in ("/", "/learn/", ARTICLE):
        footer = _footer(alice_client.get(url).content.decode())
        assert "It is not monitored by your care team." in footer, url
        assert '<a href="tel:01632960001">01632 960 001</a>' in footer, url


def test_a_visitor_reads_that_nobody_monitors_the_portal(client):
    footer = _footer(client.get("/").content.decode())
    assert "It is not monitored by your care team." in footer
    assert "tel:" not in footer


def test_her_records_pages_keep_the_monitoring_line_and_the_numbers(alice_client):
    example_clinic()
    for url in ("/diary/", "/appointments/", "/questions/", "/account/"):
        footer = _footer(alice_client.get(url).content.decode())
        assert "It is not monitored by your care team." in footer, url
        assert '<a href="tel:01632960001">01632 960 001</a>' in footer, url


# Home -----------------------------------------------------------------------------------------


def test_home_starts_with_log_a_symptom(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<a class="button button-start" href="/diary/#log-heading">Log a symptom</a>' in html


def test_a_visitor_is_not_offered_to_log(client):
    html = client.get("/").content.decode()
    assert "Log a symptom" not in html
    assert '<a class="button" href="/accounts/login/">Sign in</a>' in html


def test_a_caregiver_who_can_only_read_is_offered_the_diary_not_logging(client, alice):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.VIEW))
    html = client.get("/").content.decode()
    assert "Log a symptom" not in html
    assert '<a class="button button-start" href="/diary/">Open the diary</a>' in html
    assert "You can read Alice\u2019s diary." in html


def test_a_caregiver_who_logs_for_her_is_offered_to_log(client, alice):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    client.force_login(dana)
    enter(client, make_grant(alice, dana, CaregiverGrant.Access.LOG))
    assert 'href="/diary/#log-heading">Log a symptom</a>' in client.get("/").content.decode()


# The greeting after sign-in -------------------------------------------------------------------


def _sign_in(client, email: str, password: str) -> str:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_signing_in_greets_her_by_her_first_name_not_her_username(client, alice):
    html = _sign_in(client, "alice@example.org", "alice-password-123")
    assert "Hello, Alice. You are signed in." in html
    assert "Successfully signed in" not in html


def test_without_a_first_name_the_greeting_names_nobody(client):
    make_patient("zoe", "zoe-password-1234")
    html = _sign_in(client, "zoe@example.org", "zoe-password-1234")
    assert '<p class="message message-success">You are signed in.</p>' in html
    assert "zoe" not in html.split('<div class="messages"')[1].split("</div>")[0]


def test_a_first_name_is_escaped_once(client):
    make_patient("ob", "ob-password-12345", first_name="Siobhán <O'Brien>")
    html = _sign_in(client, "ob@example.org", "ob-password-12345")
    assert "Hello, Siobhán &lt;O&#x27;Brien&gt;. You are signed in." in html
