import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent, DiaryEntry
from tests.conftest import HX

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('diary')</script>"


@pytest.fixture
def alices_entry(alice, symptoms):
    return DiaryEntry.objects.create(
        patient=alice,
        symptom=symptoms["bone-pain"],
        own_words="my hip aches",
        severity=2,
        occurred_at=timezone.now() - timedelta(hours=2),
        note="Worse after the stairs.",
    )


@pytest.fixture
def bobs_client(client, bob):
    client.force_login(bob)
    return client


def edit_data(entry, **overrides) -> dict:
    data = {
        "own_words": entry.own_words,
        "symptom": entry.symptom_id or "",
        "severity": str(entry.severity),
        "when": "other",
        "other_date": timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d"),
        "other_time": timezone.localtime(entry.occurred_at).strftime("%H:%M"),
        "note": entry.note,
    }
    data.update(overrides)
    return data


def snapshot(entry) -> tuple:
    entry.refresh_from_db()
    return (entry.symptom_id, entry.own_words, entry.severity, entry.occurred_at, entry.note)


# Another patient's entry is a 404, changes nothing, and is audited -------------------------

ENTRY_URLS = [
    ("get", "/diary/entries/{pk}/", {}),
    ("get", "/diary/entries/{pk}/edit/", {}),
    ("post", "/diary/entries/{pk}/edit/", {"severity": "4", "own_words": "hacked"}),
    ("get", "/diary/entries/{pk}/delete/", {}),
    ("post", "/diary/entries/{pk}/delete/", {}),
]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(("method", "url", "data"), ENTRY_URLS)
def test_bob_gets_a_404_for_alices_entry_and_nothing_changes(
    bobs_client, bob, alices_entry, method, url, data, headers
):
    before = snapshot(alices_entry)
    full = {**edit_data(alices_entry), **data} if data else {}
    response = getattr(bobs_client, method)(url.format(pk=alices_entry.pk), full, headers=headers)
    assert response.status_code == 404
    html = response.content.decode()
    assert "my hip aches" not in html and "Worse after the stairs" not in html
    assert snapshot(alices_entry) == before
    denied = AuditEvent.objects.get(outcome="denied")
    assert denied.actor_id == bob.pk
    assert (denied.record_type, denied.record_id) == ("portal.diaryentry", str(alices_entry.pk))
    assert denied.action.startswith("diary.entry_")


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/"])
def test_a_seventy_digit_entry_id_is_a_404_and_audited_not_a_500(alice_client, alice, suffix):
    # The audit column holds 64 characters; PostgreSQL would refuse a longer id.
    response = alice_client.get(f"/diary/entries/{'9' * 70}/{suffix}")
    assert response.status_code == 404
    event = AuditEvent.objects.get(actor_id=alice.pk, outcome="denied")
    assert event.record_id == "9" * 64


def test_a_missing_entry_is_a_404_too(alice_client):
    assert alice_client.get("/diary/entries/999999/").status_code == 404


def test_entry_urls_ask_a_signed_out_visitor_to_sign_in(client, alices_entry):
    for url in ["/diary/entries/{pk}/", "/diary/entries/{pk}/edit/", "/diary/entries/{pk}/delete/"]:
        response = client.get(url.format(pk=alices_entry.pk))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# Detail -------------------------------------------------------------------------------------


