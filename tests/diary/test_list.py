import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.diary.forms import DiaryFilterForm
from portal.models import DiaryEntry
from portal.widgets import LongSelect
from tests.conftest import HX

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def log(patient, symptom=None, *, when, severity=1, own_words=""):
    return DiaryEntry.objects.create(
        patient=patient, symptom=symptom, own_words=own_words, severity=severity, occurred_at=when
    )


def entry_ids(html: str, entries) -> list[int]:
    """The entries, in the order the page shows them."""
    found = [(html.find(f'id="entry-{entry.pk}"'), entry.pk) for entry in entries]
    return [pk for position, pk in sorted(found) if position >= 0]


def test_the_list_shows_newest_first_grouped_by_day(alice_client, alice, symptoms):
    today = timezone.localdate() - timedelta(days=1)
    earlier = today - timedelta(days=2)
    old = log(alice, symptoms["fatigue"], when=at(earlier, 9))
    morning = log(alice, symptoms["nausea"], when=at(today, 8))
    evening = log(alice, symptoms["bone-pain"], when=at(today, 20))
    html = alice_client.get("/diary/").content.decode()
    assert entry_ids(html, [old, morning, evening]) == [evening.pk, morning.pk, old.pk]
    assert html.count('<section class="diary-day" id="day-') == 2
    assert f"<h3>{today:%A} {today.day} {today:%B %Y}</h3>" in html
    assert html.index(f"{today:%A} {today.day}") < html.index(f"{earlier:%A} {earlier.day}")


def test_alice_never_sees_bobs_entries(alice_client, alice, bob, symptoms):
    log(bob, own_words="bob's private worry", when=timezone.now() - timedelta(hours=1))
    mine = log(alice, symptoms["fatigue"], when=timezone.now() - timedelta(hours=2))
    html = alice_client.get("/diary/").content.decode()
    assert "bob&#x27;s private worry" not in html and "private worry" not in html
    assert f'id="entry-{mine.pk}"' in html
    html = alice_client.post("/diary/", {}, headers=HX).content.decode()
    assert "private worry" not in html


def test_an_empty_diary_says_so(alice_client, symptoms):
    assert "Your diary is empty." in alice_client.get("/diary/").content.decode()


