import re
import uuid
from datetime import date, timedelta
from itertools import groupby

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from education.matching import match_symptoms
from education.models import Section
from education.web import PortalRequest, is_partial
from portal import audit
from portal.caregivers.access import entered_by, logs_for_patient, record_caregiver_view
from portal.diary.forms import GRADING_FIELDS, DiaryEntryForm, DiaryFilterForm
from portal.models import DiaryEntry

PAGE_SIZE = 20
_LISTBOX_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
# The ids of the two entry forms a page can hold: the log form's, and an entry's edit form's
# (edit-<pk>). Each has its suggestions listbox and its questions ("grading") block.
LOG_FORM = {"auto_id": "id_%s", "listbox_id": "symptom-suggestions", "grading_id": "log-grading"}
_EDIT_FORM_PART = re.compile(r"^(edit-\d{1,18})-(list|grading)$")
# What the form carries back when it is shown again with other questions.
_REFILLED = ("own_words", "symptom", *GRADING_FIELDS, "occurred_at", "note", "submission_id")


def _get_entry_for_patient(request: PortalRequest, pk: int) -> DiaryEntry:
    """The patient's own entry; anyone else's is a 404, and the attempt is audited."""
    # With its alert: "Seen by your care team" once a clinician has closed it.
    entries = DiaryEntry.objects.for_patient(request.patient).with_sections()
    entries = entries.select_related("alert")
    return audit.own_or_404(request, entries, pk, action=f"diary.{request.resolver_match.url_name}")


def _new_entry_form() -> DiaryEntryForm:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return DiaryEntryForm(initial={"occurred_at": now, "submission_id": uuid.uuid4()})


def _edit_form_ids(form_id: str) -> dict:
    return {
        "form_id": form_id,
        "auto_id": f"id_{form_id}_%s",
        "listbox_id": f"{form_id}-list",
        "grading_id": f"{form_id}-grading",
    }


def _form_ids_for(target: str) -> dict | None:
    """The form whose listbox or questions block htmx targets: the log form's ids, an edit
    form's, or None for an id of neither."""
    if target in (LOG_FORM["listbox_id"], LOG_FORM["grading_id"]):
        return LOG_FORM
    if found := _EDIT_FORM_PART.match(target):
        return _edit_form_ids(found[1])
    return None


def _typed_words(request: PortalRequest) -> str:
    return request.POST.get("own_words", "")[: DiaryEntry.OWN_WORDS_MAX_LENGTH].replace("\0", "")


def _form_from_post(request: PortalRequest, **kwargs) -> DiaryEntryForm:
    """The entry form again, unbound, holding what was posted: it asks the questions of the
    symptom chosen (or of the best match for the words), and checks and saves nothing."""
    initial = {name: request.POST.get(name, "") for name in _REFILLED}
    initial["own_words"] = _typed_words(request)
    initial.update(kwargs.pop("initial", {}))
    form = DiaryEntryForm(initial=initial, **kwargs)
    if not form.initial.get("submission_id"):
        form.initial["submission_id"] = uuid.uuid4()
    return form


