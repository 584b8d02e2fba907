from django import forms
from django.core.exceptions import ValidationError

from education import pro_ctcae
from portal.checkin.questions import Question
from portal.diary.forms import SEVERITY_AT_WORST, reject_markup
from portal.models import CheckIn

CHANGED_MESSAGE = (
    "This question has changed since the page was shown. Here it is again: nothing was saved."
)


class AnswerForm(forms.Form):
    """One question's answer: NCI's response word (by its position on the scale). The
    question it answers comes back too, so an answer is never kept under another question
    (the clinic changed the questions, or an old page was posted)."""

    answer = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, empty_value=None)
    # Not required: a missing one is the CHANGED_MESSAGE of clean(), not "This field is required."
    symptom = forms.CharField(widget=forms.HiddenInput, required=False)
    attribute = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, question: Question, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.question = question
        words = question.words
        if question.attribute == pro_ctcae.Attribute.PRESENCE:
            message = "Choose Yes or No."
        else:
            message = f"Choose an answer, from {words[0]} to {words[-1]}."
        field = self.fields["answer"]
        field.label = question.text
        field.choices = question.choices
        field.error_messages = {"required": message, "invalid_choice": message}
        self.initial.setdefault("symptom", question.key)
        self.initial.setdefault("attribute", question.attribute)

    def clean(self) -> dict:
        cleaned = super().clean()
        if (cleaned.get("symptom"), cleaned.get("attribute")) != (
            self.question.key,
            self.question.attribute,
        ):
            raise ValidationError(CHANGED_MESSAGE, code="changed")
        return cleaned


class AnythingElseForm(forms.Form):
    """ "Anything else?" in her own words (optional), and how bad it was: an entry needs an
    answer, so the question is asked whenever there are words."""

    own_words = forms.CharField(
        label="In your own words (optional)",
        help_text="In your own words, for example “my hip aches”. Leave it empty if not.",
        max_length=CheckIn.OWN_WORDS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
        error_messages={
            "max_length": f"Your own words must be {CheckIn.OWN_WORDS_MAX_LENGTH} characters "
            "or fewer."
        },
    )
    severity = forms.TypedChoiceField(
        label=f"If you wrote something: {SEVERITY_AT_WORST}",
        help_text="In the last 7 days. From None to Very severe.",
        choices=list(enumerate(pro_ctcae.SEVERITY_WORDS)),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how bad it was, from None to Very severe."},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_own_words(self) -> str:
        return reject_markup(self.cleaned_data["own_words"])

    def clean(self) -> dict:
        cleaned = super().clean()
        words, severity = cleaned.get("own_words"), cleaned.get("severity")
        if words and severity is None and not self.has_error("severity"):
            self.add_error(
                "severity",
                ValidationError(
                    "Choose how bad it was at its worst, from None to Very severe.",
                    code="required",
                ),
            )
        return cleaned
