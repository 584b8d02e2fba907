"""Treatments: the patient's list of drugs or regimens, current and past, with add, edit and
delete on the shared record pages, links to the article's sections, and every bad value a
field error."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from education.models import Article
from portal.models import AuditEvent, Treatment
from portal.treatments.reading import sections_by_kind
from tests.conftest import make_patient

pytestmark = pytest.mark.django_db

VALID = {"name": "Palbociclib and letrozole", "kind": "cdk46", "started_on": "2026-02-03"}


def today() -> date:
    return timezone.localdate()


def treatment(patient, name="Letrozole", kind=Treatment.Kind.HORMONE, **fields):
    fields.setdefault("started_on", today() - timedelta(days=30))
    return Treatment.objects.create(patient=patient, name=name, kind=kind, **fields)


def _section(html: str, heading_id: str) -> str:
    """The part of the page under one heading, up to the next."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


def test_the_list_splits_current_starting_later_and_past(alice_client, alice):
    treatment(alice, "Starts today", started_on=today())
    treatment(alice, "Stops today", started_on=today() - timedelta(days=9), stopped_on=today())
    treatment(alice, "Open ended", started_on=today() - timedelta(days=400))
    treatment(alice, "Stopped yesterday", stopped_on=today() - timedelta(days=1))
    treatment(alice, "Starts tomorrow", started_on=today() + timedelta(days=1))
    response = alice_client.get("/treatments/")
    assert response.status_code == 200
    names = {
        group: [t.name for t in response.context[group]]
        for group in ("current", "starting", "past")
    }
    assert names == {
        "current": ["Starts today", "Stops today", "Open ended"],
        "starting": ["Starts tomorrow"],
        "past": ["Stopped yesterday"],
    }
    html = response.content.decode()
    assert "Open ended" in _section(html, "current-heading")
    assert "Stopped yesterday" in _section(html, "past-heading")
    assert "Starts tomorrow" in _section(html, "starting-heading")
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in html
    assert 'href="/treatments/" aria-current="page">Treatments</a>' in html


def test_past_treatments_are_listed_most_recently_stopped_first(alice_client, alice):
    treatment(
        alice,
        "First line",
        started_on=date(2023, 1, 1),
        stopped_on=date(2025, 6, 1),
        line=1,
    )
    treatment(alice, "Second line", started_on=date(2025, 6, 2), stopped_on=date(2025, 9, 1))
    past = alice_client.get("/treatments/").context["past"]
    assert [t.name for t in past] == ["Second line", "First line"]


def test_an_empty_list_says_so_and_offers_to_add_one(alice_client):
    html = alice_client.get("/treatments/").content.decode()
    assert "No current treatments." in html and "No past treatments." in html
    assert "Starting later" not in html
    assert 'href="/treatments/new/"' in html


def test_each_treatment_shows_its_kind_line_and_dates(alice_client, alice):
    treatment(
        alice,
        "Capecitabine",
        Treatment.Kind.CHEMOTHERAPY,
        started_on=date(2025, 3, 4),
        stopped_on=date(2025, 11, 20),
        line=2,
    )
    treatment(alice, "Something else", Treatment.Kind.OTHER, started_on=date(2026, 1, 5))
    html = alice_client.get("/treatments/").content.decode()
    assert "<p>Chemotherapy, line of treatment 2</p>" in html
    assert '<time datetime="2025-03-04">4 March 2025</time>' in html
    assert 'stopped <time datetime="2025-11-20">20 November 2025</time>' in html
    assert "Other or not sure" not in html


def test_only_my_treatments_are_listed(alice_client, alice, bob):
    treatment(alice, "Alices drug")
    treatment(bob, "Bobs private drug")
    html = alice_client.get("/treatments/").content.decode()
    assert "Alices drug" in html and "Bobs private drug" not in html


