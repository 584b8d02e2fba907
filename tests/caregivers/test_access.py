"""Every URL of a patient's diary, requested by her caregiver.

The URLs are read from the resolver and each must be listed below as a read or a write,
so a diary URL added later fails here until it says which it is. View access reads and
cannot write (403, nothing changed); log access writes, marked as entered by her; a
revoked or ended grant leaves the diary; another patient's records stay a 404.
"""

import re
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from portal.middleware import DIARY_NAMESPACES
from portal.models import Appointment, AuditEvent, CaregiverGrant, DiaryEntry, Question
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import HX
from tests.site.test_other_patients_records import HOSTILE_POST, RECORDS, record_urls

pytestmark = pytest.mark.django_db

# name: (method, extra query or data) for a request that only reads.
READS = {
    "diary:entry_list": ("get", {}),
    "diary:symptom_suggestions": ("post", {"own_words": "hip"}),
    # The questions of a symptom, for the log form (which only log access shows); saves nothing.
    "diary:entry_grading": ("post", {"own_words": "hip", "symptom": ""}),
    "diary:entry_detail": ("get", {}),
    "diary:section_activity": ("get", {}),
    "summary:summary": ("get", {}),
    "summary:summary_printed": ("post", {}),
    "summary:summary_csv": ("get", {}),
    "appointments:appointment_list": ("get", {}),
    "questions:question_list": ("get", {}),
    "treatments:treatment_list": ("get", {}),
}
WRITES = {
    "diary:entry_create",
    "diary:entry_edit",
    "diary:entry_delete",
    "diary:entry_unmatch",
    "appointments:appointment_create",
    "appointments:appointment_edit",
    "appointments:appointment_delete",
    "questions:question_create",
    "questions:question_edit",
    "questions:question_asked",
    "questions:question_delete",
    "treatments:treatment_create",
    "treatments:treatment_edit",
    "treatments:treatment_delete",
    # The weekly check-in adds to the diary, start to end (portal/checkin/views.py).
    "checkin:start",
    "checkin:resume",
    "checkin:step",
    "checkin:anything_else",
    "checkin:review",
    "checkin:submit",
    "checkin:done",
}


def diary_urls() -> list[tuple[str, str, str]]:
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and namespace in DIARY_NAMESPACES:
                yield namespace, f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)

    return sorted(walk(get_resolver().url_patterns, "/", None))


@pytest.fixture
def alices_records(alice, article):
    entry = RECORDS["diary"](alice)
    return {
        "diary": entry,
        "appointments": RECORDS["appointments"](alice),
        "questions": RECORDS["questions"](alice),
        "treatments": RECORDS["treatments"](alice),
        "checkin": RECORDS["checkin"](alice),
        "section": article.sections.first(),
    }


def _url(route: str, namespace: str, records: dict) -> str:
    route = route.replace("<int:number>", "1")  # a check-in's question number
    if "<int:pk>" not in route:
        return route
    if "sections/<int:pk>" in route:
        return route.replace("<int:pk>", str(records["section"].pk))
    return route.replace("<int:pk>", str(records[namespace].pk))


def _snapshot(alice) -> list:
    return [
        sorted(map(model_to_dict, model.objects.for_patient(alice)), key=lambda row: row["id"])
        for model in (DiaryEntry, Appointment, Question)
    ]


def test_every_diary_url_is_listed_as_a_read_or_a_write():
    names = {name for _, name, _ in diary_urls()}
    assert names == set(READS) | WRITES
    assert not set(READS) & WRITES


