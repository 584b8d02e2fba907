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
from portal.context_processors import clinic_contacts
from portal.summary import printing, queries
from portal.summary.chart import label_lines
from portal.summary.forms import SummaryForm
from portal.summary.header import Appointments, who_and_what


def _invalid(request: PortalRequest, form: SummaryForm) -> HttpResponse:
    context = {"form": form, "presets": queries.PRESET_DAYS}
    return render(request, "portal/summary/summary.html", context, status=400)


@never_cache
@require_GET
def summary(request: PortalRequest) -> HttpResponse:
    form, context = summary_context(request, request.GET)
    if context is None:
        return _invalid(request, form)
    record(request, "summary.view", record_type="summary")
    return render(request, "portal/summary/summary.html", context)


def summary_context(request: PortalRequest, data) -> tuple[SummaryForm, dict | None]:
    """The summary of request.patient's diary for the choices in `data` (the page's query):
    (the form, the page's context), or (the form with its errors, None). The patient's own
    page and her care team's page of her (portal.careteam) both show this one."""
    patient = request.patient
    appointments = Appointments.around_now(patient)
    form = SummaryForm(data, appointments=appointments.choices())
    if not form.is_valid():
        return form, None
    summary_range = form.summary_range(appointments.last_start)
    appointment = appointments.get(form.cleaned_data.get("appointment"))
    shown = form.shown_sections()
    rows = queries.symptom_overview(patient, summary_range)
    one_year = summary_range.start.year == summary_range.end.year
    short_date = "j M" if one_year else "j M Y"
    weekday_date = "D j M" if one_year else "D j M Y"
    context = {
        "form": SummaryForm(
            initial={
                "start": summary_range.start,
                "end": summary_range.end,
                "show": sorted(shown),
                "appointment": str(appointment.pk) if appointment else "",
            },
            appointments=appointments.choices(),
        ),
        "choices_query": form.choices_query(),
        "patient": patient,
        "who": who_and_what(request, appointment),
        "summary_range": summary_range,
        "shown": shown,
        "rows": rows,
        "symptom_rows": [row for row in rows if row.symptom_id is not None],
        "own_words_rows": [row for row in rows if row.symptom_id is None],
        "presets": queries.PRESET_DAYS,
        "trend_rule": queries.TREND_RULE,
        "printed_on": timezone.localdate(),
        "entered_by": queries.entered_by_others(patient, summary_range, rows),
        # Short dates in the overview unless the range spans more than one year.
        "short_date": short_date,
        "weekday_date": weekday_date,
        "pro_ctcae_source": pro_ctcae.SOURCE,
        "check_ins": queries.check_ins(patient, summary_range),
    }
    context["check_ins_text"] = context["check_ins"].text(weekday_date)
    if "attention" in shown:
        context["attention"] = queries.needs_attention(patient, summary_range, rows)
    if "questions" in shown:
        context["questions"] = queries.open_questions(patient)
    if "notes" in shown:
        context["notes"] = queries.recent_notes(patient, summary_range, rows)
    if "reading" in shown:
        context["reading"] = queries.reading_for(rows)
    print_plan = _plan(context, rows, short_date, clinic_contacts(request)["clinic"].is_set)
    if "timeline" in shown:
        # The chart shows what prints (fewer rows when the pages are full); when the
        # print leaves it out, the screen still has it all.
        keep = print_plan.keeps("timeline") or queries.TIMELINE_MAX_ROWS
        context["timeline"] = queries.timeline(patient, summary_range, rows, max_rows=keep)
    context["print_plan"] = print_plan
    context["print_kept"] = {part: print_plan.keeps(part) for part in printing.PARTS}
    return form, context


NOTE_CHARS = queries.NOTE_PREVIEW_CHARS


