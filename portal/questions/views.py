"""Questions for my care team: a short list the patient takes to the appointment."""

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from education.models import Section
from education.web import PortalRequest, id_param, is_partial
from portal import records
from portal.audit import own_or_404, record
from portal.caregivers.access import logs_for_patient, record_caregiver_view
from portal.models import DiaryEntry, Question
from portal.questions.forms import QuestionEditForm, QuestionForm

LIST_TEMPLATE = "portal/questions/question_list.html"
LIST_URL = "questions:question_list"
LIST_TITLE = "Questions for my care team"


def _patient_questions(request: PortalRequest) -> QuerySet[Question]:
    """The patient's own questions, with what each is about in the same query."""
    return Question.objects.for_patient(request.patient).select_related(
        "entry__symptom", "section__article", "entered_by"
    )


def _get_question_for_patient(request: PortalRequest, pk: int) -> Question:
    """The patient's own question; anyone else's is a 404, and the attempt is audited."""
    return own_or_404(request, _patient_questions(request), pk, action="question.access")


def _initial_links(request: PortalRequest) -> dict:
    """`?entry=<pk>` or `?section=<id>`: ids only; another patient's entry is a 404."""
    initial = {}
    entry_param = request.GET.get("entry", "")
    if entry_param:
        # A malformed id is None: the audit trail gets a well-formed id or "", never what
        # was typed.
        entries = DiaryEntry.objects.for_patient(request.patient)
        initial["entry"] = own_or_404(
            request, entries, id_param(entry_param), action="diaryentry.access"
        )
    section_param = request.GET.get("section", "")
    if section_param:
        section = Section.objects.published().filter(pk=id_param(section_param)).first()
        if section is None:
            raise Http404("No such section.")
        initial["section"] = section
    return initial


def _list_page(
    request: PortalRequest, form: QuestionForm, status: int = 200, announcement: str = ""
) -> HttpResponse:
    template = LIST_TEMPLATE + "#question-panel" if is_partial(request) else LIST_TEMPLATE
    context = {
        "form": form,
        "questions": list(_patient_questions(request)),
        "announcement": announcement,
    }
    return render(request, template, context, status=status)


@never_cache
@require_GET
@vary_on_headers("HX-Request")
def question_list(request: PortalRequest) -> HttpResponse:
    record_caregiver_view(request, "question.view", record_type="questions")
    return _list_page(request, QuestionForm(patient=request.patient))


@never_cache
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@logs_for_patient
def question_create(request: PortalRequest) -> HttpResponse:
    if request.method == "GET":
        form = QuestionForm(patient=request.patient, initial=_initial_links(request))
        return _add_page(request, form, **form.initial)
    form = QuestionForm(request.POST, patient=request.patient)
    if form.is_valid():
        records.save(request, form, action="question.create")
        if is_partial(request):
            return _list_page(request, QuestionForm(patient=request.patient), announcement="Added.")
        messages.success(request, "Question added.")
        return redirect(LIST_URL)
    if is_partial(request):
        # htmx does not swap 4xx responses: the form comes back with its errors as a 200.
        return _list_page(request, form)
    about = {"entry": form.cleaned_data.get("entry"), "section": form.cleaned_data.get("section")}
    return _add_page(request, form, status=400, **about)


def _add_page(
    request: PortalRequest, form: QuestionForm, status: int = 200, **about
) -> HttpResponse:
    """The add page without JavaScript; `about` is the entry or section it starts from."""
    context = {
        "form": form,
        "list_url": LIST_URL,
        "title": "Add a question",
        "list_title": LIST_TITLE,
        "submit_label": "Add question",
        **about,
    }
    return render(request, "portal/questions/question_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def question_edit(request: PortalRequest, pk: int) -> HttpResponse:
    question = _get_question_for_patient(request, pk)
    return records.form_page(
        request,
        QuestionEditForm(request.POST or None, instance=question),
        action="question.edit",
        done="Question updated.",
        list_url=LIST_URL,
        context={
            "question": question,
            "title": "Edit question",
            "list_title": LIST_TITLE,
            "submit_label": "Save question",
        },
        template="portal/questions/question_edit.html",
    )


@never_cache
@require_POST
@vary_on_headers("HX-Request")
@logs_for_patient
def question_asked(request: PortalRequest, pk: int) -> HttpResponse:
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
    return redirect(reverse(LIST_URL) + f"#question-{question.pk}")


def _asked_announcement(question: Question) -> str:
    return "Marked as asked." if question.asked else "Marked as not asked yet."


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def question_delete(request: PortalRequest, pk: int) -> HttpResponse:
    return records.delete_page(
        request,
        _get_question_for_patient(request, pk),
        action="question.delete",
        done="Question deleted.",
        list_url=LIST_URL,
        template="portal/questions/question_delete.html",
    )
