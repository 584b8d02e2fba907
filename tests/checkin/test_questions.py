"""The questions the check-in asks, in NCI's wording and order, and NCI's branching."""

from portal.checkin.questions import CheckInQuestions, active_items
from tests.checkin.conftest import term


def questions(answers=None) -> CheckInQuestions:
    return CheckInQuestions(active_items(), answers or {})


def test_the_default_set_asks_each_terms_attributes_in_order(check_in_set):
    asked = questions().all
    assert len(asked) == 25
    assert [(q.symptom.pro_ctcae_term, q.attribute) for q in asked[:5]] == [
        ("Fatigue", "severity"),
        ("Fatigue", "interference"),
        ("Insomnia", "severity"),
        ("Insomnia", "interference"),
        ("General pain", "frequency"),
    ]
    assert [q.number for q in asked] == list(range(1, 26))


def test_each_question_is_ncis_stem_with_the_7_day_recall(check_in_set):
    texts = {(q.symptom.pro_ctcae_term, q.attribute): q.text for q in questions().all}
    assert texts["General pain", "frequency"] == (
        "In the last 7 days, how OFTEN did you have general pain?"
    )
    assert texts["Fatigue", "severity"] == (
        "In the last 7 days, what was the SEVERITY of your fatigue at its WORST?"
    )
    assert texts["Fatigue", "interference"] == (
        "In the last 7 days, how much did fatigue INTERFERE with your usual or daily activities?"
    )


def test_the_answers_are_ncis_words_lowest_first(check_in_set):
    first = questions().get(1)
    assert first.choices == [
        (0, "None"),
        (1, "Mild"),
        (2, "Moderate"),
        (3, "Severe"),
        (4, "Very severe"),
    ]
    assert [word for _, word in questions().get(5).choices] == [
        "Never",
        "Rarely",
        "Occasionally",
        "Frequently",
        "Almost constantly",
    ]


def test_never_skips_the_terms_severity_and_interference(check_in_set):
    pain = str(term("General pain").pk)
    asked = questions({pain: {"frequency": 0}})
    pain_questions = [q for q in asked.all if q.key == pain]
    assert [asked.is_skipped(q) for q in pain_questions] == [False, True, True]
    assert len(asked.asked) == 23
    assert asked.next_after(5).symptom.pro_ctcae_term == "Decreased appetite"


def test_rarely_asks_them(check_in_set):
    pain = str(term("General pain").pk)
    asked = questions({pain: {"frequency": 1}})
    assert len(asked.asked) == 25
    assert (asked.next_after(5).number, asked.next_after(5).attribute) == (6, "severity")


def test_without_frequency_severity_none_is_the_gate(check_in_set):
    fatigue = str(term("Fatigue").pk)
    asked = questions({fatigue: {"severity": 0}})
    assert asked.is_skipped(asked.get(2))
    assert asked.next_after(1).number == 3
    assert not questions({fatigue: {"severity": 1}}).is_skipped(asked.get(2))


def test_a_lowest_gate_answer_drops_the_terms_other_answers(check_in_set):
    pain = str(term("General pain").pk)
    asked = questions({pain: {"frequency": 2, "severity": 3, "interference": 1}})
    answers = asked.with_answer(asked.get(5), 0)
    assert answers[pain] == {"frequency": 0}
    # The answers it was given are not changed in place.
    assert asked.answers[pain] == {"frequency": 2, "severity": 3, "interference": 1}


def test_the_first_unanswered_question_is_where_she_continues(check_in_set):
    fatigue, insomnia = str(term("Fatigue").pk), str(term("Insomnia").pk)
    asked = questions({fatigue: {"severity": 0}, insomnia: {"severity": 2}})
    assert asked.first_unanswered().number == 4  # insomnia's interference; fatigue's skipped
    assert asked.previous_before(4).number == 3
    assert asked.previous_before(3).number == 1


def test_inactive_items_are_not_asked(check_in_set):
    check_in_set[0].active = False
    check_in_set[0].save()
    assert len(questions()) == 23
    assert questions().get(1).symptom.pro_ctcae_term == "Insomnia"