def _diary_page(request: PortalRequest, filter_form: DiaryFilterForm, cursor: str = "") -> dict:
    entries = filter_form.filter(DiaryEntry.objects.for_patient(request.patient))
    entries = entries.newest_first().with_sections().select_related("alert")
    page = list(entries.before(cursor)[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    days: list[tuple[date, list[DiaryEntry]]] = [
        (day, list(day_entries))
        for day, day_entries in groupby(
            page, key=lambda entry: timezone.localdate(entry.occurred_at)
        )
    ]
    return {
        "days": days,
        "is_continuation": bool(cursor),
        "shown": len(page),
        "next_cursor": page[-1].cursor if has_more else "",
        "filter_form": filter_form,
    }


def _diary_context(request: PortalRequest, **extra) -> dict:
    """Everything the diary page shows; extra replaces the fresh form or the first page."""
    context = {**LOG_FORM, **extra}
    if "form" not in context:
        context["form"] = _new_entry_form()
    if "days" not in context:
        context.update(_diary_page(request, DiaryFilterForm()))
    return context


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def entry_list(request: PortalRequest) -> HttpResponse:
    """The diary. POST carries filters and the "show earlier entries" cursor in the body."""
    if request.method == "GET":
        record_caregiver_view(request, "diary.view", record_type="diary")
        return render(request, "portal/diary/diary.html", _diary_context(request))
    filter_form = DiaryFilterForm(request.POST)
    cursor = request.POST.get("before", "")
    page = _diary_page(request, filter_form, cursor)
    if is_partial(request):
        partial = "entry-page" if cursor else "history"
        return render(request, f"portal/diary/diary.html#{partial}", page)
    return render(request, "portal/diary/diary.html", _diary_context(request, **page))


@require_POST
@vary_on_headers("HX-Request")
@never_cache
def symptom_suggestions(request: PortalRequest) -> HttpResponse:
    """Symptoms matching the typed words: a listbox for htmx (and the questions of the best
    match, unless she chose a symptom), the diary page without JS."""
    text = _typed_words(request)
    suggestions = match_symptoms(text)
    best = {"symptom": suggestions[0]} if suggestions and not request.POST.get("symptom") else {}
    if is_partial(request):
        listbox_id = request.htmx.target or ""
        if not _LISTBOX_ID.match(listbox_id):
            listbox_id = "symptom-suggestions"
        context = {"suggestions": suggestions, "listbox_id": listbox_id, "searched": bool(text)}
        if ids := _form_ids_for(listbox_id):
            form = _form_from_post(request, initial=best, auto_id=ids["auto_id"])
            context.update(form=form, grading_id=ids["grading_id"], grading_oob=True)
        return render(request, "portal/diary/diary.html#suggestions", context)
    # Without JavaScript: the same form again, with the best match chosen in the list.
    best = {"symptom": suggestions[0] if suggestions else None}
    form = _form_from_post(request, initial=best)
    return render(
        request,
        "portal/diary/diary.html",
        _diary_context(request, form=form, suggestions=suggestions, searched=True),
    )


@require_POST
@vary_on_headers("HX-Request")
@never_cache
def entry_grading(request: PortalRequest) -> HttpResponse:
    """The questions of the symptom chosen (its id in the body), for htmx to swap in when the
    choice changes; without JS, the diary page with the log form asking them."""
    ids = _form_ids_for(request.htmx.target or "") if is_partial(request) else None
    if ids is None:
        form = _form_from_post(request)
        return render(request, "portal/diary/diary.html", _diary_context(request, form=form))
    form = _form_from_post(request, auto_id=ids["auto_id"])
    context = {"form": form, "grading_id": ids["grading_id"], "announce_grading": True}
    return render(request, "portal/diary/diary.html#grading", context)


@require_POST
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def entry_create(request: PortalRequest) -> HttpResponse:
    if "show_questions" in request.POST:
        # "Show its questions" (the no-JS way to follow a change of symptom): nothing saved.
        form = _form_from_post(request)
        if is_partial(request):
            return render(request, "portal/diary/diary.html#log-panel", {**LOG_FORM, "form": form})
        return render(request, "portal/diary/diary.html", _diary_context(request, form=form))
    form = DiaryEntryForm(request.POST)
    if not form.is_valid():
        if is_partial(request):
            # htmx does not swap a 4xx response, so the errors come back as a 200.
            return render(request, "portal/diary/diary.html#log-panel", {**LOG_FORM, "form": form})
        return render(
            request, "portal/diary/diary.html", _diary_context(request, form=form), status=400
        )
    new_entry = form.save(commit=False)
    new_entry.patient = request.patient
    new_entry.entered_by = entered_by(request)
    new_entry.submission_id = form.cleaned_data["submission_id"]
    notice = new_entry.record_notice()
    entry, created = DiaryEntry.objects.create_once(
        new_entry, on_create=lambda entry: audit.record(request, "diary.entry_create", target=entry)
    )
    if not is_partial(request):
        messages.success(request, "Saved in your diary.")
        return redirect(entry.get_absolute_url())
    entry = _get_entry_for_patient(request, entry.pk)
    if not created:  # a retried post: what the first one saved
        notice = entry.care_notice()
    context = _diary_context(request, saved_entry=entry, notice=notice)
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
    ids = _edit_form_ids(f"edit-{entry.pk}")
    status = 200
    if request.method == "GET":
        form = DiaryEntryForm(instance=entry, auto_id=ids["auto_id"])
    elif "show_questions" in request.POST:
        form = _form_from_post(request, instance=entry, auto_id=ids["auto_id"])
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
    context = {"entry": entry, "form": form, **ids}
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
