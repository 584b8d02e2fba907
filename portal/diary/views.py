import re
import uuid
from datetime import date, timedelta
from itertools import groupby

from django.contrib import messages
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from education.matching import match_symptoms
from education.models import Section
from education.web import PortalRequest, is_partial
from portal import audit
from portal.caregivers.access import entered_by, logs_for_patient, record_caregiver_view
from portal.diary.forms import GRADING_FIELDS, DiaryEntryForm, DiaryFilterForm
from portal.models import DiaryEntry

PAGE_SIZE = 20
# The ids of the two entry forms a page can hold: the log form's, and an entry's edit form's
# (edit-<pk>). Each has its suggestions ("choice"), its questions ("grading") and the rest of
# the form after the words ("details").
LOG_FORM = {
    "form_id": "log",
    "auto_id": "id_%s",
    "choice_id": "log-choice",
    "grading_id": "log-grading",
    "details_id": "log-details",
    "sub_heading": "h3",
}
_EDIT_FORM_PART = re.compile(r"^(edit-\d{1,18})-(choice|grading)$")
# What the form carries back when it is shown again with other questions.
_REFILLED = (
    "own_words",
    "symptom",
    *GRADING_FIELDS,
    "when",
    "time_today",
    "other_date",
    "other_time",
    "note",
    "submission_id",
)
# Without JavaScript, what she typed waits here (never in a URL) between "Find matching
# symptoms" or a suggestion and the diary page that shows them (Post/Redirect/Get).
DRAFT_KEY = "diary_draft"


def _get_entry_for_patient(request: PortalRequest, pk: int) -> DiaryEntry:
    """The patient's own entry; anyone else's is a 404, and the attempt is audited."""
    # With its alert: "Seen by your care team" once a clinician has closed it.
    entries = DiaryEntry.objects.for_patient(request.patient).with_sections()
    entries = entries.select_related("alert")
    return audit.own_or_404(request, entries, pk, action=f"diary.{request.resolver_match.url_name}")


def _new_entry_form() -> DiaryEntryForm:
    return DiaryEntryForm(initial={"submission_id": uuid.uuid4()})


def _edit_form_ids(form_id: str, *, in_list: bool = True) -> dict:
    """An edit form's ids; in the diary's list (htmx), its headings go under the card's h4."""
    return {
        "sub_heading": "h5" if in_list else "h3",
        "form_id": form_id,
        "auto_id": f"id_{form_id}_%s",
        "choice_id": f"{form_id}-choice",
        "grading_id": f"{form_id}-grading",
        "details_id": f"{form_id}-details",
    }


def _form_ids_for(target: str) -> dict | None:
    """The form whose suggestions or questions block htmx targets: the log form's ids, an
    edit form's, or None for an id of neither."""
    if target in (LOG_FORM["choice_id"], LOG_FORM["grading_id"]):
        return LOG_FORM
    if found := _EDIT_FORM_PART.match(target):
        return _edit_form_ids(found[1])
    return None


def _typed_words(data) -> str:
    return data.get("own_words", "")[: DiaryEntry.OWN_WORDS_MAX_LENGTH].replace("\0", "")


def _refill(data) -> dict:
    initial = {name: data.get(name, "") for name in _REFILLED}
    initial["own_words"] = _typed_words(data)
    return initial


def _form_from(data, **kwargs) -> DiaryEntryForm:
    """The entry form again, unbound, holding what was posted (or kept in the draft): it
    asks the questions of the symptom chosen (or of the best match for the words), and
    checks and saves nothing."""
    initial = _refill(data)
    initial.update(kwargs.pop("initial", {}))
    form = DiaryEntryForm(initial=initial, **kwargs)
    if not form.initial.get("submission_id"):
        form.initial["submission_id"] = uuid.uuid4()
    return form


def _choice_context(form: DiaryEntryForm, ids: dict, *, searched: bool = True) -> dict:
    """The suggestions for the form's words, as buttons, and which one she chose."""
    words = str(form["own_words"].value() or "") if searched else ""
    chosen = form["symptom"].value()
    return {
        **ids,
        "form": form,
        "searched": bool(words),
        "suggestions": match_symptoms(words) if words else [],
        "chosen": str(getattr(chosen, "pk", chosen) or ""),
    }


