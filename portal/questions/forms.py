from django import forms

from education.models import Section
from portal.models import ANSWER_MAX_LENGTH, DiaryEntry, Question

QUESTION_MESSAGES = {
    "required": "Enter your question.",
    "max_length": "Your question must be 1,000 characters or fewer.",
}


class QuestionForm(forms.ModelForm):
    """A new question; `entry` and `section` arrive as ids and must be the patient's own."""

    class Meta:
        model = Question
        fields = ["text", "entry", "section"]
        labels = {"text": "Your question"}
        help_texts = {"text": "For example: “Should I change my pain relief?”"}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "entry": forms.HiddenInput,
            "section": forms.HiddenInput,
        }
        error_messages = {
            "text": QUESTION_MESSAGES,
            "entry": {"invalid_choice": "That diary entry could not be found."},
            "section": {"invalid_choice": "That article section could not be found."},
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["entry"].queryset = DiaryEntry.objects.for_patient(patient)
        self.fields["section"].queryset = Section.objects.published()


class QuestionEditForm(forms.ModelForm):
    """The question, whether it was asked, and after the visit what she was told."""

    class Meta:
        model = Question
        fields = ["text", "asked", "answer"]
        labels = {
            "text": "Your question",
            "asked": "I have asked this",
            "answer": "The answer (optional)",
        }
        help_texts = {"answer": "After your appointment, write down what you were told."}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "text": QUESTION_MESSAGES,
            "answer": {
                "max_length": f"The answer must be {ANSWER_MAX_LENGTH:,} characters or fewer."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
