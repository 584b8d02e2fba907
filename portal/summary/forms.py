from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from portal.summary import queries
from portal.summary.queries import SummaryRange
from portal.widgets import LongSelect

SECTIONS = [
    ("attention", "Needs attention"),
    ("overview", "Symptom overview"),
    ("timeline", "Timeline"),
    ("questions", "Questions for my care team"),
    ("notes", "Notes"),
    ("reading", "Where to read more"),
]
EARLIEST_START = date(2000, 1, 1)
LONGEST_RANGE_DAYS = 366 * 20


class SummaryForm(forms.Form):
    """The range (a preset or two dates) and which sections to show; all from the URL."""

    days = forms.TypedChoiceField(
        choices=[(str(days), f"Last {days} days") for days in queries.PRESET_DAYS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"])
    show = forms.MultipleChoiceField(
        label="Sections to show and print",
        choices=SECTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    appointment = forms.ChoiceField(label="For the appointment", required=False, widget=LongSelect)
    # Present when the section checkboxes were submitted, so "none ticked" differs from
    # "not chosen yet" (which shows every section).
    chosen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    error_messages = {
        "start": "Enter a real date for the first day, for example 2026-10-31.",
        "end": "Enter a real date for the last day, for example 2026-10-31.",
    }

    def __init__(self, *args, appointments: list[tuple[str, str]] | None = None, **kwargs):
        """`appointments`: the patient's own, as choices (the summary's header); None where
        no appointment is chosen (the CSV), which then ignores the field."""
        super().__init__(*args, label_suffix="", **kwargs)
        if appointments is None:
            del self.fields["appointment"]
        else:
            field = self.fields["appointment"]
            field.choices = appointments
            field.error_messages["invalid_choice"] = "Choose one of your appointments."
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name].error_messages["invalid"] = self.error_messages[name]

    def clean(self):
        data = super().clean()
        start, end, days = data.get("start"), data.get("end"), data.get("days")
        if self.errors:
            return data
        today = timezone.localdate()
        if start is None and end is not None:
            self.add_error("start", "Enter the first day too.")
        elif start is not None:
            end = end or today
            if start > end:
                self.add_error("end", "The last day must be on or after the first day.")
            elif start < EARLIEST_START:
                self.add_error("start", f"Choose a day from {EARLIEST_START:%Y} onwards.")
            elif end > today + timedelta(days=366):
                self.add_error("end", "Choose a last day within the next year.")
            elif (end - start).days >= LONGEST_RANGE_DAYS:
                self.add_error("start", "Choose a range of twenty years or less.")
            else:
                data["range"] = SummaryRange(start, end)
        elif days is not None:
            data["range"] = queries.preset_range(days, today)
        return data

    def summary_range(self, last_start: datetime | None) -> SummaryRange:
        """The chosen range; without one, the default (since the last appointment, which
        started at `last_start`)."""
        return self.cleaned_data.get("range") or queries.default_range(last_start)

    def choices_query(self) -> str:
        """The section choices and the appointment as URL parameters, for the range links:
        names of sections and a record id, never health data."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        params: list[tuple[str, str]] = []
        if data.get("chosen"):
            params += [("show", name) for name, _ in SECTIONS if name in data["show"]]
            params.append(("chosen", "true"))
        if data.get("appointment"):
            params.append(("appointment", data["appointment"]))
        return urlencode(params)

    def shown_sections(self) -> set[str]:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("chosen"):
            return set(self.cleaned_data["show"])
        return {name for name, _ in SECTIONS}