def test_names_are_shown_as_text(alice_client, alice):
    treatment(alice, "<script>alert(1)</script>")
    html = alice_client.get("/treatments/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_cdk46_inhibitors_and_adcs_link_to_the_articles_sections(alice_client, alice, article):
    treatment(alice, "Ribociclib", Treatment.Kind.CDK46_INHIBITOR)
    treatment(alice, "Trastuzumab deruxtecan", Treatment.Kind.ANTIBODY_DRUG_CONJUGATE)
    treatment(alice, "Letrozole", Treatment.Kind.HORMONE)
    html = alice_client.get("/treatments/").content.decode()
    assert (
        '<a href="/learn/metastatic-breast-cancer/cdk46-inhibitors/">'
        "Read about CDK4/6 inhibitors</a>"
    ) in html
    assert (
        '<a href="/learn/metastatic-breast-cancer/antibody-drug-conjugates/">'
        "Read about Antibody-drug conjugates</a>"
    ) in html
    assert html.count("Read about") == 2


def test_the_sections_are_found_in_one_query_and_only_when_published(
    article, django_assert_num_queries
):
    kinds = [Treatment.Kind.CDK46_INHIBITOR, Treatment.Kind.ANTIBODY_DRUG_CONJUGATE] * 5
    with django_assert_num_queries(1):
        found = sections_by_kind(kinds)
    assert {kind: section.slug for kind, section in found.items()} == {
        "cdk46": "cdk46-inhibitors",
        "adc": "antibody-drug-conjugates",
    }
    with django_assert_num_queries(0):
        assert sections_by_kind([Treatment.Kind.HORMONE, Treatment.Kind.OTHER]) == {}
    Article.objects.update(published=False)
    assert sections_by_kind(kinds) == {}


def test_without_the_article_there_is_no_link_and_no_error(alice_client, alice):
    treatment(alice, "Ribociclib", Treatment.Kind.CDK46_INHIBITOR)
    response = alice_client.get("/treatments/")
    assert response.status_code == 200
    assert "Read about" not in response.content.decode()


def _make(patient, count: int, helper) -> None:
    kinds = list(Treatment.Kind)
    Treatment.objects.bulk_create(
        Treatment(
            patient=patient,
            entered_by=helper if n % 3 else None,
            name=f"T{n}",
            kind=kinds[n % len(kinds)],
            started_on=today() - timedelta(days=100 + n),
            stopped_on=today() - timedelta(days=n) if n % 2 else None,
            line=n % 20 + 1,
        )
        for n in range(count)
    )


def test_the_list_costs_the_same_queries_for_1_and_30_treatments(
    alice_client, alice, article, django_assert_num_queries
):
    # session, user, current, starting later, past, the articles' sections, the clinic's
    # numbers for the footer
    treatment(alice, "Ribociclib", Treatment.Kind.CDK46_INHIBITOR)
    with django_assert_num_queries(7):
        alice_client.get("/treatments/")
    _make(alice, 29, helper=make_patient("carol", "carol-password-123", first_name="Carol"))
    assert Treatment.objects.count() == 30
    with django_assert_num_queries(7):
        html = alice_client.get("/treatments/").content.decode()
    linked = Treatment.objects.filter(kind__in=["cdk46", "adc"]).count()
    assert "T28" in html and html.count("Read about") == linked > 10
    assert html.count("Entered by Carol") == 19


def test_an_empty_list_does_not_look_for_sections(alice_client, django_assert_num_queries):
    with django_assert_num_queries(6):
        alice_client.get("/treatments/")


def test_adding_a_treatment_saves_it_as_mine_and_audits_its_id_only(alice_client, alice):
    assert "Add a treatment" in alice_client.get("/treatments/new/").content.decode()
    response = alice_client.post("/treatments/new/", {**VALID, "line": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/treatments/"
    saved = Treatment.objects.get()
    assert (
        saved.patient,
        saved.name,
        saved.kind,
        saved.started_on,
        saved.stopped_on,
        saved.line,
        saved.entered_by,
    ) == (alice, "Palbociclib and letrozole", "cdk46", date(2026, 2, 3), None, 1, None)
    event = AuditEvent.objects.get(action="treatment.create")
    assert (event.record_type, event.record_id, event.actor_id, event.outcome) == (
        "portal.treatment",
        str(saved.pk),
        alice.pk,
        "success",
    )
    assert "Palbociclib" not in str(vars(event))
    assert "Treatment saved." in alice_client.get("/treatments/").content.decode()


@pytest.mark.parametrize(
    ("fields", "started", "stopped"),
    [
        ({"started_on": "03/02/2026"}, date(2026, 2, 3), None),
        ({"stopped_on": "2026-02-03"}, date(2026, 2, 3), date(2026, 2, 3)),  # a one-day course
        (
            {"started_on": "1900-01-01", "stopped_on": "2100-12-31"},
            date(1900, 1, 1),
            date(2100, 12, 31),
        ),
    ],
)
def test_dates_within_the_rules_are_saved(alice_client, fields, started, stopped):
    assert alice_client.post("/treatments/new/", {**VALID, **fields}).status_code == 302
    saved = Treatment.objects.get()
    assert (saved.started_on, saved.stopped_on) == (started, stopped)


def test_the_longest_name_and_the_line_limits_fit(alice_client):
    for line in ("1", "20"):
        data = {**VALID, "name": "n" * 200, "line": line}
        assert alice_client.post("/treatments/new/", data).status_code == 302
    assert sorted(Treatment.objects.values_list("line", flat=True)) == [1, 20]


STARTED_REAL = "Enter the date you started it as a real date, for example 3/2/2026."
STARTED_RANGE = "The date you started it must be between 1900 and 2100."
STOP_BEFORE_START = "The date you stopped it must be on or after the date you started it."
LINE = "Enter the line of treatment as a whole number from 1 to 20, or leave it empty."
BAD = [
    ({"name": ""}, "name", "Enter the name of the drug or regimen."),
    ({"name": "   "}, "name", "Enter the name of the drug or regimen."),
    (
        {"name": "n" * 201},
        "name",
        "The name of the drug or regimen must be 200 characters or fewer.",
    ),
    ({"name": "nul \x00"}, "name", "Null characters are not allowed."),
    ({"kind": "miracle"}, "kind", "Choose what kind of treatment it is from the list."),
    ({"kind": ""}, "kind", "Choose what kind of treatment it is."),
    ({"started_on": ""}, "started_on", "Enter the date you started it."),
    ({"started_on": "2026-02-30"}, "started_on", STARTED_REAL),
    ({"started_on": "1899-12-31"}, "started_on", STARTED_RANGE),
    ({"started_on": "2101-01-01"}, "started_on", STARTED_RANGE),
    (
        {"stopped_on": "2101-01-01"},
        "stopped_on",
        "The date you stopped it must be between 1900 and 2100.",
    ),
    (
        {"stopped_on": "31/02/2026"},
        "stopped_on",
        "Enter the date you stopped it as a real date, for example 3/2/2026.",
    ),
    ({"stopped_on": "2026-02-02"}, "stopped_on", STOP_BEFORE_START),
    ({"stopped_on": "02/02/2026"}, "stopped_on", STOP_BEFORE_START),
    ({"line": "0"}, "line", LINE),
    ({"line": "21"}, "line", LINE),
    ({"line": "-1"}, "line", LINE),
    ({"line": "second"}, "line", LINE),
    ({"line": "9" * 30}, "line", LINE),
]


def _assert_field_error(response, field: str, message: str) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    anchor = f"id_{field}_0" if field == "kind" else f"id_{field}"
    assert f'href="#{anchor}"' in html  # the error summary links to the field (a group's first)
    assert "There is a problem</h2>" in html
    assert "This field is required." not in html
    if field == "kind":  # the radios' fieldset is described by the error
        assert 'aria-describedby="id_kind_error"' in html


@pytest.mark.parametrize(("data", "field", "message"), BAD)
def test_a_bad_value_is_a_field_error_and_nothing_is_saved(alice_client, data, field, message):
    response = alice_client.post("/treatments/new/", {**VALID, **data})
    _assert_field_error(response, field, message)
    assert not Treatment.objects.exists()
    assert not AuditEvent.objects.filter(action="treatment.create").exists()


@pytest.mark.parametrize(("data", "field", "message"), BAD)
def test_a_bad_edit_is_a_field_error_and_changes_nothing(alice_client, alice, data, field, message):
    mine = treatment(alice, "Letrozole", started_on=date(2026, 2, 3))
    before = Treatment.objects.filter(pk=mine.pk).values().get()
    response = alice_client.post(f"/treatments/{mine.pk}/edit/", {**VALID, **data})
    _assert_field_error(response, field, message)
    assert Treatment.objects.filter(pk=mine.pk).values().get() == before


def test_editing_a_treatment_to_stop_it_moves_it_to_past(alice_client, alice):
    mine = treatment(alice, "Letrozole", started_on=today() - timedelta(days=60))
    url = f"/treatments/{mine.pk}/edit/"
    html = alice_client.get(url).content.decode()
    assert "Edit treatment" in html and 'value="Letrozole"' in html
    stopped = today() - timedelta(days=2)
    data = {
        "name": "Letrozole 2.5 mg",
        "kind": "hormone",
        "started_on": mine.started_on.isoformat(),
        "stopped_on": stopped.isoformat(),
        "line": "1",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.stopped_on, mine.line) == ("Letrozole 2.5 mg", stopped, 1)
    listed = alice_client.get("/treatments/").context
    assert [t.pk for t in listed["past"]] == [mine.pk] and listed["current"] == []
    event = AuditEvent.objects.get(action="treatment.edit")
    assert event.record_id == str(mine.pk)


def test_delete_asks_first_then_deletes_and_audits(alice_client, alice):
    mine = treatment(alice, "Letrozole")
    url = f"/treatments/{mine.pk}/delete/"
    html = alice_client.get(url).content.decode()
    assert "Delete this treatment?" in html and "Letrozole" in html
    assert Treatment.objects.exists()
    response = alice_client.post(url)
    assert response.status_code == 302 and response["Location"] == "/treatments/"
    assert not Treatment.objects.exists()
    event = AuditEvent.objects.get(action="treatment.delete")
    assert (event.record_type, event.record_id) == ("portal.treatment", str(mine.pk))


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "edit/", {}),
        ("post", "edit/", VALID),
        ("get", "delete/", {}),
        ("post", "delete/", {}),
    ],
)
def test_bobs_treatment_is_a_404_for_alice_and_nothing_changes(
    alice_client, alice, bob, method, path, data
):
    bobs = treatment(bob, "Bobs private drug")
    before = Treatment.objects.filter(pk=bobs.pk).values().get()
    response = getattr(alice_client, method)(f"/treatments/{bobs.pk}/{path}", data)
    assert response.status_code == 404
    assert "Bobs private drug" not in response.content.decode()
    assert Treatment.objects.filter(pk=bobs.pk).values().get() == before
    event = AuditEvent.objects.get(action="treatment.access")
    assert (event.outcome, event.actor_id, event.record_id) == ("denied", alice.pk, str(bobs.pk))


