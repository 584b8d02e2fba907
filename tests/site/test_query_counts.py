"""Query counts for the pages in this branch, pinned, for a patient with 1 and 500 entries.

A page whose count grows with the diary fails here before it slows anyone down.
(The diary and summary pages pin their own counts in their tests.)
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import DiaryEntry

ARTICLE = "/learn/metastatic-breast-cancer/"
SECTION = "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/"

# (url, extra headers, queries signed out, queries signed in). Signed in, the layout reads
# the session, the user and the clinic's numbers for the footer; home has no query of its
# own at all; an htmx fragment has no footer.
PAGES = [
    ("/", {}, 0, 3),
    ("/learn/", {}, 1, 4),
    (ARTICLE, {}, 2, 5),
    (SECTION, {}, 1, 5),  # signed in: plus the symptoms linked to the section
    (SECTION, {"HX-Request": "true"}, 1, 3),
]


@pytest.fixture(params=[1, 500], ids=["1-entry", "500-entries"])
def diary_of(request, alice, bob):
    now = timezone.now()
    for patient in (alice, bob):
        DiaryEntry.objects.bulk_create(
            DiaryEntry(
                patient=patient,
                own_words=f"entry {n}",
                severity=n % 5,
                occurred_at=now - timedelta(hours=n),
            )
            for n in range(request.param)
        )
    return request.param


@pytest.mark.parametrize(("url", "headers", "anonymous", "_"), PAGES)
def test_public_pages_make_a_fixed_number_of_queries_signed_out(
    client, article, diary_of, django_assert_num_queries, url, headers, anonymous, _
):
    with django_assert_num_queries(anonymous):
        assert client.get(url, headers=headers).status_code == 200


@pytest.mark.parametrize(("url", "headers", "_", "signed_in"), PAGES)
def test_pages_make_a_fixed_number_of_queries_signed_in(
    alice_client, article, diary_of, django_assert_num_queries, url, headers, _, signed_in
):
    alice_client.get(url, headers=headers)  # the first request may rotate or save the session
    with django_assert_num_queries(signed_in):
        assert alice_client.get(url, headers=headers).status_code == 200


def test_the_floor_is_session_and_user_only(alice_client, diary_of, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert alice_client.get("/ping/").status_code == 200


def _queries_for(client, method: str, url: str) -> int:
    """Queries to answer `url` in full, a streamed body included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def _fill(patient, count: int, symptom) -> None:
    """Half the entries name a symptom (linked to a section), half are own words only."""
    DiaryEntry.objects.for_patient(patient).delete()
    now = timezone.now()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            symptom=symptom if n % 2 == 0 else None,
            own_words="" if n % 2 == 0 else f"entry {n}",
            severity=n % 5,
            occurred_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/account/download/csv/"),
        ("post", "/account/download/fhir/"),
        ("get", "/summary/entries.csv?start={month_ago}&end={today}"),
        ("get", "/diary/sections/{section}/activity/"),
    ],
)
def test_exports_and_section_activity_cost_the_same_queries_for_1_and_500_entries(
    alice_client, alice, article, method, url
):
    from tests.conftest import symptom

    section = article.sections.first()
    bone_pain = symptom("Bone pain", "bone", sections=[section])
    today = timezone.localdate()
    url = url.format(
        today=today.isoformat(),
        month_ago=(today - timedelta(days=30)).isoformat(),
        section=section.pk,
    )
    _fill(alice, 2, bone_pain)
    _queries_for(alice_client, method, url)  # the first request may rotate or save the session
    one = _queries_for(alice_client, method, url)
    _fill(alice, 500, bone_pain)
    assert _queries_for(alice_client, method, url) == one


# -- Summary and exports with PRO-CTCAE answers, numbers and red flags ----------------------


def _fill_graded(patient, count: int, symptom, rule) -> None:
    """Entries graded by several attributes, with numbers and, every third, a red flag."""
    from decimal import Decimal

    DiaryEntry.objects.for_patient(patient).delete()
    now = timezone.now()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            symptom=symptom if n % 2 == 0 else None,
            own_words="" if n % 2 == 0 else f"entry {n}",
            severity=None if n % 4 == 1 else n % 5,
            frequency=n % 5,
            presence=None if n % 4 == 1 else n % 3 == 0,
            temperature_c=Decimal(370 + n % 20) / 10,
            times_in_24h=1 + n % 9,
            red_flag=rule if n % 3 == 0 else None,
            notice_level="contact" if n % 3 == 0 else "",
            occurred_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/account/download/csv/"),
        ("post", "/account/download/fhir/"),
        ("get", "/summary/entries.csv?start={month_ago}&end={today}"),
        ("get", "/summary/?start={month_ago}&end={today}"),
    ],
)
def test_graded_entries_and_red_flags_cost_the_same_queries_for_1_and_500_entries(
    alice_client, alice, method, url
):
    from tests.conftest import sick_twice_rule, symptom

    vomiting = symptom("Vomiting", pro_ctcae_term="Vomiting", asks_frequency=True)
    rule = sick_twice_rule(vomiting)
    today = timezone.localdate()
    url = url.format(today=today.isoformat(), month_ago=(today - timedelta(days=30)).isoformat())
    _fill_graded(alice, 2, vomiting, rule)
    _queries_for(alice_client, method, url)  # the first request may rotate or save the session
    one = _queries_for(alice_client, method, url)
    _fill_graded(alice, 500, vomiting, rule)
    assert _queries_for(alice_client, method, url) == one


