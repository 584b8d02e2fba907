import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from education import pro_ctcae
from education.matching import match_symptoms
from education.models import BodySite, Measurement, Symptom
from education.web import id_param
from portal.diary import measurements
from portal.models import TEMPERATURE_RANGE, TIMES_IN_24H_MAX, DiaryEntry, NoticeLevel
from portal.widgets import LongSelect

# Anything that looks like the start of an HTML tag: "<script", "</b", "<!--". "<3",
# "pain < 5" and "a < b" are fine (output is escaped anyway; this only catches pasted code).
MARKUP = re.compile(r"</?[a-zA-Z!?]")
MARKUP_MESSAGE = "Please leave out text inside < and > signs: it looks like web code."
TIME_INPUT_FORMAT = "%H:%M"
DATE_INPUT_FORMAT = "%Y-%m-%d"
# Tolerates a phone clock that runs a little fast.
FUTURE_TOLERANCE = timedelta(minutes=2)

# When it happened: one choice (one tab stop), and the time or the date and time it needs.
NOW, EARLIER_TODAY, ANOTHER_DAY = "now", "today", "other"
WHEN_CHOICES = [(NOW, "Now"), (EARLIER_TODAY, "Earlier today"), (ANOTHER_DAY, "Another day")]
TIME_EXAMPLE = "for example 14:30"


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


# True with and without JavaScript; diary.js says the rest (OWN_WORDS_HINT_JS) where it runs.
OWN_WORDS_HINT = (
    "In your own words, for example “my hip aches”, then choose “Find matching symptoms”."
)
OWN_WORDS_HINT_JS = "In your own words, for example “my hip aches”. Matching symptoms appear below."
SEVERITY_QUESTION = "How bad is it?"  # asked when she keeps only her own words
SEVERITY_AT_WORST = "How bad was it at its worst?"  # NCI's severity: at its worst
TEMPERATURE_MESSAGE = (
    f"Enter your temperature in °C, from {TEMPERATURE_RANGE[0]} to {TEMPERATURE_RANGE[1]}, "
    "for example 38.5."
)
TIMES_MESSAGE = f"Enter how many times, a whole number from 1 to {TIMES_IN_24H_MAX}."
LEAVE_OUT = "Leave this answer out"

# Every question an entry can answer, in the order the form shows them: NCI's attributes in
# the item library's order, then the numbers.
ANSWER_FIELDS = tuple(pro_ctcae.Attribute.values)
MEASUREMENT_FIELDS = {Measurement.TEMPERATURE: "temperature_c", Measurement.TIMES: "times_in_24h"}
GRADING_FIELDS = (*ANSWER_FIELDS, *MEASUREMENT_FIELDS.values())
_READ_FROM_WORDS = {
    "temperature_c": measurements.temperature_in,
    "times_in_24h": measurements.times_in,
}


def asked_fields(symptom: Symptom | None) -> list[str]:
    """The questions an entry of `symptom` asks: its PRO-CTCAE attributes and its number;
    kept in her own words only, how bad it is."""
    if symptom is None:
        return ["severity"]
    asked = list(symptom.attributes)
    if symptom.measurement in MEASUREMENT_FIELDS:
        asked.append(MEASUREMENT_FIELDS[symptom.measurement])
    return asked


def best_match(own_words: str) -> Symptom | None:
    return next(iter(match_symptoms(own_words, limit=1)), None) if own_words else None


class AnswerField(forms.TypedChoiceField):
    """One PRO-CTCAE question as radio buttons with NCI's response words, unmodified. The
    value is the word's position on the scale (for presence, No or Yes as a boolean)."""

    def __init__(self, attribute: str, label: str, what: str) -> None:
        words = pro_ctcae.RESPONSE_WORDS[attribute]
        self.attribute = attribute
        if attribute == pro_ctcae.Attribute.PRESENCE:
            message, hint = "Choose Yes or No.", "Yes or No."
        else:
            message = f"Choose {what}, from {words[0]} to {words[-1]}."
            hint = f"From {words[0]} to {words[-1]}."
        super().__init__(
            label=label,
            choices=list(enumerate(words)),
            coerce=self._to_value,
            empty_value=None,
            required=False,
            help_text=hint,
            widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
        )

    def _to_value(self, value: str) -> int | bool:
        return bool(int(value)) if self.attribute == pro_ctcae.Attribute.PRESENCE else int(value)

    def prepare_value(self, value):
        # A saved presence is a boolean; the radio buttons' values are 0 and 1.
        return int(value) if isinstance(value, bool) else value

    def word(self, value: int | bool) -> str:
        return pro_ctcae.response_word(self.attribute, int(value))