def test_the_main_navigation_and_home_page_point_to_the_diary(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<a href="/diary/">Diary</a>' in html
    assert "Your symptom diary" in html
    assert (
        '<a href="/diary/" aria-current="page">Diary</a>'
        in alice_client.get("/diary/").content.decode()
    )


def test_a_signed_out_visitor_sees_no_diary_link(client, db):
    assert 'href="/diary/"' not in client.get("/").content.decode()


# Filters travel in the body, never the URL ---------------------------------------------------


@pytest.fixture
def mixed_diary(alice, symptoms):
    day = timezone.localdate() - timedelta(days=1)
    return {
        "bone": log(alice, symptoms["bone-pain"], when=at(day, 10)),
        "liver": log(alice, symptoms["jaundice"], when=at(day - timedelta(days=3), 10)),
        "nausea": log(alice, symptoms["nausea"], when=at(day - timedelta(days=10), 10)),
        "own": log(alice, own_words="tingling toes", when=at(day, 12)),
    }


def test_filtering_by_body_site(alice_client, mixed_diary):
    response = alice_client.post("/diary/", {"body_site": "liver"})
    html = response.content.decode()
    assert response.status_code == 200
    assert entry_ids(html, mixed_diary.values()) == [mixed_diary["liver"].pk]


def test_filtering_by_symptom(alice_client, mixed_diary, symptoms):
    html = alice_client.post(
        "/diary/", {"symptom": symptoms["bone-pain"].pk}, headers=HX
    ).content.decode()
    assert entry_ids(html, mixed_diary.values()) == [mixed_diary["bone"].pk]
    assert html.lstrip().startswith('<section id="diary-history"')
    assert '<p id="diary-status" hx-swap-oob="innerHTML">Showing 1 entry.</p>' in html


@pytest.mark.parametrize("chosen", ["", "symptom"])
def test_the_symptom_list_writes_what_djangos_select_writes(symptoms, chosen):
    """LongSelect writes its options in place: the same markup as Django's Select, the
    chosen one selected."""
    value = symptoms["bone-pain"].pk if chosen else None
    field = DiaryFilterForm.base_fields["symptom"]
    assert isinstance(field.widget, LongSelect)

    def written(widget) -> str:
        widget.choices = field.choices
        html = widget.render("symptom", value, attrs={"id": "id_filter_symptom"})
        return re.sub(r">\s+<", "><", html.strip())

    ours = written(LongSelect())
    assert ours == written(forms.Select())
    assert ours.count("<option") == len(symptoms) + 1
    assert (f'value="{value}" selected>' in ours) is bool(chosen)


def test_filtering_by_date_range_is_kept_in_the_url(alice_client, mixed_diary):
    day = timezone.localdate() - timedelta(days=1)
    start, end = (day - timedelta(days=5)).isoformat(), (day - timedelta(days=1)).isoformat()
    html = alice_client.get(f"/diary/?start={start}&end={end}").content.decode()
    assert entry_ids(html, mixed_diary.values()) == [mixed_diary["liver"].pk]
    assert f'value="{start}"' in html and '<details class="filters" open>' in html
    # Without JavaScript the posted filter redirects there; with htmx the URL is pushed.
    response = alice_client.post("/diary/", {"start": start, "end": end})
    assert (response.status_code, response["Location"]) == (302, f"/diary/?start={start}&end={end}")
    response = alice_client.post("/diary/", {"start": start, "end": end}, headers=HX)
    assert response["HX-Push-Url"] == f"/diary/?start={start}&end={end}"
    assert entry_ids(response.content.decode(), mixed_diary.values()) == [mixed_diary["liver"].pk]


def test_needs_attention_is_kept_in_the_url(alice_client, mixed_diary):
    response = alice_client.post("/diary/", {"attention": "needs-attention"}, headers=HX)
    assert response["HX-Push-Url"] == "/diary/?attention=needs-attention"
    html = alice_client.get("/diary/?attention=needs-attention").content.decode()
    assert "No entries match these filters." in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_symptom_or_body_site_filter_never_reaches_the_url(
    alice_client, mixed_diary, symptoms, headers
):
    data = {"symptom": symptoms["bone-pain"].pk, "body_site": "bone", "start": "2020-01-01"}
    response = alice_client.post("/diary/", data, headers=headers)
    assert response.status_code == 200  # shown, not redirected to a URL that names it
    assert entry_ids(response.content.decode(), mixed_diary.values()) == [mixed_diary["bone"].pk]
    if headers:
        assert response["HX-Push-Url"] == "/diary/?start=2020-01-01"
    # A symptom or body site put in the URL by hand is ignored.
    html = alice_client.get(f"/diary/?symptom={symptoms['bone-pain'].pk}&body_site=liver")
    assert len(entry_ids(html.content.decode(), mixed_diary.values())) == 4


def test_a_filter_that_matches_nothing_says_so(alice_client, mixed_diary):
    html = alice_client.post("/diary/", {"body_site": "lung"}).content.decode()
    assert "No entries match these filters." in html
    assert "a part of the body or a symptom is not, to keep it private." in html


def test_a_bad_filter_shows_an_error_not_a_500(alice_client, mixed_diary):
    response = alice_client.post(
        "/diary/", {"start": "2026-11-20", "end": "2026-11-01", "body_site": "elbow"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in html
    assert "Select a valid choice" in html


def test_the_filter_form_posts_so_no_symptom_reaches_a_url(alice_client, mixed_diary):
    html = alice_client.get("/diary/").content.decode()
    assert '<form id="diary-filter" class="filter-form" method="post" action="/diary/"' in html
    assert "?body_site" not in html and "?symptom" not in html


# Pages: "show earlier entries" -------------------------------------------------------------------


@pytest.fixture
def long_diary(alice, symptoms):
    start = timezone.now() - timedelta(days=30)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=alice,
            symptom=symptoms["fatigue"],
            severity=i % 5,
            occurred_at=start + timedelta(hours=i * 3),
        )
        for i in range(45)
    )
    return list(DiaryEntry.objects.newest_first())


def test_the_first_page_holds_twenty_entries_and_a_button_for_more(alice_client, long_diary):
    html = alice_client.get("/diary/").content.decode()
    assert entry_ids(html, long_diary) == [e.pk for e in long_diary[:20]]
    assert "Show earlier entries" in html
    assert '<input type="hidden" name="before"' in html


def test_earlier_entries_follow_on_without_gaps_or_repeats(alice_client, long_diary):
    response = alice_client.get("/diary/")
    seen = entry_ids(response.content.decode(), long_diary)
    cursor = response.context["next_cursor"]
    while cursor:
        response = alice_client.post("/diary/", {"before": cursor}, headers=HX)
        html = response.content.decode()
        assert "<html" not in html
        assert "earlier entries shown." in html or "earlier entry shown." in html
        seen += entry_ids(html, long_diary)
        cursor = response.context["next_cursor"]
    assert seen == [e.pk for e in long_diary]


def test_earlier_entries_without_javascript_are_a_full_page(alice_client, long_diary):
    cursor = alice_client.get("/diary/").context["next_cursor"]
    response = alice_client.post("/diary/", {"before": cursor})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert entry_ids(html, long_diary) == [e.pk for e in long_diary[20:40]]


def test_a_garbled_cursor_shows_the_first_page(alice_client, long_diary):
    response = alice_client.post("/diary/", {"before": "drop table;--"})
    assert response.status_code == 200
    assert entry_ids(response.content.decode(), long_diary)[0] == long_diary[0].pk


def test_load_more_keeps_the_filter(alice_client, alice, long_diary, symptoms):
    log(alice, symptoms["jaundice"], when=timezone.now() - timedelta(days=31))
    response = alice_client.post("/diary/", {"symptom": symptoms["fatigue"].pk})
    html = response.content.decode()
    assert f'<input type="hidden" name="symptom" value="{symptoms["fatigue"].pk}">' in html


# The cost of the page does not grow with the diary -----------------------------------------------


def count_queries(client, method: str, url: str, data=None, headers=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, headers=headers or {})
    assert response.status_code == 200
    return len(queries)


def fill_diary(patient, symptoms, count: int) -> None:
    DiaryEntry.objects.for_patient(patient).delete()
    # Symptoms the article links to sections: Django skips a prefetch that has no rows to
    # look up, so a page of only unlinked PRO-CTCAE terms would cost fewer queries and
    # compare unlike with like.
    names = [slug for slug, symptom in symptoms.items() if symptom.symptom_sections.exists()]
    # Bone pain first, so that the one-entry diary has an entry the "bone" filter shows.
    names.sort(key=lambda slug: slug != "bone-pain")
    start = timezone.now() - timedelta(days=60)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            symptom=symptoms[names[i % len(names)]],
            own_words="in my words",
            severity=i % 5,
            occurred_at=start + timedelta(minutes=i * 97),
        )
        for i in range(count)
    )