# -- "Download my data" with her details and treatments (issue 12) --------------------------

# Queries for each download, whatever she keeps: the session and the user, then her details
# (one, found or not), her entries, her treatments (one, with who entered each), her
# appointments and questions (the CSV only: the FHIR file carries neither), and the audit
# row. Issue 12 added the details and the treatments: one query each. Issue 13 added her
# weekly check-ins to the FHIR file (one query; the CSV reads each entry's check-in id from
# the entry itself), and the symptoms their answers are about once there is an answer
# (CHECK_IN_FHIR_QUERIES).
DOWNLOAD_QUERIES = {"/account/download/csv/": 8, "/account/download/fhir/": 7}
CHECK_IN_FHIR_QUERIES = DOWNLOAD_QUERIES["/account/download/fhir/"] + 1


def _fill_treatments(patient, count: int, caregiver) -> None:
    """Treatments, every other one stopped and entered by her caregiver."""
    from datetime import date

    from portal.models import Treatment

    Treatment.objects.for_patient(patient).delete()
    Treatment.objects.bulk_create(
        Treatment(
            patient=patient,
            name=f"Treatment {n}",
            started_on=date(2020, 1, 1) + timedelta(days=10 * n),
            stopped_on=date(2020, 1, 5) + timedelta(days=10 * n) if n % 2 else None,
            line=1 + n % 20,
            entered_by=caregiver if n % 2 else None,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("url", list(DOWNLOAD_QUERIES))
@pytest.mark.parametrize("with_profile", [False, True], ids=["no-details", "details"])
def test_my_data_downloads_cost_the_same_queries_for_1_and_30_treatments(
    alice_client, alice, bob, django_assert_num_queries, url, with_profile
):
    from datetime import date

    from portal.models import PatientProfile

    if with_profile:
        PatientProfile.objects.create(
            patient=alice, date_of_birth=date(1961, 3, 14), hospital_number="RX1", nhs_number=""
        )
    _fill_treatments(alice, 1, bob)
    _queries_for(alice_client, "post", url)  # the first request may rotate or save the session
    with django_assert_num_queries(DOWNLOAD_QUERIES[url]):
        assert alice_client.post(url).status_code == 200
    _fill_treatments(alice, 30, bob)
    with django_assert_num_queries(DOWNLOAD_QUERIES[url]):
        assert alice_client.post(url).status_code == 200


def _fill_check_ins(patient, count: int, symptoms) -> None:
    """Submitted weekly check-ins, each answering every symptom, with an entry per answer."""
    from portal.models import CheckIn

    CheckIn.objects.for_patient(patient).delete()
    DiaryEntry.objects.for_patient(patient).delete()
    now = timezone.now()
    for n in range(count):
        submitted = now - timedelta(days=7 * n)
        check_in = CheckIn.objects.create(
            patient=patient,
            started_at=submitted - timedelta(minutes=2),
            submitted_at=submitted,
            answers={str(s.pk): {"frequency": n % 5, "severity": 1} for s in symptoms},
            own_words=f"words {n}",
        )
        DiaryEntry.objects.bulk_create(
            DiaryEntry(
                patient=patient,
                symptom=s,
                frequency=n % 5,
                severity=1,
                occurred_at=submitted,
                check_in=check_in,
            )
            for s in symptoms
        )


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/account/download/csv/", DOWNLOAD_QUERIES["/account/download/csv/"]),
        ("/account/download/fhir/", CHECK_IN_FHIR_QUERIES),
    ],
)
def test_my_data_downloads_cost_the_same_queries_for_1_and_20_check_ins(
    alice_client, alice, django_assert_num_queries, url, queries
):
    from tests.conftest import symptom

    symptoms = [
        symptom(name, pro_ctcae_term=name, asks_frequency=True) for name in ("Nausea", "Vomiting")
    ]
    _fill_check_ins(alice, 1, symptoms)
    _queries_for(alice_client, "post", url)  # the first request may rotate or save the session
    with django_assert_num_queries(queries):
        assert alice_client.post(url).status_code == 200
    _fill_check_ins(alice, 20, symptoms)
    with django_assert_num_queries(queries):
        assert alice_client.post(url).status_code == 200
