"""Each check-in page costs the same number of queries whether the clinic asks 1 item or 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import CheckInItem
from portal.models import CheckIn, DiaryEntry
from tests.checkin.conftest import answer
from tests.conftest import HX

# Terms whose symptom carries a care notice of its own (portal/models.py care_notice): a done
# page works out a notice again for each entry that raised one, so the pin answers the others.
NOTICE_TERMS = {"Concentration", "Shortness of breath"}


def keep_items(count: int) -> list[CheckInItem]:
    items = list(CheckInItem.objects.select_related("symptom"))
    CheckInItem.objects.exclude(pk__in=[item.pk for item in items[:count]]).update(active=False)
    return items[:count]


def every_answer(items) -> dict:
    return {
        str(item.symptom.pk): {attribute: 1 for attribute in item.symptom.attributes}
        for item in items
    }


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 302), response.status_code
    return len(captured)


def costs(client, patient, count: int) -> dict:
    items = keep_items(count)
    check_in = CheckIn.objects.create(patient=patient, answers=every_answer(items[1:]))
    base = f"/check-in/{check_in.pk}"
    found = {
        "start": queries(lambda: client.get("/check-in/")),
        "step": queries(lambda: client.get(f"{base}/questions/1/")),
        "step htmx": queries(lambda: client.get(f"{base}/questions/1/", headers=HX)),
        "answer": queries(lambda: answer(client, check_in, 1, "1")),
        "answer htmx": queries(lambda: answer(client, check_in, 1, "1", headers=HX)),
        "anything else": queries(lambda: client.get(f"{base}/anything-else/")),
        "review": queries(lambda: client.get(f"{base}/review/")),
        "review htmx": queries(lambda: client.get(f"{base}/review/", headers=HX)),
    }
    check_in.answers = every_answer(
        [item for item in items if item.symptom.pro_ctcae_term not in NOTICE_TERMS]
    )
    check_in.submitted_at = timezone.now()
    check_in.save()
    for symptom_id, term_answers in check_in.answers.items():
        DiaryEntry.objects.create(
            patient=patient,
            symptom_id=int(symptom_id),
            occurred_at=check_in.submitted_at,
            check_in=check_in,
            **term_answers,
        )
    found["done"] = queries(lambda: client.get(f"{base}/done/"))
    return found


@pytest.mark.parametrize("count", [1, 12])
def test_check_in_pages_cost_the_same_for_1_or_12_items(alice_client, alice, check_in_set, count):
    assert costs(alice_client, alice, count) == {
        "start": 6,
        "step": 5,
        "step htmx": 4,
        "answer": 10,
        "answer htmx": 10,
        "anything else": 5,
        "review": 5,
        "review htmx": 4,
        "done": 5,
    }
