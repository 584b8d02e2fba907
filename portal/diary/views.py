import re
import uuid
from datetime import UTC, date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from education.matching import match_symptoms
from education.models import Section
from education.web import is_partial
from portal import audit
from portal.diary.forms import DiaryEntryForm, DiaryFilterForm
from portal.models import DiaryEntry

PAGE_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Microseconds since 1970 (17 digits reach past the year 5000) and a 64-bit primary key.
_CURSOR = re.compile(r"^(\d{1,17})-(\d{1,18})$")
_LISTBOX_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


class PortalRequest(HttpRequest):
    user: AbstractBaseUser
    htmx: HtmxDetails


def _get_entry_for_patient(request: PortalRequest, pk: int) -> DiaryEntry:
    """The patient's own entry; anyone else's is a 404, and the attempt is audited."""
    entries = DiaryEntry.objects.for_patient(request.user).with_sections()
    return audit.own_or_404(request, entries, pk, action=f"diary.{request.resolver_match.url_name}")


def _new_entry_form() -> DiaryEntryForm:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return DiaryEntryForm(initial={"occurred_at": now, "submission_id": uuid.uuid4()})


def _cursor_for(entry: DiaryEntry) -> str:
    return f"{(entry.occurred_at - _EPOCH) // timedelta(microseconds=1)}-{entry.pk}"


def _entries_before(entries, cursor: str):
    """Keyset pagination: the cost of a page does not grow with the diary."""
    found = _CURSOR.match(cursor or "")
    if not found:
        return entries
    moment = _EPOCH + timedelta(microseconds=int(found[1]))
    pk = int(found[2])
    return entries.filter(Q(occurred_at__lt=moment) | Q(occurred_at=moment, pk__lt=pk))


def _url_for_pk(name: str):
    """reverse() once; the returned function fills in a pk (a page has ~80 entry links)."""
    head, sep, tail = reverse(name, args=[0]).rpartition("/0/")
    assert sep, name
    return lambda pk: f"{head}/{pk}/{tail}"


def _prepare_cards(entries: list[DiaryEntry]) -> list[dict]:
    """What the entry card shows, worked out once per page rather than in the template
    for every entry: its links, formatted times, severity word and first section.

    Plain dicts: the template finds a dict's keys at its first try, while a model's
    attributes cost it a failed subscript each (about 30 per card).
    """
    edit_url = _url_for_pk("diary:entry_edit")
    delete_url = _url_for_pk("diary:entry_delete")
    ask_url = reverse("questions:question_create") + "?entry="
    section_urls: dict[int, str] = {}
    # Day and month names once per day shown ("Monday 3 March", "3 March").
    day_names: dict[date, tuple[str, str]] = {}
    cards = []
    for entry in entries:
        when = timezone.localtime(entry.occurred_at)
        day = when.date()
        if day not in day_names:
            day_names[day] = (dateformat.format(day, "l j F"), dateformat.format(day, "j F"))
        long_day, short_day = day_names[day]
        label = entry.label
        section = entry.symptom.main_section if entry.symptom_id else None
        if section is not None and section.pk not in section_urls:
            section_urls[section.pk] = section.get_absolute_url()
        cards.append(
            {
                "pk": entry.pk,
                "day": day,
                "label": label,
                "severity": entry.severity,
                "severity_word": entry.get_severity_display(),
                "iso": when.isoformat(),
                "when": f"{long_day}, {when:%H:%M}",  # the date filter's "l j F, H:i"
                # Names the entry for screen readers after "Edit", "Delete" and "Ask".
                "about": f"{label}, {short_day} {when:%H:%M}",
                "own_words": entry.own_words if entry.symptom_id else "",
                "note": entry.note,
                "section_title": section.title if section else "",
                "section_url": section_urls[section.pk] if section else "",
                "edit_url": edit_url(entry.pk),
                "delete_url": delete_url(entry.pk),
                "ask_url": f"{ask_url}{entry.pk}",
            }
        )
    return cards