class TemperatureField(forms.DecimalField):
    def to_python(self, value) -> Decimal | None:
        # "38,5" is how much of Europe writes 38.5.
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class DiaryEntryForm(forms.ModelForm):
    own_words = forms.CharField(
        label="What are you feeling?",
        help_text=OWN_WORDS_HINT,
        max_length=DiaryEntry.OWN_WORDS_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}),
    )
    # Chosen with one of the suggestion buttons (name="symptom"); empty means the best match
    # for her words, OWN_WORDS_ONLY none. A hidden input, so no list of every symptom is
    # rendered; a button pressed comes after it in the form's data, and the last value wins.
    symptom = EntrySymptomField(
        label="Symptom",
        queryset=Symptom.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "Choose one of the symptoms that match your words, or keep your "
            "own words."
        },
    )
    # The PRO-CTCAE questions (all on the form; the symptom decides which are shown), then
    # the numbers a red-flag rule may need.
    frequency = AnswerField(
        pro_ctcae.Attribute.FREQUENCY, "How often did you have it?", "how often"
    )
    severity = AnswerField(pro_ctcae.Attribute.SEVERITY, SEVERITY_QUESTION, "how bad it is")
    interference = AnswerField(
        pro_ctcae.Attribute.INTERFERENCE,
        "How much did it get in the way of your usual or daily activities?",
        "how much it got in the way",
    )
    amount = AnswerField(pro_ctcae.Attribute.AMOUNT, "How much did you have?", "how much")
    presence = AnswerField(pro_ctcae.Attribute.PRESENCE, "Did you have it?", "Yes or No")
    temperature_c = TemperatureField(
        label="Your temperature in °C",
        help_text="As your thermometer shows it, for example 38.5.",
        required=False,
        min_value=TEMPERATURE_RANGE[0],
        max_value=TEMPERATURE_RANGE[1],
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={
            key: TEMPERATURE_MESSAGE
            for key in ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places")
        },
    )
    times_in_24h = forms.IntegerField(
        label="How many times in the last 24 hours?",
        help_text=f"A number from 1 to {TIMES_IN_24H_MAX}.",
        required=False,
        min_value=1,
        max_value=TIMES_IN_24H_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={key: TIMES_MESSAGE for key in ("invalid", "min_value", "max_value")},
    )
    when = forms.ChoiceField(
        label="When did it happen?",
        choices=WHEN_CHOICES,
        required=False,  # left out: now for a new entry, unchanged for an edit
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose when it happened: now, earlier today or another day."
        },
    )
    time_today = forms.TimeField(
        label="Time today",
        help_text=f"The 24-hour clock, {TIME_EXAMPLE}.",
        required=False,
        input_formats=[TIME_INPUT_FORMAT, "%H:%M:%S", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format=TIME_INPUT_FORMAT),
        error_messages={"invalid": f"Enter the time, {TIME_EXAMPLE}."},
    )
    other_date = forms.DateField(
        label="Date",
        help_text="For example 24/11/2026.",
        required=False,
        input_formats=[DATE_INPUT_FORMAT, "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT_FORMAT),
        error_messages={"invalid": "Enter the date, for example 24/11/2026."},
    )
    other_time = forms.TimeField(
        label="Time",
        help_text=f"The 24-hour clock, {TIME_EXAMPLE}.",
        required=False,
        input_formats=[TIME_INPUT_FORMAT, "%H:%M:%S", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format=TIME_INPUT_FORMAT),
        error_messages={"invalid": f"Enter the time, {TIME_EXAMPLE}."},
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
        # occurred_at comes from the time choice (_clean_when), set on the entry by save().
        fields = ["own_words", "symptom", *GRADING_FIELDS, "note"]

    # The PRO-CTCAE response words on the form are NCI's; the form says so.
    answer_source = pro_ctcae.SOURCE
    own_words_hint_js = OWN_WORDS_HINT_JS
    own_words_only = OWN_WORDS_ONLY

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        chosen = "symptom" in (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        # A saved entry without a symptom was kept in her own words: editing it keeps that.
        if self.instance.pk and not self.instance.symptom_id and not chosen:
            self.initial["symptom"] = OWN_WORDS_ONLY
        if self.instance.pk and not self.initial.get("when"):
            self.initial.update(when_initial(self.instance.occurred_at))
        if not self.initial.get("when"):
            self.initial["when"] = NOW
        # Set while cleaning: the answers its symptom does not ask, the numbers read from
        # her words, whether the symptom was the best match rather than her choice.
        self.misfit_fields: set[str] = set()
        self.filled_from_words: dict[str, str] = {}
        self.matched_on_save = False
        if not self.is_bound:
            self._word_questions(self.graded_symptom)

    @cached_property
    def graded_symptom(self) -> Symptom | None:
        """The symptom whose questions the form asks. Bound: the one chosen, or the best
        match for her words (as saving uses); None when she keeps only her words or the
        choice is not valid. Unbound: the entry's, or the one the caller chose, or the best
        match for the words it was given."""
        if self.is_bound:
            return self.cleaned_data.get("symptom") if self.errors is not None else None
        chosen = self.initial.get("symptom")
        if chosen == OWN_WORDS_ONLY:
            return None
        if isinstance(chosen, Symptom):
            return chosen
        if chosen not in (None, ""):
            if self.instance.symptom_id and str(chosen) == str(self.instance.symptom_id):
                return self.instance.symptom
            pk = id_param(str(chosen))
            return Symptom.objects.filter(pk=pk).first() if pk else None
        return best_match(str(self.initial.get("own_words") or ""))

    @property
    def started(self) -> bool:
        """Whether she has typed or chosen anything (an entry being edited has): until then
        the form shows only the words and "Find matching symptoms"."""
        if self.instance.pk or self.is_bound:
            return True
        return bool(self.initial.get("own_words") or self.initial.get("symptom"))

    @property
    def asked(self) -> list[str]:
        return asked_fields(self.graded_symptom)

    @property
    def grading_fields(self) -> list[forms.BoundField]:
        """The questions to show: those the symptom asks, and any other with an error."""
        asked = self.asked
        return [self[name] for name in GRADING_FIELDS if name in asked or name in self.errors]

    @property
    def shows_nci_words(self) -> bool:
        return any(field.name in ANSWER_FIELDS for field in self.grading_fields)

    @property
    def misfit_message(self) -> str:
        """Why the questions changed under her answers, when some answers do not fit."""
        if not self.misfit_fields:
            return ""
        symptom = self.graded_symptom
        check = "Some of your answers were for other questions: please check them."
        if symptom is None:
            return f"Kept in your own words, the entry asks only how bad it is. {check}"
        if self.matched_on_save:
            return (
                f"Your words match {symptom.name} best, so these are its questions. {check} "
                f"If it is not {symptom.name}, choose another of the symptoms above."
            )
        return f"You chose {symptom.name}, so these are its questions. {check}"

    def _word_questions(self, symptom: Symptom | None) -> None:
        # NCI asks severity "at its worst"; kept in her own words, the question is as it was.
        label = SEVERITY_AT_WORST if symptom is not None else SEVERITY_QUESTION
        self.fields["severity"].label = label
        if bound := self._bound_fields_cache.get("severity"):
            bound.label = label

    def clean_own_words(self) -> str:
        return reject_markup(self.cleaned_data["own_words"])

    def clean_note(self) -> str:
        return reject_markup(self.cleaned_data["note"])

    def _clean_when(self, cleaned: dict) -> None:
        """occurred_at from the time choice, each problem on the input she must change."""
        when = cleaned.get("when") or (None if self.instance.pk else NOW)
        now = timezone.now()
        # The boxes of the choices she did not make are hidden: what they hold is ignored,
        # so a time typed there and then left for "Now" cannot block the save.
        used = {EARLIER_TODAY: {"time_today"}, ANOTHER_DAY: {"other_date", "other_time"}}
        for name in {"time_today", "other_date", "other_time"} - used.get(when, set()):
            self.errors.pop(name, None)
            cleaned.pop(name, None)
        if when is None:  # an edit that did not send the choice keeps its time
            cleaned["occurred_at"] = self.instance.occurred_at
            return
        if when == NOW:
            cleaned["occurred_at"] = now
            return
        if when == EARLIER_TODAY:
            at, field, day = cleaned.get("time_today"), "time_today", timezone.localdate(now)
            if at is None and "time_today" not in self.errors:
                self.add_error(field, f"Enter the time it happened today, {TIME_EXAMPLE}.")
        else:
            day, at, field = cleaned.get("other_date"), cleaned.get("other_time"), "other_time"
            if day is None and "other_date" not in self.errors:
                self.add_error("other_date", "Enter the date it happened, for example 24/11/2026.")
            elif day is not None and day.year < 2000:
                self.add_error("other_date", "Please check the year.")
                day = None
            elif day is not None and day > timezone.localdate(now):
                self.add_error("other_date", "The date cannot be in the future.")
                day = None
            if at is None and "other_time" not in self.errors:
                self.add_error(field, f"Enter the time it happened, {TIME_EXAMPLE}.")
        if day is None or at is None:
            return
        if self.instance.pk:
            # An edit that shows the entry's own time again keeps it exactly: its seconds,
            # and which of the two 01:30s it was on the night the clocks go back.
            saved = timezone.localtime(self.instance.occurred_at)
            if (saved.date(), saved.time().replace(second=0, microsecond=0)) == (day, at):
                cleaned["occurred_at"] = self.instance.occurred_at
                return
        occurred_at = timezone.make_aware(datetime.combine(day, at))
        if occurred_at > now + FUTURE_TOLERANCE:
            self.add_error(field, "The time cannot be in the future.")
            return
        cleaned["occurred_at"] = occurred_at

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_when(cleaned)
        symptom, own_words = cleaned.get("symptom"), cleaned.get("own_words")
        # Which questions to check the answers against; unknown when the choice is not valid,
        # or when it is the best match for words that are not.
        questions_known = not self.has_error("symptom")
        # The same rule with and without JavaScript: nothing chosen means the best match.
        if symptom is None and own_words and "symptom" in cleaned:
            cleaned["symptom"] = best_match(own_words)
            self.matched_on_save = cleaned["symptom"] is not None
        elif symptom == OWN_WORDS_ONLY:
            cleaned["symptom"] = None
        elif symptom is None and self.has_error("own_words"):
            questions_known = False
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
        if questions_known:
            self._clean_answers(cleaned, cleaned.get("symptom"))
        return cleaned

    def _clean_answers(self, cleaned: dict, symptom: Symptom | None) -> None:
        self._word_questions(symptom)
        asked = asked_fields(symptom)
        self._fill_from_words(cleaned, asked)
        about = f"about {symptom.name}" if symptom else "when you keep only your own words"
        for name in GRADING_FIELDS:
            value = cleaned.get(name)
            if name in asked or value is None:
                continue
            self.misfit_fields.add(name)
            field = self.fields[name]
            if isinstance(field, AnswerField):
                message = (
                    f"This question is not asked {about}. You answered “{field.word(value)}”: "
                    f"choose “{LEAVE_OUT}”, or choose the symptom it is about."
                )
            else:
                message = (
                    f"This number is not asked {about}. Clear it, or choose the symptom it "
                    "is about."
                )
            self.add_error(name, ValidationError(message, code="not_asked"))
        answered = any(cleaned.get(name) is not None for name in asked)
        if not answered and not any(self.has_error(name) for name in GRADING_FIELDS):
            if len(asked) == 1:
                message = self.fields[asked[0]].error_messages.get("required")
            else:
                message = f"Answer at least one of the questions about {symptom.name}."
            self.add_error(asked[0], ValidationError(message, code="required"))

    def _fill_from_words(self, cleaned: dict, asked: list[str]) -> None:
        """A number the symptom takes, left empty, from her words ("threw up twice"). One
        outside the range an entry takes is not filled: she is asked to check it."""
        own_words = cleaned.get("own_words") or ""
        for name, read in _READ_FROM_WORDS.items():
            if name not in asked or not own_words or name in self.errors:
                continue
            if cleaned.get(name) is not None:
                continue
            reading = read(own_words)
            if reading is None:
                continue
            if reading.in_range:
                cleaned[name] = reading.value
                self.filled_from_words[name] = reading.words
                continue
            if name == "temperature_c" and reading.maybe_fahrenheit:
                message = (
                    f"Your words say “{reading.words}”: that looks like °F. "
                    "Please enter your temperature in °C here, for example 38.5."
                )
            elif name == "temperature_c":
                message = f"Your words say “{reading.words}”. {TEMPERATURE_MESSAGE}"
            else:
                message = f"Your words say “{reading.words}”. {TIMES_MESSAGE}"
            self.add_error(name, ValidationError(message, code="out_of_range"))

    def validate_constraints(self) -> None:
        """Skipped: each of DiaryEntry's constraints is checked above with words a patient
        can act on (the answers' ranges by their fields, an answer and words-or-symptom by
        clean()), its notice level is set by the code, and a repeated submission_id is
        create_once()'s to find. The database still enforces every one of them; checked
        again here, each CheckConstraint would cost a query on every save."""

    def save(self, commit: bool = True) -> DiaryEntry:
        self.instance.occurred_at = self.cleaned_data["occurred_at"]
        return super().save(commit)


def when_initial(occurred_at: datetime) -> dict:
    """The time choice showing a saved entry's time: earlier today, or another day."""
    local = timezone.localtime(occurred_at)
    if local.date() == timezone.localdate():
        return {"when": EARLIER_TODAY, "time_today": local.time().replace(second=0, microsecond=0)}
    return {
        "when": ANOTHER_DAY,
        "other_date": local.date(),
        "other_time": local.time().replace(second=0, microsecond=0),
    }


# The filter's choice for the entries whose notice asked for a call (or an emergency).
NEEDS_ATTENTION = "needs-attention"


class DiaryFilterForm(forms.Form):
    """The dates and "needs attention" are kept in the URL (URL_FIELDS); the part of the
    body and the symptom are health data, so they travel only in a POST body."""

    URL_FIELDS = ("start", "end", "attention")

    body_site = forms.ChoiceField(
        label="Part of the body",
        choices=[("", "Any"), *BodySite.choices],
        required=False,
    )
    # Only what an option shows: the names of 80 terms are rendered on every diary page.
    symptom = SymptomChoiceField(
        label="Symptom",
        queryset=Symptom.objects.only("pk", "name"),
        required=False,
        empty_label="Any",
        widget=LongSelect,
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
    attention = forms.ChoiceField(
        label="Needs attention",
        choices=[("", "All entries"), (NEEDS_ATTENTION, "Only those that need attention")],
        required=False,
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

    @classmethod
    def from_url(cls, query) -> "DiaryFilterForm":
        """The filter a URL keeps (its other parameters are ignored), unbound for none."""
        data = {name: query[name] for name in cls.URL_FIELDS if query.get(name)}
        return cls(data) if data else cls()

    @property
    def has_private_filter(self) -> bool:
        data = self.cleaned_data if self.is_valid() else {}
        return bool(data.get("body_site") or data.get("symptom"))

    def url(self) -> str:
        """The diary's URL with this filter's dates and "needs attention": never a symptom."""
        kept = {}
        if self.is_bound and self.is_valid():
            kept = {
                name: str(self.cleaned_data[name])  # a date as 2026-11-24
                for name in self.URL_FIELDS
                if self.cleaned_data[name]
            }
        query = urlencode(kept)
        return reverse("diary:entry_list") + (f"?{query}" if query else "")

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
        if data["attention"] == NEEDS_ATTENTION:
            entries = entries.exclude(notice_level=NoticeLevel.NONE)
        return entries.between(data["start"], data["end"])