@pytest.mark.parametrize("pk", ["9" * 30, "0"])
def test_an_unknown_or_enormous_id_is_a_404(alice_client, pk):
    assert alice_client.get(f"/treatments/{pk}/edit/").status_code == 404
    assert alice_client.post(f"/treatments/{pk}/delete/").status_code == 404


def test_no_treatment_name_is_ever_in_a_url(alice_client, alice):
    """Names go in POST bodies only: every link and redirect carries ids."""
    alice_client.post("/treatments/new/", {**VALID, "name": "Secretdrug"})
    mine = Treatment.objects.get()
    pages = [
        alice_client.get(url).content.decode()
        for url in (
            "/treatments/",
            f"/treatments/{mine.pk}/edit/",
            f"/treatments/{mine.pk}/delete/",
        )
    ]
    for html in pages:
        for url in re.findall(r'(?:href|action|hx-\w+)="([^"]*)"', html):
            assert "secretdrug" not in url.lower(), url
    response = alice_client.post(f"/treatments/{mine.pk}/edit/", {**VALID, "name": "Secretdrug"})
    assert "Secretdrug" not in response["Location"]


def test_the_pages_need_the_methods_they_take(alice_client, alice):
    mine = treatment(alice)
    assert alice_client.post("/treatments/").status_code == 405
    assert alice_client.put(f"/treatments/{mine.pk}/edit/").status_code == 405


def test_deleting_the_account_deletes_the_treatments(alice_client, alice):
    treatment(alice)
    response = alice_client.post(
        "/account/delete/", {"password": "alice-password-123", "understood": "on"}
    )
    assert response.status_code == 302
    assert not Treatment.objects.exists()
