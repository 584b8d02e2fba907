"""/summary/: the printable appointment summary, and its CSV download."""

import csv

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from education import pro_ctcae
from education.web import PortalRequest, is_partial
from portal import exports
from portal.audit import record
from portal.summary import queries
from portal.summary.forms import SummaryForm


def _invalid(request: PortalRequest, form: SummaryForm) -> HttpResponse:
    context = {"form": form, "presets": queries.PRESET_DAYS}
    return render(request, "portal/summary/summary.html", context, status=400)


@never_cache
@require_GET
def summary(request: PortalRequest) -> HttpResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    patient = request.patient
    summary_range = form.summary_range(patient)
    shown = form.shown_sections()
    rows = queries.symptom_overview(patient, summary_range)
    one_year = summary_range.start.year == summary_range.end.year
    context = {
        "form": SummaryForm(
            initial={"start": summary_range.start, "end": summary_range.end, "show": sorted(shown)}
        ),
        "patient": patient,
        "summary_range": summary_range,
        "shown": shown,
        "rows": rows,
        "presets": queries.PRESET_DAYS,
        "trend_rule": queries.TREND_RULE,
        "printed_on": timezone.localdate(),
        "entered_by": queries.entered_by_others(patient, summary_range, rows),
        # Short dates in the overview unless the range spans more than one year.
        "short_date": "j M" if one_year else "j M Y",
        "weekday_date": "D j M" if one_year else "D j M Y",
        "pro_ctcae_source": pro_ctcae.SOURCE,
    }
    if "attention" in shown:
        context["attention"] = queries.needs_attention(patient, summary_range, rows)
    if "timeline" in shown:
        context["timeline"] = queries.timeline(patient, summary_range, rows)
    if "questions" in shown:
        context["questions"] = queries.open_questions(patient)
    if "notes" in shown:
        context["notes"] = queries.recent_notes(patient, summary_range)
    if "reading" in shown:
        context["reading"] = queries.reading_for(rows)
    record(request, "summary.view", record_type="summary")
    return render(request, "portal/summary/summary.html", context)


@never_cache
@require_POST
def summary_printed(request: PortalRequest) -> HttpResponse:
    """The print button reports here (via htmx) so printing is in the audit trail.

    Without JavaScript the button posts here and comes back with a hint instead.
    """
    record(request, "summary.print", record_type="summary")
    if is_partial(request):
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
def summary_csv(request: PortalRequest) -> HttpResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    summary_range = form.summary_range(request.patient)
    record(request, "summary.export", record_type="summary")
    writer = csv.writer(_Echo())
    rows = exports.summary_csv_rows(request.patient, summary_range.start, summary_range.end)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"symptom-diary-{summary_range.start:%Y-%m-%d}-to-{summary_range.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