def test_the_entry_page_shows_the_entry_and_its_section(alice_client, alices_entry):
    response = alice_client.get(f"/diary/entries/{alices_entry.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Bone pain" in html
    assert "In your words: “my hip aches”" in html
    assert "Bone pain is one of the symptoms of bone metastases" in html
    assert "no-store" in response["Cache-Control"]
    assert "<title>Diary entry" in html  # no health data in the title (browser history)


def test_the_entry_fragment_is_the_card(alice_client, alices_entry):
    response = alice_client.get(f"/diary/entries/{alices_entry.pk}/", headers=HX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="entry-{alices_entry.pk}" class="entry"')
    assert "<html" not in html


def test_learn_more_is_a_real_link_that_htmx_loads_inline(alice_client, alices_entry):
    html = alice_client.get("/diary/").content.decode()
    assert (
        '<a href="/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/" '
        'hx-get="/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"'
    ) in html
    section = alice_client.get(
        "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/", headers=HX
    ).content.decode()
    assert section.lstrip().startswith('<section class="article-section section-card"')
    assert "Bone pain" in section


# Edit ---------------------------------------------------------------------------------------


def test_editing_without_javascript_saves_and_redirects(alice_client, alices_entry, symptoms):
    response = alice_client.post(
        f"/diary/entries/{alices_entry.pk}/edit/",
        edit_data(alices_entry, severity="1", symptom=symptoms["swelling"].pk, note="Better."),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/diary/entries/{alices_entry.pk}/"
    alices_entry.refresh_from_db()
    assert (alices_entry.severity, alices_entry.symptom, alices_entry.note) == (
        1,
        symptoms["swelling"],
        "Better.",
    )
    assert AuditEvent.objects.filter(
        action="diary.entry_edit", record_id=str(alices_entry.pk), outcome="success"
    ).exists()


def test_editing_with_htmx_returns_the_updated_card(alice_client, alices_entry):
    response = alice_client.post(
        f"/diary/entries/{alices_entry.pk}/edit/",
        edit_data(alices_entry, severity="3"),
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="entry-{alices_entry.pk}" class="entry" tabindex="-1"')
    assert '<span class="severity severity-3">Severe</span>' in html
    assert "Your changes are saved." in html
    # Now severe, so the pattern rule asks the patient to contact the care team.
    assert "You rated this as severe." in html
    assert "This portal is not monitored by your care team." in html


def test_the_edit_form_comes_as_a_page_or_a_fragment(alice_client, alices_entry):
    page = alice_client.get(f"/diary/entries/{alices_entry.pk}/edit/")
    assert page.status_code == 200
    assert "<h1>Edit diary entry</h1>" in page.content.decode()
    fragment = alice_client.get(f"/diary/entries/{alices_entry.pk}/edit/", headers=HX)
    html = fragment.content.decode()
    assert html.lstrip().startswith(f'<li id="entry-{alices_entry.pk}" class="entry entry-editing"')
    # Its own ids, so it can sit in the diary page beside the log form.
    assert f'id="id_edit-{alices_entry.pk}_own_words"' in html
    assert f'hx-target="#edit-{alices_entry.pk}-choice"' in html
    assert 'value="my hip aches"' in html
    # Without JavaScript its "Find matching symptoms" shows the edit form again, saving nothing.
    assert f'formaction="/diary/entries/{alices_entry.pk}/edit/?show_questions=1"' in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"severity": "9"},
        {"when": "other", "other_date": "2999-01-01", "other_time": "10:00"},
        {"note": "x" * 100_000},
        {"note": SCRIPT},
        {"own_words": "", "symptom": ""},
        {"note": "a\x00b"},
    ],
    ids=["severity", "future", "long note", "script", "empty", "nul"],
)
def test_a_bad_edit_changes_nothing(alice_client, alices_entry, overrides):
    before = snapshot(alices_entry)
    url = f"/diary/entries/{alices_entry.pk}/edit/"
    plain = alice_client.post(url, edit_data(alices_entry, **overrides))
    assert plain.status_code == 400
    assert 'class="errorlist"' in plain.content.decode()
    htmx = alice_client.post(url, edit_data(alices_entry, **overrides), headers=HX)
    assert htmx.status_code == 200
    assert 'class="errorlist"' in htmx.content.decode()
    assert SCRIPT not in htmx.content.decode()
    assert snapshot(alices_entry) == before
    assert not AuditEvent.objects.filter(action="diary.entry_edit").exists()


# Delete -------------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_first(alice_client, alices_entry):
    response = alice_client.get(f"/diary/entries/{alices_entry.pk}/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete this entry?" in html
    assert "This cannot be undone." in html
    assert DiaryEntry.objects.filter(pk=alices_entry.pk).exists()
    fragment = alice_client.get(f"/diary/entries/{alices_entry.pk}/delete/", headers=HX)
    assert (
        fragment.content.decode()
        .lstrip()
        .startswith(f'<li id="entry-{alices_entry.pk}" class="entry entry-confirm"')
    )


def test_deleting_without_javascript_redirects_to_the_diary(alice_client, alices_entry):
    pk = alices_entry.pk
    response = alice_client.post(f"/diary/entries/{pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/diary/"
    assert not DiaryEntry.objects.filter(pk=pk).exists()
    assert "The entry is deleted." in alice_client.get("/diary/").content.decode()
    event = AuditEvent.objects.get(action="diary.entry_delete")
    assert (event.record_id, event.outcome) == (str(pk), "success")


def test_deleting_with_htmx_replaces_the_card_with_a_status(alice_client, alices_entry):
    pk = alices_entry.pk
    response = alice_client.post(f"/diary/entries/{pk}/delete/", headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li id="entry-{pk}" class="entry entry-removed"' in html
    assert '<p role="status">The entry is deleted.</p>' in html
    assert not DiaryEntry.objects.filter(pk=pk).exists()


def test_delete_only_accepts_get_and_post(alice_client, alices_entry):
    response = alice_client.put(f"/diary/entries/{alices_entry.pk}/delete/")
    assert response.status_code == 405
    assert DiaryEntry.objects.filter(pk=alices_entry.pk).exists()


# A stored script is text everywhere ------------------------------------------------------------


@pytest.fixture
def scripted_entry(alice):
    return DiaryEntry.objects.create(
        patient=alice,
        own_words=SCRIPT,
        severity=1,
        occurred_at=timezone.now() - timedelta(hours=1),
        note=SCRIPT,
    )


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/diary/", {}),
        ("/diary/entries/{pk}/", {}),
        ("/diary/entries/{pk}/", HX),
        ("/diary/entries/{pk}/edit/", {}),
        ("/diary/entries/{pk}/edit/", HX),
        ("/diary/entries/{pk}/delete/", {}),
        ("/diary/entries/{pk}/delete/", HX),
    ],
)
def test_a_stored_script_is_shown_as_text(alice_client, scripted_entry, url, headers):
    response = alice_client.get(url.format(pk=scripted_entry.pk), headers=headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;diary&#x27;)&lt;/script&gt;" in html


def test_a_stored_script_is_text_in_the_filtered_list_too(alice_client, scripted_entry):
    response = alice_client.post("/diary/", {"start": "", "end": ""}, headers=HX)
    html = response.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def _heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", html)]


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_edit_and_delete_headings_fit_where_they_are_shown(alice_client, alice, action):
    entry = DiaryEntry.objects.create(
        patient=alice, own_words="sore hip", severity=3, occurred_at=timezone.now()
    )
    url = f"/diary/entries/{entry.pk}/{action}/"
    page = alice_client.get(url).content.decode()
    fragment = alice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert _heading_levels(page.split('id="main"')[1])[:2] == [1, 2]  # on its own page
    assert _heading_levels(fragment)[0] == 4  # in the list, under the day's h3


def test_the_entry_page_care_notice_is_a_second_level_heading(alice_client, alice):
    entry = DiaryEntry.objects.create(
        patient=alice, own_words="sore hip", severity=4, occurred_at=timezone.now()
    )
    page = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert re.search(r"<h2>(Please contact your care team|This may need urgent help)</h2>", page)


def test_a_term_no_section_explains_links_to_its_outside_page_and_no_section(
    alice_client, alice, symptoms
):
    constipation = symptoms["constipation"]
    assert constipation.main_section is None
    entry = DiaryEntry.objects.create(
        patient=alice, symptom=constipation, severity=2, occurred_at=timezone.now()
    )
    html = alice_client.get(f"/diary/entries/{entry.pk}/").content.decode()
    assert (
        f'<a href="{constipation.outside_page_url}" rel="noopener">'
        f"Read about it on {constipation.outside_page_name}</a>"
    ) in html
    assert "in the full article" not in html
    # A term with neither shows no learn card at all, rather than a wrong section.
    insomnia = symptoms["insomnia"]
    assert insomnia.main_section is None and not insomnia.outside_page_url
    other = DiaryEntry.objects.create(
        patient=alice, symptom=insomnia, severity=1, occurred_at=timezone.now()
    )
    assert "learn-card" not in alice_client.get(f"/diary/entries/{other.pk}/").content.decode()
