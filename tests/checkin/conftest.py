import pytest

from education.models import CheckInItem, Symptom
from portal.models import CheckIn
from tests.conftest import example_clinic, load_vocabulary


@pytest.fixture
def check_in_set(db):
    """The seed content: articles, the vocabulary, the red-flag rules and the check-in's
    default set (Reeve et al. 2014's 12 core symptoms)."""
    load_vocabulary("fixtures/check_in.json")
    return list(CheckInItem.objects.select_related("symptom"))


@pytest.fixture
def contacts(db):
    return example_clinic(breast_care_nurse_line="", breast_care_nurse_hours="")


def term(name: str) -> Symptom:
    return Symptom.objects.get(pro_ctcae_term=name)


def open_check_in(patient, **answers) -> CheckIn:
    """An open check-in holding `answers` ({NCI term: {attribute: value}})."""
    return CheckIn.objects.create(
        patient=patient,
        answers={str(term(name).pk): given for name, given in answers.items()},
    )


def answer(client, check_in, number: int, value, headers=None, **extra):
    """Posts `value` to step `number`, naming the question that step asks."""
    from portal.checkin.questions import CheckInQuestions, active_items

    question = CheckInQuestions(active_items(), {}).get(number)
    data = {"answer": value, "symptom": question.key, "attribute": question.attribute, **extra}
    return client.post(f"/check-in/{check_in.pk}/questions/{number}/", data, headers=headers or {})