def _draft_form(request: PortalRequest) -> dict:
    """The log form from the words kept without JavaScript, with their suggestions."""
    draft = request.session.get(DRAFT_KEY)
    # A draft belongs to the diary it was typed in: a caregiver who moves to another
    # diary (or back to her own) does not carry it there.
    if not isinstance(draft, dict) or draft.get("diary") != request.patient.pk:
        return {"form": _new_entry_form()}
    return _choice_context(_form_from(draft), LOG_FORM)


def _keep_draft(request: PortalRequest, anchor: str) -> HttpResponse:
    """Post/Redirect/Get without JavaScript: what she typed waits in her session, and the
    diary shows it; a refresh then posts nothing again."""
    draft = {name: value for name, value in _refill(request.POST).items() if value}
    request.session[DRAFT_KEY] = {**draft, "diary": request.patient.pk}
    response = redirect(f"{reverse('diary:entry_list')}#{anchor}")
    response.status_code = 303
    return response


def _diary_page(request: PortalRequest, filter_form: DiaryFilterForm, cursor: str = "") -> dict:
    entries = filter_form.filter(DiaryEntry.objects.for_patient(request.patient))
    entries = entries.newest_first().with_sections().select_related("alert")
    page = list(entries.before(cursor)[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return {
        "days": _by_day(page),
        "is_continuation": bool(cursor),
        "shown": len(page),
        "next_cursor": page[-1].cursor if has_more else "",
        "filter_form": filter_form,
    }


def _by_day(entries: list[DiaryEntry]) -> list[tuple[date, list[DiaryEntry]]]:
    return [
        (day, list(day_entries))
        for day, day_entries in groupby(
            entries, key=lambda entry: timezone.localdate(entry.occurred_at)
        )
    ]


def _diary_context(request: PortalRequest, **extra) -> dict:
    """Everything the diary page shows; extra replaces the form or the first page."""
    context = {**LOG_FORM, **extra}
    if "form" not in context:
        context.update(_draft_form(request))
    if "days" not in context:
        context.update(_diary_page(request, DiaryFilterForm.from_url(request.GET)))
    return context


def _history_place(request: PortalRequest, entry: DiaryEntry) -> dict:
    """Where the new entry's card goes in the history the page shows, unfiltered: at the
    top, in its place among the first page's entries (its day's list, or a new day), or,
    older than a full first page, nowhere (the saved panel says which day it is under)."""
    if request.POST.get("history_filtered"):
        return {"place": "filtered"}
    shown = list(
        DiaryEntry.objects.for_patient(request.patient)
        .newest_first()
        .exclude(pk=entry.pk)
        .only("pk", "occurred_at")[:PAGE_SIZE]
    )
    day = timezone.localdate(entry.occurred_at)
    if not shown:
        return {"place": "list", "day": day}
    newer = [e for e in shown if (e.occurred_at, e.pk) > (entry.occurred_at, entry.pk)]
    if len(newer) == PAGE_SIZE:
        return {"place": "elsewhere", "day": day}
    same_day = [e for e in shown if timezone.localdate(e.occurred_at) == day]
    if newer_that_day := [e for e in newer if timezone.localdate(e.occurred_at) == day]:
        return {"place": "afterend", "target": f"entry-{newer_that_day[-1].pk}", "day": day}
    if same_day:
        return {"place": "afterbegin", "target": f"day-{day:%Y-%m-%d}-entries", "day": day}
    if newer:
        newer_day = timezone.localdate(newer[-1].occurred_at)
        return {"place": "new-day", "swap": f"afterend:#day-{newer_day:%Y-%m-%d}", "day": day}
    return {"place": "new-day", "swap": "afterbegin:#entry-list", "day": day}


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def entry_list(request: PortalRequest) -> HttpResponse:
    """The diary. The dates and "needs attention" filter are kept in the URL; a symptom or
    a part of the body is health data, so it travels in a POST body and is never pushed
    to the URL (it holds until the page is reloaded). "Show earlier entries" posts its
    cursor too."""
    if request.method == "GET":
        record_caregiver_view(request, "diary.view", record_type="diary")
        return render(request, "portal/diary/diary.html", _diary_context(request))
    filter_form = DiaryFilterForm(request.POST)
    cursor = request.POST.get("before", "")
    page = _diary_page(request, filter_form, cursor)
    if is_partial(request):
        if cursor:
            return render(request, "portal/diary/diary.html#entry-page", page)
        response = render(request, "portal/diary/diary.html#history", page)
        return push_url(response, filter_form.url())
    if not cursor and filter_form.is_valid() and not filter_form.has_private_filter:
        return redirect(filter_form.url())  # nothing private: the URL can keep it
    return render(request, "portal/diary/diary.html", _diary_context(request, **page))


@require_POST
@vary_on_headers("HX-Request")
@never_cache
def symptom_suggestions(request: PortalRequest) -> HttpResponse:
    """Symptoms matching the typed words, as buttons, for htmx to swap in (with the
    questions of the best match, unless she chose a symptom); without JS, kept in the
    session for the diary page to show (Post/Redirect/Get)."""
    ids = _form_ids_for(request.htmx.target or "") if is_partial(request) else None
    if ids is None:
        return _keep_draft(request, LOG_FORM["choice_id"])
    # Nothing chosen: the questions are the best match's, and the choice stays empty.
    form = _form_from(request.POST, auto_id=ids["auto_id"])
    context = _choice_context(form, ids)
    # The log form's questions come with the rest of the form the first time; an edit form
    # has them from the start.
    context["details_oob"] = ids is LOG_FORM and "questions_shown" not in request.POST
    return render(request, "portal/diary/diary.html#choice-reply", context)


@require_POST
@vary_on_headers("HX-Request")
@never_cache
def entry_grading(request: PortalRequest) -> HttpResponse:
    """A suggestion chosen (its button's name="symptom"): its questions, for htmx to swap
    in with the suggestions showing the choice; without JS, kept in the session for the
    diary page to show (Post/Redirect/Get)."""
    ids = _form_ids_for(request.htmx.target or "") if is_partial(request) else None
    if ids is None:
        return _keep_draft(request, LOG_FORM["details_id"])
    form = _form_from(request.POST, auto_id=ids["auto_id"])
    context = {**_choice_context(form, ids), "announce_grading": True}
    context["details_oob"] = ids is LOG_FORM and "questions_shown" not in request.POST
    return render(request, "portal/diary/diary.html#choice-reply", context)


@require_POST
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def entry_create(request: PortalRequest) -> HttpResponse:
    form = DiaryEntryForm(request.POST)
    if not form.is_valid():
        context = _choice_context(form, LOG_FORM)
        if is_partial(request):
            # htmx does not swap a 4xx response, so the errors come back as a 200.
            return render(request, "portal/diary/diary.html#log-panel", context)
        return render(
            request, "portal/diary/diary.html", _diary_context(request, **context), status=400
        )
    new_entry = form.save(commit=False)
    new_entry.patient = request.patient
    new_entry.entered_by = entered_by(request)
    new_entry.submission_id = form.cleaned_data["submission_id"]
    notice = new_entry.record_notice()
    entry, created = DiaryEntry.objects.create_once(
        new_entry, on_create=lambda entry: audit.record(request, "diary.entry_create", target=entry)
    )
    request.session.pop(DRAFT_KEY, None)
    if not is_partial(request):
        messages.success(request, "Saved in your diary.")
        return redirect(entry.get_absolute_url())
    # Its symptom, alert and who entered it are on the instance already: only the sections.
    prefetch_related_objects([entry], "symptom__symptom_sections__section__article")
    if not created:  # a retried post: what the first one saved
        notice = entry.care_notice()
    # The reply: the saved panel and a fresh form, and, out of band, the new entry's card
    # in its place in the history and the announcements; not the history again.
    context = {
        **LOG_FORM,
        "form": _new_entry_form(),
        "saved_entry": entry,
        "notice": notice,
        # A retried post: the first reply may have put the card in already, so it is only
        # replaced where it is (never a second card with the same id).
        "history_place": _history_place(request, entry) if created else {"place": "again"},
    }
    return render(request, "portal/diary/diary.html#created", context)


@require_GET
@vary_on_headers("HX-Request")
@never_cache
def entry_detail(request: PortalRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_patient(request, pk)
    record_caregiver_view(request, "diary.entry_view", target=entry)
    if is_partial(request):
        return render(request, "portal/diary/diary.html#entry", {"entry": entry, "focus": True})
    return render(
        request, "portal/diary/entry_detail.html", {"entry": entry, "notice": entry.care_notice()}
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def entry_edit(request: PortalRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_patient(request, pk)
    ids = _edit_form_ids(f"edit-{entry.pk}", in_list=is_partial(request))
    status = 200
    searched = False
    if request.method == "GET":
        form = DiaryEntryForm(instance=entry, auto_id=ids["auto_id"])
    elif "show_questions" in request.GET or "show_questions" in request.POST:
        # Without JS: "Find matching symptoms" or a suggestion, shown again; nothing saved.
        form = _form_from(request.POST, instance=entry, auto_id=ids["auto_id"])
        searched = True
    else:
        form = DiaryEntryForm(request.POST, instance=entry, auto_id=ids["auto_id"])
        if form.is_valid():
            with transaction.atomic():
                entry = form.save(commit=False)
                entry.entered_by = entered_by(request)
                notice = entry.record_notice()
                entry.save()
                audit.record(request, "diary.entry_edit", target=entry)
            if not is_partial(request):
                messages.success(request, "Your changes are saved.")
                return redirect(entry.get_absolute_url())
            entry = _get_entry_for_patient(request, entry.pk)
            context = {
                "entry": entry,
                "focus": True,
                "announce": "Your changes are saved.",
                "card_notice": notice,
            }
            return render(request, "portal/diary/diary.html#entry", context)
        status = 200 if is_partial(request) else 400
    context = {"entry": entry, **_choice_context(form, ids, searched=searched)}
    template = "portal/diary/entry_edit.html"
    if is_partial(request):
        template += "#edit-form"
    return render(request, template, context, status=status)


@require_POST
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def entry_unmatch(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Not this": the entry keeps her own words and no longer names the matched symptom."""
    entry = _get_entry_for_patient(request, pk)
    notice = None
    if entry.symptom_id and entry.own_words:
        with transaction.atomic():
            entry.symptom = None
            entry.entered_by = entered_by(request)
            notice = entry.record_notice()  # without the symptom, its rules no longer apply
            entry.save(
                update_fields=[
                    "symptom",
                    "entered_by",
                    "notice_level",
                    "red_flag",
                    "rose",
                    "updated_at",
                ]
            )
            audit.record(request, "diary.entry_unmatch", target=entry)
    else:
        notice = entry.care_notice()
    message = "The entry keeps your own words, with no symptom."
    if not is_partial(request):
        messages.success(request, message)
        return redirect(entry.get_absolute_url())
    context = {"saved_entry": entry, "notice": notice, "announce": message}
    return render(request, "portal/diary/diary.html#unmatched", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def entry_delete(request: PortalRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_patient(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, "diary.entry_delete", target=entry)
            deleted_pk = entry.pk
            entry.delete()
        if is_partial(request):
            return render(
                request, "portal/diary/entry_delete.html#deleted", {"deleted_pk": deleted_pk}
            )
        messages.success(request, "The entry is deleted.")
        return redirect("diary:entry_list")
    template = "portal/diary/entry_delete.html"
    if is_partial(request):
        template += "#confirm"
    return render(request, template, {"entry": entry})


@require_GET
@vary_on_headers("HX-Request")
@never_cache
def section_activity(request: PortalRequest, pk: int) -> HttpResponse:
    """How often the patient logged a section's symptoms lately (lazy-loaded on Learn pages)."""
    section = get_object_or_404(Section.objects.published().select_related("article"), pk=pk)
    days = 30
    counts = list(
        DiaryEntry.objects.for_patient(request.patient)
        .since(timezone.now() - timedelta(days=days))
        .times_per_symptom(section)
    )
    context = {"section": section, "counts": counts, "days": days}
    template = "portal/diary/section_activity.html"
    if is_partial(request):
        template += "#activity"
    return render(request, template, context)