@pytest.mark.parametrize("name", sorted(READS))
@pytest.mark.parametrize("access", ["view", "log"])
def test_a_caregiver_reads_every_page_of_the_diary(
    dana_client, alice, dana, alices_records, name, access
):
    enter(dana_client, make_grant(alice, dana, access))
    [(namespace, route)] = [(ns, r) for ns, n, r in diary_urls() if n == name]
    method, data = READS[name]
    response = getattr(dana_client, method)(_url(route, namespace, alices_records), data)
    # These redirect to the page: the print back to the summary, and without JavaScript the
    # diary's Find and suggestion back to the diary, the draft kept in the session.
    expected = {
        "summary:summary_printed": 302,
        "diary:entry_grading": 303,
        "diary:symptom_suggestions": 303,
    }.get(name, 200)
    assert response.status_code == expected, name
    if expected == 303:
        assert response["Location"].startswith("/diary/"), name
    if response.get("Content-Type", "").startswith("text/html") and expected == 200:
        html = response.content.decode()
        assert "You are in <strong>Alice\u2019s diary</strong>" in html


def test_the_caregiver_sees_the_patients_records_not_her_own(
    dana_client, alice, dana, views_for_alice, alices_records
):
    RECORDS["diary"](dana).__class__.objects.filter(patient=dana).update(note="dana's own note")
    enter(dana_client, views_for_alice)
    html = dana_client.get("/diary/").content.decode()
    assert "bob&#x27;s private note" in html  # the fixture's words, made for alice here
    assert "dana&#x27;s own note" not in html
    assert "Alice\u2019s symptom diary" in html
    assert "Log a symptom" not in html and "Save in my diary" not in html  # view only
    summary = dana_client.get("/summary/").content.decode()
    assert "<strong>Alice Archer</strong>" in summary


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_caregiver_with_view_access_cannot_write(
    dana_client, alice, dana, views_for_alice, alices_records, name, htmx
):
    enter(dana_client, views_for_alice)
    [(namespace, route)] = [(ns, r) for ns, n, r in diary_urls() if n == name]
    url = _url(route, namespace, alices_records)
    before = _snapshot(alice)
    for method in ("get", "post"):
        response = getattr(dana_client, method)(url, HOSTILE_POST, headers=HX if htmx else {})
        if response.status_code == 405:
            continue
        assert response.status_code == 403, (method, url)
        assert "You can see Alice\u2019s diary but not add to it" in response.content.decode()
    assert _snapshot(alice) == before
    assert not DiaryEntry.objects.filter(patient=dana).exists()
    denied = AuditEvent.objects.filter(actor_id=dana.pk, outcome=AuditEvent.Outcome.DENIED)
    assert denied.exists() and denied.first().patient_id == alice.pk


def test_a_caregiver_with_log_access_writes_everything_as_entered_by_her(
    dana_client, alice, dana, logs_for_alice, alices_records
):
    enter(dana_client, logs_for_alice)
    entry_data = {"own_words": "tired", "severity": "1"}
    assert dana_client.post("/diary/entries/new/", entry_data).status_code == 302
    created = DiaryEntry.objects.get(own_words="tired")
    assert created.patient == alice and created.entered_by == dana

    edited = alices_records["diary"]
    response = dana_client.post(
        f"/diary/entries/{edited.pk}/edit/", {**entry_data, "own_words": "more tired"}
    )
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.own_words == "more tired" and edited.entered_by == dana

    soon = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert dana_client.post("/appointments/new/", {"starts_at": soon}).status_code == 302
    assert Appointment.objects.get(patient=alice, entered_by=dana)
    appointment = alices_records["appointments"]
    dana_client.post(f"/appointments/{appointment.pk}/edit/", {"starts_at": soon, "purpose": "x"})
    appointment.refresh_from_db()
    assert appointment.purpose == "x" and appointment.entered_by == dana

    assert dana_client.post("/questions/new/", {"text": "Ask about sleep"}).status_code == 302
    assert Question.objects.get(text="Ask about sleep").entered_by == dana
    question = alices_records["questions"]
    dana_client.post(f"/questions/{question.pk}/asked/", {"asked": "true"})
    question.refresh_from_db()
    assert question.asked

    dana_client.post(f"/questions/{question.pk}/delete/")
    dana_client.post(f"/appointments/{appointment.pk}/delete/")
    dana_client.post(f"/diary/entries/{edited.pk}/delete/")
    assert not Question.objects.filter(pk=question.pk).exists()
    assert not Appointment.objects.filter(pk=appointment.pk).exists()
    assert not DiaryEntry.objects.filter(pk=edited.pk).exists()
    assert not DiaryEntry.objects.filter(patient=dana).exists()


