"""The weekly check-in's questions: one PRO-CTCAE attribute of one term per screen, with the
7-day recall, and NCI's conditional branching.

The questions are worked out from the clinic's active CheckInItems (one query) and the
answers kept on the CheckIn, so every screen costs the same however many items there are.
"""

from dataclasses import dataclass

from education import pro_ctcae
from education.models import CheckInItem, Symptom
from portal.diary import measurements
from portal.diary.forms import MEASUREMENT_FIELDS, asked_fields, best_match

Attribute = pro_ctcae.Attribute

# NCI's item stems with the 7-day recall (TECH-NOTES section 10). NCI words some terms' items
# differently from what the stem fills in ("feel ANXIETY"); those exact wordings are not in our
# notes, so every item here is the stem pattern with the term in lower case.
STEMS = {
    Attribute.FREQUENCY: "In the last 7 days, how OFTEN did you have {term}?",
    Attribute.SEVERITY: "In the last 7 days, what was the SEVERITY of your {term} at its WORST?",
    Attribute.INTERFERENCE: (
        "In the last 7 days, how much did {term} INTERFERE with your usual or daily activities?"
    ),
    Attribute.PRESENCE: "In the last 7 days, did you have any {term}?",
    # NCI's amount stem is not in our notes: this is the portal's own question (the diary's
    # "How much did you have?") with the 7-day recall, not NCI's wording.
    Attribute.AMOUNT: "In the last 7 days, how much {term} did you have?",
}

# The words' answer key in CheckIn.answers while the check-in is open (not a symptom id, so
# it never collides with one); submitting moves it onto the entry and drops it.
OWN_WORDS_KEY = "own_words"


@dataclass(frozen=True)
class Question:
    number: int  # its step, from 1
    symptom: Symptom
    attribute: str

    @property
    def text(self) -> str:
        return STEMS[self.attribute].format(term=self.symptom.pro_ctcae_term.lower())

    @property
    def words(self) -> tuple[str, ...]:
        return pro_ctcae.RESPONSE_WORDS[self.attribute]

    @property
    def choices(self) -> list[tuple[int, str]]:
        """(value, NCI's word), in the order shown: lowest first; Yes before No, as NCI
        lists them."""
        choices = list(enumerate(self.words))
        if self.attribute == Attribute.PRESENCE:
            choices.reverse()
        return choices

    @property
    def is_gate(self) -> bool:
        """The term's first attribute in NCI's order: its lowest answer skips the rest."""
        return self.symptom.attributes[0] == self.attribute

    @property
    def key(self) -> str:
        return str(self.symptom.pk)


def active_items():
    return CheckInItem.objects.filter(active=True, symptom__pro_ctcae_term__gt="").select_related(
        "symptom"
    )


class CheckInQuestions:
    """The questions of the clinic's active items, in order, read against one check-in's
    answers: which are skipped, answered, and where to go next."""

    def __init__(self, items, answers: dict) -> None:
        self.items = list(items)
        self.answers = answers
        self.all: list[Question] = []
        for item in self.items:
            for attribute in item.symptom.attributes:
                self.all.append(Question(len(self.all) + 1, item.symptom, attribute))

    def __len__(self) -> int:
        return len(self.all)

    def get(self, number: int) -> Question | None:
        return self.all[number - 1] if 1 <= number <= len(self.all) else None

    def answer(self, question: Question) -> int | None:
        value = self.answers.get(question.key, {}).get(question.attribute)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def is_skipped(self, question: Question) -> bool:
        """NCI's branching: the lowest answer to a term's first attribute (Never, None, Not at
        all, No) skips that term's other attributes."""
        if question.is_gate:
            return False
        gate = Question(0, question.symptom, question.symptom.attributes[0])
        return self.answer(gate) == 0

    @property
    def asked(self) -> list[Question]:
        return [question for question in self.all if not self.is_skipped(question)]

    def position(self, question: Question) -> int:
        return next(
            (index for index, asked in enumerate(self.asked, 1) if asked == question),
            0,
        )

    def first_unanswered(self, after: int = 0) -> Question | None:
        return next(
            (q for q in self.asked if q.number > after and self.answer(q) is None),
            None,
        )

    def next_after(self, number: int) -> Question | None:
        return next((q for q in self.asked if q.number > number), None)

    def previous_before(self, number: int) -> Question | None:
        return next((q for q in reversed(self.asked) if q.number < number), None)

    def with_answer(self, question: Question, value: int) -> dict:
        """The answers with `value` for `question`; a lowest gate answer drops the term's
        other answers (those questions are no longer asked)."""
        answers = {key: dict(given) for key, given in self.answers.items()}
        term = answers.setdefault(question.key, {})
        term[question.attribute] = value
        if question.is_gate and value == 0:
            for attribute in question.symptom.attributes[1:]:
                term.pop(attribute, None)
        return answers

    def by_term(self) -> list[tuple[Symptom, list[tuple[Question, str]]]]:
        """For the review: each term with its asked questions and NCI's word for each
        answer ("" when not answered yet)."""
        found = []
        for item in self.items:
            asked = [
                (question, pro_ctcae.response_word(question.attribute, self.answer(question)))
                for question in self.asked
                if question.symptom.pk == item.symptom.pk
            ]
            found.append((item.symptom, asked))
        return found

    def term_answers(self, symptom: Symptom) -> dict[str, int]:
        """What an entry of `symptom` keeps: the answers to its asked questions."""
        return {
            question.attribute: value
            for question in self.asked
            if question.symptom.pk == symptom.pk and (value := self.answer(question)) is not None
        }


def own_words_fields(words: str, severity: int) -> dict:
    """The entry her "Anything else?" words become, matched as the diary matches: the best
    match, with her answer to how bad it was if the symptom asks it and the number it takes
    read from her words ("38.5"); kept in her own words only when the match asks neither."""
    symptom = best_match(words)
    if symptom is not None:
        asked = asked_fields(symptom)
        fields: dict = {}
        if Attribute.SEVERITY in asked:
            fields["severity"] = severity
        for name in MEASUREMENT_FIELDS.values():
            if name not in asked:
                continue
            read = measurements.temperature_in if name == "temperature_c" else measurements.times_in
            reading = read(words)
            if reading is not None and reading.in_range:
                fields[name] = reading.value
        if fields:
            return {"symptom": symptom, "own_words": words, **fields}
    return {"symptom": None, "own_words": words, "severity": severity}
