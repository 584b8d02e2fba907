"""/care-team/: the clinician's side. The alert queue, an alert with its entries and the
form that closes it, and her teams' patients, each with the summary the patient prints.

Every view is clinician_only (portal.careteam.access); a clinician sees her teams' patients
and alerts only, any other id is a 404, and each look at a patient's data is in the audit
trail with the patient's id, for the patient's activity page. Clinicians read: nothing here
changes a diary.
"""

import copy

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from education.web import PortalRequest
from portal.audit import own_or_404
from portal.careteam.access import (
    clinician_only,
    patient_or_404,
    patient_record_type,
    record_view,
    record_views,
)
from portal.careteam.forms import CloseAlertForm
from portal.models import (
    Alert,
    CareTeamPatient,
    CheckIn,
    DiaryEntry,
    Question,
    display_name,
)
from portal.summary import queries as summary_queries
from portal.summary.views import summary_context

# The patient page lists her latest check-ins and alerts; older ones are counted.
CHECK_INS_SHOWN = 20
ALERTS_SHOWN = 50


def _alerts(request: PortalRequest) -> QuerySet[Alert]:
    """The clinician's teams' alerts, each with its patient, symptom (or the first entry's
    own words) and how many entries it has, in a fixed number of queries."""
    first_words = (
        DiaryEntry.objects.filter(alert=OuterRef("pk"))
        .order_by("occurred_at", "pk")
        .values("own_words")[:1]
    )
    return (
        Alert.objects.for_clinician(request.user)
        .select_related("patient", "symptom")
        .annotate(entry_count=Count("entries", distinct=True), first_words=Subquery(first_words))
    )


def _label(alert: Alert) -> str:
    return alert.symptom.name if alert.symptom_id else (alert.first_words or "")


def _described(alerts, now) -> list[Alert]:
    """Each alert with what its row says: the patient's name, what it is about, how long
    ago it was reported, and whether it is overdue."""
    found = list(alerts)
    for alert in found:
        alert.patient_name = display_name(alert.patient)
        alert.label = _label(alert)
        alert.reported_ago = timesince(alert.created_at, now, depth=1)
        alert.overdue = alert.is_overdue(now)
    return found


@never_cache
@require_GET
@clinician_only
def queue(request: PortalRequest) -> HttpResponse:
    """Her teams' open alerts: red flags first, then the oldest first."""
    now = timezone.now()
    red_flags_first = Case(
        When(kind=Alert.Kind.RED_FLAG, then=0), default=1, output_field=IntegerField()
    )
    alerts = _described(_alerts(request).open().order_by(red_flags_first, "created_at", "pk"), now)
    record_views(request, "careteam.queue_view", (alert.patient_id for alert in alerts))
    context = {"alerts": alerts, "overdue_hours": int(Alert.OVERDUE_AFTER.total_seconds() // 3600)}
    return render(request, "portal/careteam/queue.html", context)


def _alert_page(
    request: PortalRequest, alert: Alert, form: CloseAlertForm, status: int = 200
) -> HttpResponse:
    entries = list(
        alert.entries.select_related("symptom", "red_flag").order_by("occurred_at", "pk")
    )
    context = {
        "alert": _described([alert], timezone.now())[0],
        "entries": entries,
        "form": form,
        "overdue_hours": int(Alert.OVERDUE_AFTER.total_seconds() // 3600),
    }
    return render(request, "portal/careteam/alert.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@clinician_only
def alert_detail(request: PortalRequest, pk: int) -> HttpResponse:
    """The alert's entries, and (POST) closing it with what was done. Closing a closed
    alert changes nothing and says who closed it."""
    alert = own_or_404(
        request, _alerts(request).select_related("closed_by"), pk, action="careteam.alert_access"
    )
    if request.method == "GET":
        record_view(request, "careteam.alert_view", alert.patient_id, target=alert)
        return _alert_page(request, alert, CloseAlertForm())
    if alert.closed_at is not None:
        messages.info(request, f"This alert was already closed by {alert.closed_by_name}.")
        return redirect("careteam:alert_detail", pk=alert.pk)
    form = CloseAlertForm(request.POST)
    if not form.is_valid():
        record_view(request, "careteam.alert_view", alert.patient_id, target=alert)
        return _alert_page(request, alert, form, status=400)
    alert.closed_at = timezone.now()
    alert.closed_by = request.user
    alert.closed_by_name = display_name(request.user)
    alert.action = form.cleaned_data["action"]
    alert.reply = form.cleaned_data["reply"].strip()
    alert.save(update_fields=["closed_at", "closed_by", "closed_by_name", "action", "reply"])
    record_view(request, "careteam.alert_close", alert.patient_id, target=alert)
    messages.success(request, f"Alert closed: {alert.get_action_display()}.")
    return redirect("careteam:queue")


@never_cache
@require_GET
@clinician_only
def patient_list(request: PortalRequest) -> HttpResponse:
    """Her teams' patients, by name, each with how many open alerts she has."""
    open_alerts = (
        Alert.objects.for_clinician(request.user)
        .open()
        .filter(patient_id=OuterRef("patient_id"))
        .values("patient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    links = list(
        CareTeamPatient.objects.for_clinician(request.user)
        .select_related("patient", "team")
        .annotate(open_alerts=Subquery(open_alerts))
        .order_by("patient__last_name", "patient__first_name", "patient__email", "pk")
    )
    for link in links:
        link.patient_name = display_name(link.patient)
    record_views(request, "careteam.patients_view", (link.patient_id for link in links))
    return render(request, "portal/careteam/patient_list.html", {"links": links})


@never_cache
@require_GET
@clinician_only
def patient_detail(request: PortalRequest, pk: int) -> HttpResponse:
    """One patient: the summary she prints (the same code, portal.summary.views), her
    check-ins, her alerts (open and closed) and her questions. Read only."""
    link = patient_or_404(request, pk)
    patient = link.patient
    # The summary reads request.patient: it gets a copy of this request in her diary, so
    # the page itself (its footer, its menu) stays the clinician's.
    in_her_diary = copy.copy(request)
    in_her_diary.patient = patient
    form, summary = summary_context(in_her_diary, request.GET)
    check_ins = CheckIn.objects.for_patient(patient).submitted().order_by("-submitted_at", "-pk")
    alerts = _alerts(request).for_patient(patient).order_by("-created_at", "-pk")
    context = {
        # The summary's own names (as portal/summary/summary.html reads them), then hers.
        **(summary or {"form": form, "presets": summary_queries.PRESET_DAYS}),
        "link": link,
        "patient_name": display_name(patient),
        "her_check_ins": list(check_ins[:CHECK_INS_SHOWN]),
        "check_in_count": check_ins.count(),
        "her_alerts": _described(alerts[:ALERTS_SHOWN], timezone.now()),
        "alert_count": alerts.count(),
        "her_questions": list(Question.objects.for_patient(patient)),
        "page_url": reverse("careteam:patient_detail", args=[patient.pk]),
    }
    record_view(
        request,
        "careteam.patient_view",
        patient.pk,
        record_type=patient_record_type(),
        record_id=patient.pk,
    )
    status = 200 if summary is not None else 400
    return render(request, "portal/careteam/patient.html", context, status=status)