# Session, user, the first page of entries, its symptoms' sections and their articles (3),
# the filter's symptom list and the clinic's numbers (the footer): 8. The log form lists no
# symptoms (its suggestions are buttons), and sections are stored rendered.
DIARY_PAGE_QUERIES = 8


@pytest.mark.parametrize(
    ("method", "url", "data", "headers"),
    [
        ("get", "/diary/", None, None),
        ("get", "/diary/?start=2000-01-01&attention=", None, None),
        ("post", "/diary/", {"body_site": "bone"}, None),
        ("post", "/diary/", {"start": "2000-01-01"}, HX),
    ],
    ids=["page", "filtered in the url", "filtered", "fragment"],
)
def test_the_diary_costs_the_same_queries_for_1_and_60_entries(
    alice_client, alice, symptoms, django_assert_num_queries, method, url, data, headers
):
    expected = DIARY_PAGE_QUERIES - (1 if headers else 0)  # a fragment has no footer
    for size in (1, 60):
        fill_diary(alice, symptoms, size)
        with django_assert_num_queries(expected):
            count_queries(alice_client, method, url, data, headers)


@pytest.mark.parametrize(
    ("headers", "expected"),
    # Both: session, user, the model's check that the matched symptom exists (the words are
    # linked to Bone pain on save), the care notice worked out before the save (the week
    # before, the active red-flag rules), and in a savepoint (2) her account row locked for
    # her rollups, the entry, the day's rollup (her newest entry, counted in place: the week
    # read, the day's row read and written) and the audit row: 13. No duplicate check first
    # (the unique constraint finds a repeat) and no ModelForm constraint query: the form
    # checks what the constraints say and the database enforces them. htmx then reads where
    # the card goes (1), and no history: 14. A plain post answers with a redirect (the
    # message rides in a cookie).
    [(HX, 14), (None, 13)],
    ids=["htmx", "plain"],
)
def test_logging_an_entry_costs_the_same_queries_for_1_and_60_entries(
    alice_client, alice, symptoms, django_assert_num_queries, headers, expected
):
    def log_one() -> None:
        data = {
            "own_words": "my hip aches",
            "severity": "2",
            "when": "now",
            "submission_id": str(uuid.uuid4()),
        }
        response = alice_client.post("/diary/entries/new/", data, headers=headers or {})
        assert response.status_code == (200 if headers else 302)

    fill_diary(alice, symptoms, 1)
    log_one()  # the first request may rotate or save the session
    for size in (1, 60):
        fill_diary(alice, symptoms, size)
        with django_assert_num_queries(expected):
            log_one()


