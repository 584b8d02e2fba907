import re
import uuid
from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from education.matching import match_symptoms
from education.models import BodySite, Symptom
from portal.models import DiaryEntry, Severity

# Anything that looks like the start of an HTML tag: "<script", "</b", "<!--". "<3",
# "pain < 5" and "a < b" are fine (output is escaped anyway; this only catches pasted code).
MARKUP = re.compile(r"</?[a-zA-Z!?]")
MARKUP_MESSAGE = "Please leave out text inside < and > signs: it looks like web code."
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
# Tolerates a phone clock that runs a little fast.
FUTURE_TOLERANCE = timedelta(minutes=2)


def reject_markup(value: str) -> str:
    if MARKUP.search(value):
        raise ValidationError(MARKUP_MESSAGE, code="markup")
    return value


class SymptomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Symptom) -> str:
        return obj.name


# The symptom list's choice for "no symptom, just my words"; its empty choice means "the best
# match for my words", so leaving it alone and choosing none are told apart, without
# JavaScript too.
OWN_WORDS_ONLY = "own-words"


class _EntrySymptomChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        choices = super().__iter__()
        yield next(choices)  # the empty choice
        yield (OWN_WORDS_ONLY, "None of these: keep my own words")
        yield from choices

    def __len__(self) -> int:
        return super().__len__() + 1


class EntrySymptomField(SymptomChoiceField):
    """A Symptom, OWN_WORDS_ONLY, or None when the patient left it to the matching."""

    iterator = _EntrySymptomChoices

    def to_python(self, value):
        if value == OWN_WORDS_ONLY:
            return OWN_WORDS_ONLY
        return super().to_python(value)


class SubmissionKeyField(forms.Field):
    """A UUID, or None when it is missing or garbled (never an error the patient must fix)."""

    def to_python(self, value) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None


class DiaryEntryForm(forms.ModelForm):
    own_words = forms.CharField(
        label="What are you feeling?",
        help_text="In your own words, for example “my hip aches”. Suggestions appear as you type.",
        max_length=DiaryEntry.OWN_WORDS_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}),
    )
    symptom = EntrySymptomField(
        label="Symptom",
        help_text="Chosen from the suggestions, or pick one here. Left as it is, the best match "
        "for your words is chosen when you save.",
        queryset=Symptom.objects.all(),
        required=False,
        empty_label="The best match for my words",
    )
    severity = forms.TypedChoiceField(
        label="How bad is it?",
        choices=Severity.choices,
        coerce=int,
        help_text="From None to Very severe.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how bad it is, from None to Very severe.",
            "invalid_choice": "Choose how bad it is, from None to Very severe.",
        },
    )
    occurred_at = forms.DateTimeField(
        label="When did it happen?",
        help_text="Date and time. It starts at now; change it if it was earlier.",
        input_formats=[DATETIME_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "60"}, format=DATETIME_INPUT_FORMAT
        ),
        error_messages={
            "required": "Enter when it happened.",
            "invalid": "Enter the date and time, for example 24/11/2026 14:30.",
        },
    )
    note = forms.CharField(
        label="Anything else? (optional)",
        help_text=f"Up to {DiaryEntry.NOTE_MAX_LENGTH} characters.",
        max_length=DiaryEntry.NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A fresh random key per form shown; a retried post with the same key saves nothing new.
    # A missing or garbled key only loses that protection: the patient cannot fix a hidden field.
    submission_id = SubmissionKeyField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = DiaryEntry
        fields = ["own_words", "symptom", "severity", "occurred_at", "note"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # A saved entry without a symptom was kept in her own words: editing it keeps that.
        if self.instance.pk and not self.instance.symptom_id:
            self.initial["symptom"] = OWN_WORDS_ONLY

    def clean_own_words(self) -> str:
        return reject_markup(self.cleaned_data["own_words"])

    def clean_note(self) -> str:
        return reject_markup(self.cleaned_data["note"])

    def clean_occurred_at(self) -> datetime:
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError("The time cannot be in the future.", code="future")
        if occurred_at.year < 2000:
            raise ValidationError("Please check the year.", code="too_old")
        return occurred_at

    def clean(self) -> dict:
        cleaned = super().clean()
        symptom, own_words = cleaned.get("symptom"), cleaned.get("own_words")
        # The same rule with and without JavaScript: nothing chosen means the best match.
        if symptom is None and own_words and "symptom" in cleaned:
            cleaned["symptom"] = next(iter(match_symptoms(own_words, limit=1)), None)
        elif symptom == OWN_WORDS_ONLY:
            cleaned["symptom"] = None
        if (
            not cleaned.get("symptom")
            and not own_words
            and not (self.has_error("own_words") or self.has_error("symptom"))
        ):
            self.add_error(
                "own_words",
                ValidationError(
                    "Tell us what you are feeling: type it in your own words, or choose a symptom.",
                    code="required",
                ),
            )
        return cleaned


class DiaryFilterForm(forms.Form):
    """Filters travel in the request body, so no symptom or body part appears in a URL."""

    body_site = forms.ChoiceField(
        label="Part of the body",
        choices=[("", "Any"), *BodySite.choices],
        required=False,
    )
    symptom = SymptomChoiceField(
        label="Symptom", queryset=Symptom.objects.all(), required=False, empty_label="Any"
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, for example 01/11/2026."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, for example 24/11/2026."},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        # The filter sits on the same page as the log form, so its ids must differ.
        kwargs.setdefault("auto_id", "id_filter_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        for name in ("start", "end"):
            day: date | None = cleaned.get(name)
            if day is not None and not 2000 <= day.year <= 2100:
                self.add_error(name, "Please check the year.")
        return cleaned

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def filter(self, entries):
        if not (self.is_bound and self.is_valid()):
            return entries
        data = self.cleaned_data
        if data["body_site"]:
            entries = entries.filter(symptom__body_site=data["body_site"])
        if data["symptom"]:
            entries = entries.filter(symptom=data["symptom"])
        return entries.between(data["start"], data["end"])