def _plan(context: dict, rows: list, short_date: str, clinic: bool) -> printing.PrintPlan:
    """What of the page prints on two pages (portal.summary.printing), from its texts."""
    shown, who, summary_range = context["shown"], context["who"], context["summary_range"]
    header = [
        " · ".join([who.name, *(f"{label} {value}" for label, value in who.identifiers)]),
        f"For the appointment: {who.appointment_text or 'none chosen'}",
        f"Diary from {summary_range.start:%d %B %Y} to {summary_range.end:%d %B %Y} "
        # Lengths, not the printed words: the longest forms of each line (the template
        # prints them), so the estimate never falls short.
        f"({summary_range.days} days, since the last appointment).",
        *([context["check_ins_text"]] if context["check_ins"] else []),
        "Patient-reported, not a clinical record. Made on 30 September 2026 from the "  # longest
        "patient's own symptom diary."
        + " Entered for the patient by someone."
        * bool(context["entered_by"]),
    ]
    if who.treatment_lines:
        header.append("Current treatment: " + "; ".join(who.treatment_lines) + ".")
    if clinic:
        header.append("x" * 190)  # the clinic's numbers: two lines at most
    content = printing.Content(header=header)
    attention = context.get("attention")
    if attention is not None:
        weekday = context["weekday_date"]
        content.attention = True
        for flag in attention.red_flags:
            flag.detail_text = flag.detail(weekday)
        for line in attention.lines:
            line.detail_text = line.detail(short_date)
        content.red_flags = [flag.text(weekday) for flag in attention.red_flags]
        content.worsening = [line.text(short_date) for line in attention.worsening]
        content.others = [line.text(short_date) for line in attention.others]
    if "overview" in shown:
        own_words = [row for row in rows if row.symptom_id is None]
        content.table = [printing.row_cells(row, short_date) for row in rows]
        content.has_own_words = bool(own_words)
        content.table_notes = [context["trend_rule"] + " " * 60 + context["pro_ctcae_source"]]
    if "timeline" in shown:
        rated = [row for row in rows if row.worst is not None][: queries.TIMELINE_MAX_ROWS]
        if rated:
            content.timeline = [len(label_lines(row.name)) for row in rated]
            unrated = ", ".join(row.name for row in rows if row.worst is None)
            content.timeline_notes = ["A gap means nothing was logged. " * 3 + unrated]
    if "questions" in shown:
        content.questions = [question.text for question in context["questions"]]
    if "notes" in shown:
        content.notes = [
            f"{entry.occurred_at:%d %b}, {entry.label}: {entry.preview[:NOTE_CHARS]}"
            for entry in context["notes"]
        ]
    if "reading" in shown:
        content.reading = [
            f"{section.title} in {section.article.title}" for section in context["reading"]
        ]
    plan = printing.plan(content)
    _say_what_is_left_out(plan, context, rows)
    kept_rows = plan.keeps("table")
    for index, row in enumerate(rows):
        row.printed = index < kept_rows
    return plan


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _say_what_is_left_out(plan: printing.PrintPlan, context: dict, rows: list) -> None:
    """The print's lines saying what it leaves out and where to see it: one per part cut
    short (plan.omitted), and a list of the parts left out whole (plan.not_printed)."""
    portal = "see the summary in the portal"
    questions, notes = context.get("questions") or [], context.get("notes") or []
    totals = {
        "worsening": plan.available["worsening"] or 0,
        "others": plan.available["others"] or 0,
        "table": len(rows),
        "questions": questions[0].total if questions else 0,
        "notes": notes[0].total if notes else 0,
    }
    short = {
        "worsening": lambda n: f"{_plural(n, 'more worsening symptom')} not printed: {portal}.",
        "others": lambda n: (
            f"{n} more symptom{'s' if n != 1 else ''} needing attention not printed: {portal}."
        ),
        "table": lambda n: (
            f"{_plural(n, 'milder symptom')} not printed: all "
            f"{totals['table']} are in the summary in the portal and its CSV download."
        ),
        "questions": lambda n: (
            f"{_plural(n, 'more question')} not printed: see Questions in the portal."
        ),
        "notes": lambda n: f"{_plural(n, 'older note')} not printed: see the diary.",
    }
    for part, say in short.items():
        left_out = totals[part] - plan.keeps(part)
        if plan.keeps(part) and left_out > 0:
            plan.omitted[part] = say(left_out)
    whole = {
        "worsening": lambda: f"worsening symptoms ({totals['worsening']}, {portal})",
        "others": lambda: f"other symptoms needing attention ({totals['others']}, {portal})",
        "table": lambda: f"the symptom overview ({portal})",
        "timeline": lambda: f"the timeline ({portal})",
        "questions": lambda: (
            f"{_plural(totals['questions'], 'question')} (see Questions in the portal)"
        ),
        "notes": lambda: f"{_plural(totals['notes'], 'note')} (see the diary)",
        "reading": lambda: f"where to read more ({portal})",
    }
    plan.not_printed = [say() for part, say in whole.items() if plan.dropped(part)]


@never_cache
@require_POST
def summary_printed(request: PortalRequest) -> HttpResponse:
    """The print button reports here (via htmx) so printing is in the audit trail.

    Without JavaScript the button posts here and comes back with a hint instead, to the
    same range, sections and appointment.
    """
    record(request, "summary.print", record_type="summary")
    if is_partial(request):
        return HttpResponse(status=204)
    messages.info(
        request,
        "To print, use your browser's Print command (Ctrl and P, or Command and P on a Mac).",
    )
    appointments = Appointments.around_now(request.patient)
    form = SummaryForm(request.POST, appointments=appointments.choices())
    url = reverse("summary:summary")
    if form.is_valid():
        query = [form.cleaned_data["range"].query()] if form.cleaned_data.get("range") else []
        query += [form.choices_query()] if form.choices_query() else []
        if query:
            url += "?" + "&".join(query)
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
    summary_range = form.summary_range(Appointments.around_now(request.patient).last_start)
    record(request, "summary.export", record_type="summary")
    writer = csv.writer(_Echo())
    rows = exports.summary_csv_rows(request.patient, summary_range.start, summary_range.end)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"symptom-diary-{summary_range.start:%Y-%m-%d}-to-{summary_range.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