def test_an_earlier_page_costs_the_same_deep_in_a_long_diary(
    alice_client, alice, symptoms, django_assert_max_num_queries
):
    fill_diary(alice, symptoms, 60)
    entries = list(DiaryEntry.objects.newest_first())
    near = count_queries(alice_client, "post", "/diary/", {"before": entries[20].cursor}, HX)
    with django_assert_max_num_queries(9):
        deep = count_queries(alice_client, "post", "/diary/", {"before": entries[45].cursor}, HX)
    assert near == deep


# How often a section's symptoms were logged (shown on Learn pages) -------------------------------


def test_a_section_page_loads_the_patients_activity_lazily(alice_client, symptoms):
    html = alice_client.get(
        "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"
    ).content.decode()
    section_pk = symptoms["bone-pain"].main_section.pk
    url = f"/diary/sections/{section_pk}/activity/"
    assert f'<a href="{url}" hx-get="{url}" hx-trigger="load"' in html


def test_a_signed_out_reader_gets_no_activity_link(client, symptoms):
    html = client.get("/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/").content
    assert b"/activity/" not in html


def test_a_section_without_symptoms_gets_no_activity_link(alice_client, symptoms):
    html = alice_client.get("/learn/metastatic-breast-cancer/overview/").content
    assert b"/activity/" not in html


def test_activity_counts_only_this_patients_recent_entries(alice_client, alice, bob, symptoms):
    now = timezone.now()
    for days in (1, 2, 5):
        log(alice, symptoms["bone-pain"], when=now - timedelta(days=days))
    log(alice, symptoms["swelling"], when=now - timedelta(days=3))
    log(alice, symptoms["swelling"], when=now - timedelta(days=40))
    log(alice, symptoms["jaundice"], when=now - timedelta(days=1))
    log(bob, symptoms["bone-pain"], when=now - timedelta(days=1))
    section_pk = symptoms["bone-pain"].main_section.pk
    response = alice_client.get(f"/diary/sections/{section_pk}/activity/", headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<li>Bone pain: 3 times</li>" in html
    assert "<li>Swelling: once</li>" in html
    assert "Jaundice" not in html
    assert "no-store" in response["Cache-Control"]
    page = alice_client.get(f"/diary/sections/{section_pk}/activity/")
    assert "<html" in page.content.decode()


def test_activity_with_nothing_logged_says_so(alice_client, symptoms):
    section_pk = symptoms["jaundice"].main_section.pk
    html = alice_client.get(f"/diary/sections/{section_pk}/activity/").content.decode()
    assert "You have not logged any of these symptoms in the last 30 days." in html


def test_activity_for_an_unknown_section_is_a_404(alice_client, symptoms):
    assert alice_client.get("/diary/sections/99999/activity/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"before": "99999999999999999999-99999999999999999999"},
        {"before": "99999999999999999-999999999999999999"},
        {"symptom": "99999999999999999999"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"end": "9999-12-31"},
    ],
    ids=[
        "cursor too big",
        "cursor at the limit",
        "symptom id too big",
        "extreme dates",
        "end of time",
    ],
)
def test_out_of_range_values_are_handled_without_a_500(alice_client, long_diary, data):
    assert alice_client.post("/diary/", data).status_code == 200
    assert alice_client.post("/diary/", data, headers=HX).status_code == 200


def test_a_huge_entry_number_is_a_404(alice_client, alice):
    assert alice_client.get("/diary/entries/99999999999999999999/").status_code == 404
