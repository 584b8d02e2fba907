"""Questions for my care team: a short list the patient takes to the appointment."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from education.models import Section
from education.web import is_partial
from portal.audit import own_or_404, record
from portal.models import AuditEvent, DiaryEntry, Question
from portal.questions.forms import QuestionEditForm, QuestionForm

LIST_TEMPLATE = "portal/questions/question_list.html"


def _get_question_for_patient(request: HttpRequest, pk: int) -> Question:
    """The patient's own question; anyone else's is a 404, and the attempt is audited."""
    questions = Question.objects.for_patient(request.user).select_related(
        "entry__symptom", "section__article"
    )
    return own_or_404(request, questions, pk, action="question.access")


def _record_denied(request: HttpRequest, record_type: str, pk) -> None:
    record(
        request,
        f"{record_type.rsplit('.', 1)[-1]}.access",
        record_type=record_type,
        record_id=str(pk)[:64],
        outcome=AuditEvent.Outcome.DENIED,
    )


def _id_param(value: str) -> int | None:
    """A record id from the query string, or None for anything else ("²", NUL, 5000 digits)."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _initial_links(request: HttpRequest) -> dict:
    """`?entry=<pk>` or `?section=<id>`: ids only; another patient's entry is a 404."""
    initial = {}
    entry_param = request.GET.get("entry", "")
    if entry_param:
        entry_id = _id_param(entry_param)
        entry = DiaryEntry.objects.filter(pk=entry_id, patient=request.user).first()
        if entry is None:
            # Only a well-formed id goes into the audit trail, never what was typed.
            _record_denied(request, "portal.diaryentry", entry_id or "")
            raise Http404("No such diary entry.")
        initial["entry"] = entry
    section_param = request.GET.get("section", "")
    if section_param:
        section = Section.objects.published().filter(pk=_id_param(section_param)).first()
        if section is None:
            raise Http404("No such section.")
        initial["section"] = section
    return initial


def _questions(request: HttpRequest) -> list[Question]:
    return list(
        Question.objects.for_patient(request.user).select_related(
            "entry__symptom", "section__article"
        )
    )


def _list_page(
    request: HttpRequest, form: QuestionForm, status: int = 200, announcement: str = ""
) -> HttpResponse:
    template = LIST_TEMPLATE + "#question-panel" if is_partial(request) else LIST_TEMPLATE
    context = {"form": form, "questions": _questions(request), "announcement": announcement}
    return render(request, template, context, status=status)


@never_cache
@require_GET
@vary_on_headers("HX-Request")
def question_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, QuestionForm(patient=request.user))


@never_cache
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def question_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = QuestionForm(patient=request.user, initial=_initial_links(request))
        return render(
            request, "portal/questions/question_form.html", {"form": form, **form.initial}
        )
    form = QuestionForm(request.POST, patient=request.user)
    if form.is_valid():
        question = form.save(commit=False)
        question.patient = request.user
        with transaction.atomic():
            question.save()
            record(request, "question.create", target=question)
        if is_partial(request):
            return _list_page(request, QuestionForm(patient=request.user), announcement="Added.")
        messages.success(request, "Question added.")
        return redirect("questions:question_list")
    if is_partial(request):
        # htmx does not swap 4xx responses: the form comes back with its errors as a 200.
        return _list_page(request, form)
    context = {
        "form": form,
        "entry": form.cleaned_data.get("entry"),
        "section": form.cleaned_data.get("section"),
    }
    return render(request, "portal/questions/question_form.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _get_question_for_patient(request, pk)
    form = QuestionEditForm(request.POST or None, instance=question)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save()
                record(request, "question.edit", target=question)
            messages.success(request, "Question updated.")
            return redirect("questions:question_list")
        status = 400
    else:
        status = 200
    return render(
        request,
        "portal/questions/question_edit.html",
        {"form": form, "question": question},
        status=status,
    )


@never_cache
@require_POST
@vary_on_headers("HX-Request")
def question_asked(request: HttpRequest, pk: int) -> HttpResponse:
    """Sets (not toggles) the flag, so a repeated post changes nothing twice."""
    question = _get_question_for_patient(request, pk)
    question.asked = request.POST.get("asked") == "true"
    with transaction.atomic():
        question.save(update_fields=["asked", "updated_at"])
        record(request, "question.asked", target=question)
    if is_partial(request):
        return render(
            request,
            LIST_TEMPLATE + "#question",
            {"question": question, "announcement": _asked_announcement(question)},
        )
    messages.success(request, _asked_announcement(question))
    return redirect(reverse("questions:question_list") + f"#question-{question.pk}")


def _asked_announcement(question: Question) -> str:
    return "Marked as asked." if question.asked else "Marked as not asked yet."


@never_cache
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _get_question_for_patient(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            record(request, "question.delete", target=question)
            question.delete()
        messages.success(request, "Question deleted.")
        return redirect("questions:question_list")
    return render(request, "portal/questions/question_delete.html", {"question": question})