def _diary_page(request: PortalRequest, filter_form: DiaryFilterForm, cursor: str = "") -> dict:
    entries = filter_form.filter(DiaryEntry.objects.for_patient(request.user))
    entries = _entries_before(entries.newest_first().with_sections(), cursor)
    page = list(entries[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    days: list[tuple[date, list[dict]]] = []
    for card in _prepare_cards(page):
        if days and days[-1][0] == card["day"]:
            days[-1][1].append(card)
        else:
            days.append((card["day"], [card]))
    return {
        "days": days,
        "is_continuation": bool(cursor),
        "shown": len(page),
        "next_cursor": _cursor_for(page[-1]) if has_more else "",
        "filter_form": filter_form,
    }


def _diary_context(request: PortalRequest, **extra) -> dict:
    """Everything the diary page shows; extra replaces the fresh form or the first page."""
    context = {"listbox_id": "symptom-suggestions", **extra}
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
    """Symptoms matching the typed words: a listbox for htmx, the diary page without JS."""
    text = request.POST.get("own_words", "")[: DiaryEntry.OWN_WORDS_MAX_LENGTH].replace("\0", "")
    suggestions = match_symptoms(text)
    if is_partial(request):
        listbox_id = request.htmx.target or ""
        if not _LISTBOX_ID.match(listbox_id):
            listbox_id = "symptom-suggestions"
        return render(
            request,
            "portal/diary/diary.html#suggestions",
            {"suggestions": suggestions, "listbox_id": listbox_id, "searched": bool(text)},
        )
    # Without JavaScript: the same form again, with the best match chosen in the list.
    initial = {
        name: request.POST.get(name, "")
        for name in ("own_words", "severity", "occurred_at", "note", "submission_id")
    }
    initial["own_words"] = text
    initial["symptom"] = suggestions[0].pk if suggestions else None
    form = DiaryEntryForm(initial=initial)
    if not form.initial.get("submission_id"):
        form.initial["submission_id"] = uuid.uuid4()
    return render(
        request,
        "portal/diary/diary.html",
        _diary_context(request, form=form, suggestions=suggestions, searched=True),
    )


def _save_new_entry(request: PortalRequest, form: DiaryEntryForm) -> DiaryEntry:
    """Saves the entry and its audit row together, or returns the one a retry already saved."""
    submission_id = form.cleaned_data.get("submission_id")
    mine = DiaryEntry.objects.for_patient(request.user)
    if submission_id and (existing := mine.filter(submission_id=submission_id).first()):
        return existing
    entry = form.save(commit=False)
    entry.patient = request.user
    entry.submission_id = submission_id
    try:
        with transaction.atomic():
            entry.save()
            audit.record(request, "diary.entry_create", target=entry)
    except IntegrityError:
        # Two copies of one submission raced; the other one won.
        existing = mine.filter(submission_id=submission_id).first() if submission_id else None
        if existing is None:
            raise
        return existing
    return entry


@require_POST
@vary_on_headers("HX-Request")
@never_cache
def entry_create(request: PortalRequest) -> HttpResponse:
    form = DiaryEntryForm(request.POST)
    if not form.is_valid():
        if is_partial(request):
            # htmx does not swap a 4xx response, so the errors come back as a 200.
            return render(
                request,
                "portal/diary/diary.html#log-panel",
                {"form": form, "listbox_id": "symptom-suggestions"},
            )
        return render(
            request, "portal/diary/diary.html", _diary_context(request, form=form), status=400
        )
    entry = _save_new_entry(request, form)
    if not is_partial(request):
        messages.success(request, "Saved in your diary.")
        return redirect(entry.get_absolute_url())
    entry = DiaryEntry.objects.for_patient(request.user).with_sections().get(pk=entry.pk)
    context = _diary_context(request, saved_entry=entry, notice=entry.care_notice())
    return render(request, "portal/diary/diary.html#created", context)


@require_GET
@vary_on_headers("HX-Request")
@never_cache
def entry_detail(request: PortalRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_patient(request, pk)
    if is_partial(request):
        card = _prepare_cards([entry])[0]
        return render(request, "portal/diary/diary.html#entry", {"card": card, "focus": True})
    return render(
        request, "portal/diary/entry_detail.html", {"entry": entry, "notice": entry.care_notice()}
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def entry_edit(request: PortalRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_patient(request, pk)
    form_id = f"edit-{entry.pk}"
    if request.method == "POST":
        form = DiaryEntryForm(request.POST, instance=entry, auto_id=f"id_{form_id}_%s")
        if form.is_valid():
            with transaction.atomic():
                entry = form.save()
                audit.record(request, "diary.entry_edit", target=entry)
            if not is_partial(request):
                messages.success(request, "Your changes are saved.")
                return redirect(entry.get_absolute_url())
            entry = DiaryEntry.objects.for_patient(request.user).with_sections().get(pk=entry.pk)
            context = {
                "card": _prepare_cards([entry])[0],
                "focus": True,
                "announce": "Your changes are saved.",
                "card_notice": entry.care_notice(),
            }
            return render(request, "portal/diary/diary.html#entry", context)
        status = 200 if is_partial(request) else 400
    else:
        form = DiaryEntryForm(instance=entry, auto_id=f"id_{form_id}_%s")
        status = 200
    context = {"entry": entry, "form": form, "form_id": form_id, "listbox_id": f"{form_id}-list"}
    template = "portal/diary/entry_edit.html"
    if is_partial(request):
        template += "#edit-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
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
        DiaryEntry.objects.for_patient(request.user)
        .since(timezone.now() - timedelta(days=days))
        .filter(symptom__symptom_sections__section=section)
        .values("symptom__name")
        .annotate(times=Count("pk"))
        .order_by("-times", "symptom__name")
    )
    context = {"section": section, "counts": counts, "days": days}
    template = "portal/diary/section_activity.html"
    if is_partial(request):
        template += "#activity"
    return render(request, template, context)
