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

# (url, extra headers, queries signed out, queries signed in)
PAGES = [
    ("/", {}, 1, 4),  # signed in: plus the next appointment
    ("/learn/", {}, 1, 3),
    (ARTICLE, {}, 2, 4),
    (SECTION, {}, 1, 4),  # signed in: plus the symptoms linked to the section
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
