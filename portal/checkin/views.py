"""The weekly check-in: PRO-CTCAE questions with the 7-day recall, one per screen, kept as
she goes; submitted, each answered term becomes a diary entry."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from education import pro_ctcae
from education.web import PortalRequest, is_partial
from portal import audit
from portal.caregivers.access import entered_by, logs_for_patient
from portal.checkin.forms import AnswerForm, AnythingElseForm
from portal.checkin.questions import (
    OWN_WORDS_KEY,
    CheckInQuestions,
    Question,
    active_items,
    own_words_fields,
)
from portal.models import CheckIn, DiaryEntry

# The check-in takes about 2 minutes for the default set (the goal).
MINUTES = 2
PAGE = "portal/checkin/check_in.html"
NOTHING_ANSWERED = "Answer at least one question before you send your check-in."


def _get_check_in(request: PortalRequest, pk: int) -> CheckIn:
    """Her own check-in; anyone else's is a 404, and the attempt is audited (outside any
    transaction, so the audit row stays)."""
    check_ins = CheckIn.objects.for_patient(request.patient)
    return audit.own_or_404(
        request, check_ins, pk, action=f"checkin.{request.resolver_match.url_name}"
    )


def _locked(check_in: CheckIn) -> CheckIn:
    """The check-in again, its row locked until the transaction ends (two tabs answering at
    once each keep their answer)."""
    return CheckIn.objects.select_for_update().get(pk=check_in.pk)


def _step_url(check_in: CheckIn, question: Question, *, review: bool = False) -> str:
    url = reverse("checkin:step", args=[check_in.pk, question.number])
    return f"{url}?review=1" if review else url


def _continue_url(check_in: CheckIn, questions: CheckInQuestions) -> str:
    """Where she left off: the first question not yet answered, else "Anything else?"."""
    question = questions.first_unanswered()
    if question is not None:
        return _step_url(check_in, question)
    return reverse("checkin:anything_else", args=[check_in.pk])


def _sent(request: PortalRequest, check_in: CheckIn) -> HttpResponse:
    messages.info(request, "This check-in is already sent; nothing was changed.")
    return redirect("checkin:done", check_in.pk)


def _screen(
    request: PortalRequest,
    check_in: CheckIn,
    questions: CheckInQuestions,
    screen: str,
    *,
    question: Question | None = None,
    form=None,
    review: bool = False,
    status: int = 200,
    push: bool = False,
    extra: dict | None = None,
) -> HttpResponse:
    """One screen of an open check-in: a question, "Anything else?", or the review. For htmx
    the panel alone (and, after a post, the screen's address pushed to the history)."""
    asked = questions.asked
    context = {
        "check_in": check_in,
        "questions": questions,
        "screen": screen,
        "review": review,
        "form": form,
        "asked_count": len(asked),
        "answer_source": pro_ctcae.SOURCE,
        **(extra or {}),
    }
    if screen == "step":
        previous = questions.previous_before(question.number)
        position = questions.position(question)
        context.update(
            question=question,
            position=position,
            title=f"Question {position} of {len(asked)}",
            url=_step_url(check_in, question, review=review),
        )
        if review:
            back = reverse("checkin:review", args=[check_in.pk])
        else:
            back = _step_url(check_in, previous) if previous else None
    elif screen == "anything-else":
        last = questions.previous_before(len(questions) + 1)
        back = _step_url(check_in, last) if last else None
        context.update(
            title="Anything else?", url=reverse("checkin:anything_else", args=[check_in.pk])
        )
    else:
        back = reverse("checkin:anything_else", args=[check_in.pk])
        context.update(
            terms=questions.by_term(),
            own_words_severity_word=pro_ctcae.response_word(
                pro_ctcae.Attribute.SEVERITY, _own_words_severity(check_in)
            ),
            title="Check your answers",
            url=reverse("checkin:review", args=[check_in.pk]),
        )
    # Back to the start page (a page of its own, not swapped in place) from the first screen.
    context.update(back_url=back or reverse("checkin:start"), back_in_place=back is not None)
    if is_partial(request):
        response = render(request, f"{PAGE}#panel", context, status=status)
        if push and status == 200:
            push_url(response, context["url"])
        return response
    return render(request, PAGE, context, status=status)


def _own_words_severity(check_in: CheckIn) -> int | None:
    value = check_in.answers.get(OWN_WORDS_KEY, {}).get("severity")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _save_answers(request: PortalRequest, check_in: CheckIn, change) -> CheckIn | None:
    """Applies change(check_in) to the locked row and saves it; None if it is already sent
    (another tab sent it meanwhile)."""
    with transaction.atomic():
        check_in = _locked(check_in)
        if check_in.submitted_at is not None:
            return None
        change(check_in)
        check_in.save(update_fields=["answers", "own_words"])
        audit.record(request, "checkin.answer", target=check_in)
    return check_in


@require_http_methods(["GET", "POST"])
@never_cache
@logs_for_patient
def start(request: PortalRequest) -> HttpResponse:
    """What the check-in asks and how long it takes; POST starts one, or continues hers."""
    items = list(active_items())
    check_ins = CheckIn.objects.for_patient(request.patient)
    open_check_in = check_ins.open().first()
    if request.method == "POST" and not items:
        # Nothing to ask (the clinic has chosen no items): the page says so.
        return redirect("checkin:start")
    if request.method == "POST":
        if open_check_in is None:
            try:
                with transaction.atomic():
                    open_check_in = CheckIn.objects.create(
                        patient=request.patient, entered_by=entered_by(request)
                    )
                    audit.record(request, "checkin.start", target=open_check_in)
            except IntegrityError:  # another tab started one a moment ago: continue it
                open_check_in = check_ins.open().get()
        questions = CheckInQuestions(items, open_check_in.answers)
        return redirect(_continue_url(open_check_in, questions))
    questions = CheckInQuestions(items, open_check_in.answers if open_check_in else {})
    context = {
        "items": items,
        "question_count": len(questions),
        "minutes": MINUTES,
        "answer_source": pro_ctcae.SOURCE,
        "open_check_in": open_check_in,
        "answered": len([q for q in questions.asked if questions.answer(q) is not None]),
        "last_check_in": check_ins.submitted().order_by("-submitted_at").first(),
    }
    return render(request, "portal/checkin/start.html", context)


@require_GET
@never_cache
@logs_for_patient
def resume(request: PortalRequest, pk: int) -> HttpResponse:
    """Her check-in where she left off (the start page's "Continue")."""
    check_in = _get_check_in(request, pk)
    if check_in.submitted_at is not None:
        return redirect("checkin:done", check_in.pk)
    return redirect(_continue_url(check_in, CheckInQuestions(active_items(), check_in.answers)))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def step(request: PortalRequest, pk: int, number: int) -> HttpResponse:
    """One question. POST keeps the answer and goes on to the next question asked (from the
    review, to the next one still unanswered, else back to the review)."""
    check_in = _get_check_in(request, pk)
    if check_in.submitted_at is not None:
        return _sent(request, check_in)
    items = list(active_items())
    questions = CheckInQuestions(items, check_in.answers)
    question = questions.get(number)
    if question is None:
        raise Http404("No such question in this check-in.")
    review = (request.POST if request.method == "POST" else request.GET).get("review") == "1"
    if request.method == "GET":
        if questions.is_skipped(question):
            following = questions.next_after(number)
            if following is not None:
                return redirect(_step_url(check_in, following, review=review))
            return redirect("checkin:anything_else", check_in.pk)
        form = AnswerForm(question, initial={"answer": questions.answer(question)})
        return _screen(request, check_in, questions, "step", question=question, form=form,
                       review=review)  # fmt: skip
    form = AnswerForm(question, request.POST)
    if form.is_valid() and questions.is_skipped(question):
        gate = Question(0, question.symptom, question.symptom.attributes[0])
        form.add_error(
            None,
            f"You answered “{pro_ctcae.response_word(gate.attribute, 0)}” to the first "
            f"question about {question.symptom.pro_ctcae_term.lower()}, so this one is not "
            "asked. Nothing was saved.",
        )
    if not form.is_valid():
        status = 200 if is_partial(request) else 400
        return _screen(request, check_in, questions, "step", question=question, form=form,
                       review=review, status=status)  # fmt: skip
    value = form.cleaned_data["answer"]

    def keep(locked: CheckIn) -> None:
        locked.answers = CheckInQuestions(items, locked.answers).with_answer(question, value)

    saved = _save_answers(request, check_in, keep)
    if saved is None:
        return _sent(request, check_in)
    check_in = saved
    questions = CheckInQuestions(items, check_in.answers)
    following = questions.first_unanswered() if review else questions.next_after(number)
    if following is not None:
        if not is_partial(request):
            return redirect(_step_url(check_in, following, review=review))
        form = AnswerForm(following, initial={"answer": questions.answer(following)})
        return _screen(request, check_in, questions, "step", question=following, form=form,
                       review=review, push=True)  # fmt: skip
    screen = "review" if review else "anything-else"
    if not is_partial(request):
        return redirect(f"checkin:{screen.replace('-', '_')}", check_in.pk)
    form = None if review else _anything_else_form(check_in)
    return _screen(request, check_in, questions, screen, form=form, push=True)


def _anything_else_form(check_in: CheckIn) -> AnythingElseForm:
    initial = {"own_words": check_in.own_words, "severity": _own_words_severity(check_in)}
    return AnythingElseForm(initial=initial)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def anything_else(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Anything else?" in her own words, and how bad it was; then the review."""
    check_in = _get_check_in(request, pk)
    if check_in.submitted_at is not None:
        return _sent(request, check_in)
    questions = CheckInQuestions(active_items(), check_in.answers)
    if request.method == "GET":
        form = _anything_else_form(check_in)
        return _screen(request, check_in, questions, "anything-else", form=form)
    form = AnythingElseForm(request.POST)
    if not form.is_valid():
        status = 200 if is_partial(request) else 400
        return _screen(request, check_in, questions, "anything-else", form=form, status=status)
    words, severity = form.cleaned_data["own_words"], form.cleaned_data["severity"]

    def keep(locked: CheckIn) -> None:
        locked.own_words = words
        locked.answers = {
            key: given for key, given in locked.answers.items() if key != OWN_WORDS_KEY
        }
        if words:
            locked.answers[OWN_WORDS_KEY] = {"severity": severity}

    saved = _save_answers(request, check_in, keep)
    if saved is None:
        return _sent(request, check_in)
    check_in = saved
    if not is_partial(request):
        return redirect("checkin:review", check_in.pk)
    questions = CheckInQuestions(questions.items, check_in.answers)
    return _screen(request, check_in, questions, "review", push=True)


@require_GET
@vary_on_headers("HX-Request")
@never_cache
@logs_for_patient
def review(request: PortalRequest, pk: int) -> HttpResponse:
    """Her answers, each with a way to change it, and the button that sends the check-in."""
    check_in = _get_check_in(request, pk)
    if check_in.submitted_at is not None:
        return redirect("checkin:done", check_in.pk)
    questions = CheckInQuestions(active_items(), check_in.answers)
    return _screen(request, check_in, questions, "review")


@require_POST
@never_cache
@logs_for_patient
def submit(request: PortalRequest, pk: int) -> HttpResponse:
    """Sends the check-in, in one transaction: each answered term becomes a diary entry (its
    answers, the check-in it came from, the care notice worked out as for any entry), and
    her "Anything else?" words one more, matched as the diary matches them."""
    items = list(active_items())
    check_in = _get_check_in(request, pk)
    with transaction.atomic():
        check_in = _locked(check_in)
        if check_in.submitted_at is not None:
            return _sent(request, check_in)
        questions = CheckInQuestions(items, check_in.answers)
        severity = _own_words_severity(check_in)
        words_entry = bool(check_in.own_words and severity is not None)
        answered = [(s, a) for s, _ in questions.by_term() if (a := questions.term_answers(s))]
        if not answered and not words_entry:
            return _screen(
                request, check_in, questions, "review", status=400,
                extra={"submit_error": NOTHING_ANSWERED},
            )  # fmt: skip
        now = timezone.now()
        check_in.submitted_at = now
        # Only the terms' answers stay on the check-in; the words' answer is on their entry.
        check_in.answers = {k: v for k, v in check_in.answers.items() if k != OWN_WORDS_KEY}
        check_in.save(update_fields=["submitted_at", "answers"])
        who = entered_by(request)
        fields_of_entries = [
            {"symptom": symptom, **_entry_answers(answers)} for symptom, answers in answered
        ]
        if words_entry:
            fields_of_entries.append(own_words_fields(check_in.own_words, severity))
        for fields in fields_of_entries:
            entry = DiaryEntry(
                patient=request.patient,
                occurred_at=now,
                check_in=check_in,
                entered_by=who,
                **fields,
            )
            entry.record_notice()
            entry.save()
            audit.record(request, "checkin.entry_create", target=entry)
        audit.record(request, "checkin.submit", target=check_in)
    messages.success(request, "Your check-in is sent to your diary.")
    return redirect("checkin:done", check_in.pk)


def _entry_answers(answers: dict[str, int]) -> dict:
    """The entry's fields from a term's answers; presence is kept as a boolean."""
    return {
        attribute: bool(value) if attribute == pro_ctcae.Attribute.PRESENCE else value
        for attribute, value in answers.items()
    }


@require_GET
@never_cache
@logs_for_patient
def done(request: PortalRequest, pk: int) -> HttpResponse:
    """What she answered, and any care notice her answers raised (as the diary shows them)."""
    check_in = _get_check_in(request, pk)
    if check_in.submitted_at is None:
        return redirect("checkin:resume", check_in.pk)
    entries = list(check_in.entries.select_related("symptom").order_by("pk"))
    # The notice is worked out again only for entries that raised one when she sent it.
    notices = [(entry, entry.care_notice()) for entry in entries if entry.notice_level]
    context = {
        "check_in": check_in,
        "entries": entries,
        "notices": [(entry, notice) for entry, notice in notices if notice],
    }
    return render(request, "portal/checkin/done.html", context)