@pytest.mark.parametrize("ending", ["revoked", "ended", "access-to-view"])
def test_a_grant_that_ends_takes_her_out_of_the_diary_at_her_next_click(
    dana_client, alice, dana, logs_for_alice, alices_records, ending
):
    enter(dana_client, logs_for_alice)
    assert dana_client.get("/diary/").status_code == 200
    if ending == "revoked":
        logs_for_alice.revoked_at = timezone.now()
    elif ending == "ended":
        logs_for_alice.ends_on = timezone.localdate() - timedelta(days=1)
    else:
        logs_for_alice.access = CaregiverGrant.Access.VIEW
    logs_for_alice.save()
    before = _snapshot(alice)
    entry = alices_records["diary"]
    response = dana_client.post(f"/diary/entries/{entry.pk}/edit/", {"own_words": "x"})
    if ending == "access-to-view":
        assert response.status_code == 403  # still in the diary, now view only
        return
    assert response.status_code == 302 and response["Location"] == "/"
    home = dana_client.get("/").content.decode()
    assert "Your access to Alice&#x27;s diary has ended." in home
    assert "You are in" not in home
    assert "portal_diary_of" not in dana_client.session
    # From now on Alice's records are a 404 and the diary is Dana's own.
    for namespace, name, route in record_urls():
        if namespace in DIARY_NAMESPACES:
            url = _url(route, namespace, alices_records)
            assert dana_client.get(url).status_code in (404, 405), name
    own = dana_client.get("/diary/").content.decode()
    assert "Your symptom diary" in own and "Your diary is empty." in own
    assert _snapshot(alice) == before


def test_an_htmx_request_after_the_end_loads_the_home_page(
    dana_client, logs_for_alice, alices_records
):
    enter(dana_client, logs_for_alice)
    logs_for_alice.revoked_at = timezone.now()
    logs_for_alice.save()
    response = dana_client.post("/diary/", {}, headers=HX)
    assert response["HX-Redirect"] == "/"


@pytest.mark.parametrize(("namespace", "name", "route"), record_urls())
def test_the_caregiver_of_one_patient_gets_a_404_on_anothers_records(
    dana_client, dana, alice, bob, logs_for_alice, namespace, name, route
):
    enter(dana_client, logs_for_alice)
    record = RECORDS[namespace](bob)
    before = model_to_dict(record)
    url = re.sub(r"<int:pk>", str(record.pk), route)
    for method in ("get", "post"):
        response = getattr(dana_client, method)(url, HOSTILE_POST)
        if response.status_code == 405:
            continue
        assert response.status_code == 404, (method, url)
        assert b"bob&#x27;s" not in response.content
    record.refresh_from_db()
    assert model_to_dict(record) == before


def test_my_account_pages_are_the_caregivers_own(
    dana_client, alice, dana, logs_for_alice, alices_records
):
    enter(dana_client, logs_for_alice)
    data = dana_client.post("/account/download/csv/").content.decode()
    assert "dana@example.org" in data and "alice" not in data.lower()
    assert "bob's private" not in data  # alice's entry (made with bob's words)
    fhir = dana_client.post("/account/download/fhir/").content.decode()
    assert "dana@example.org" in fhir and "alice" not in fhir.lower()
    for url in ("/account/", "/account/activity/", "/account/delete/", "/accounts/2fa/"):
        response = dana_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "alice@example.org" not in html and "bob&#x27;s private" not in html, url
    # Deleting from here deletes Dana's account, never Alice's.
    response = dana_client.post(
        "/account/delete/", {"password": "dana-password-123", "understood": "on"}
    )
    assert response.status_code == 302
    assert not type(dana).objects.filter(pk=dana.pk).exists()
    assert type(alice).objects.filter(pk=alice.pk).exists()
    assert DiaryEntry.objects.filter(patient=alice).exists()
