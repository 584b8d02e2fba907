"""/summary/: the printable appointment summary, and its CSV download."""

import csv
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import summaries
from portal.audit import record
from portal.summaries import SummaryRange

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
        choices=[(str(days), f"Last {days} days") for days in summaries.PRESET_DAYS],
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
            data["range"] = summaries.preset_range(days, today)
        return data

    def shown_sections(self) -> set[str]:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("chosen"):
            return set(self.cleaned_data["show"])
        return {name for name, _ in SECTIONS}


def _summary_range(request: HttpRequest, form: SummaryForm) -> SummaryRange:
    return form.cleaned_data.get("range") or summaries.default_range(request.user)


def _invalid(request: HttpRequest, form: SummaryForm) -> HttpResponse:
    context = {"form": form, "presets": summaries.PRESET_DAYS}
    return render(request, "portal/summary.html", context, status=400)


@never_cache
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    summary_range = _summary_range(request, form)
    shown = form.shown_sections()
    patient = request.user
    rows = summaries.symptom_overview(patient, summary_range)
    context = {
        "form": SummaryForm(
            initial={
                "start": summary_range.start,
                "end": summary_range.end,
                "show": sorted(shown),
                "chosen": True,
            }
        ),
        "summary_range": summary_range,
        "shown": shown,
        "rows": rows,
        "presets": summaries.PRESET_DAYS,
        "printed_on": timezone.localdate(),
        # Short dates in the overview unless the range spans more than one year.
        "short_date": "j M" if summary_range.start.year == summary_range.end.year else "j M Y",
    }
    if "attention" in shown:
        context["attention"] = summaries.needs_attention(patient, summary_range, rows)
    if "timeline" in shown:
        context["timeline"] = summaries.timeline(patient, summary_range, rows)
    if "questions" in shown:
        context["questions"] = summaries.open_questions(patient)
    if "notes" in shown:
        context["notes"] = summaries.recent_notes(patient, summary_range)
    if "reading" in shown:
        context["reading"] = summaries.reading_for(rows)
    record(request, "summary.view", record_type="summary")
    return render(request, "portal/summary.html", context)


@never_cache
@require_POST
def summary_printed(request: HttpRequest) -> HttpResponse:
    """The print button reports here (via htmx) so printing is in the audit trail.

    Without JavaScript the button posts here and comes back with a hint instead.
    """
    record(request, "summary.print", record_type="summary")
    if request.htmx:
        return HttpResponse(status=204)
    messages.info(
        request,
        "To print, use your browser's Print command (Ctrl and P, or Command and P on a Mac).",
    )
    form = SummaryForm(request.POST)
    url = reverse("summary:summary")
    if form.is_valid() and form.cleaned_data.get("range"):
        url += "?" + form.cleaned_data["range"].query()
    return redirect(url)


class _Echo:
    def write(self, value: str) -> str:
        return value


@never_cache
@require_GET
def summary_csv(request: HttpRequest) -> HttpResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    summary_range = _summary_range(request, form)
    record(request, "summary.export", record_type="summary")
    writer = csv.writer(_Echo())
    rows = summaries.csv_rows(request.user, summary_range)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"symptom-diary-{summary_range.start:%Y-%m-%d}-to-{summary_range.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


app_name = "summary"
urlpatterns = [
    path("", summary, name="summary"),
    path("printed/", summary_printed, name="summary_printed"),
    path("entries.csv", summary_csv, name="summary_csv"),
]
