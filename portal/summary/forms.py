from datetime import date, timedelta

from django import forms
from django.utils import timezone

from portal.summary import queries
from portal.summary.queries import SummaryRange

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
    # Present when the section checkboxes were submitted, so "none ticked" differs from
    # "not chosen yet" (which shows every section).
    chosen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    error_messages = {"invalid": "Enter a real date, for example 2026-10-31."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name].error_messages["invalid"] = self.error_messages["invalid"]

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

    def summary_range(self, patient) -> SummaryRange:
        """The chosen range; without one, the default (since the last appointment)."""
        return self.cleaned_data.get("range") or queries.default_range(patient)

    def shown_sections(self) -> set[str]:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("chosen"):
            return set(self.cleaned_data["show"])
        return {name for name, _ in SECTIONS}
