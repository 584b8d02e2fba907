"""Treatments: the drugs or regimens the patient takes, kept by her for the summary."""

from itertools import chain

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from education.web import PortalRequest
from portal import records
from portal.audit import own_or_404
from portal.caregivers.access import logs_for_patient, record_caregiver_view
from portal.models import Treatment
from portal.treatments.forms import TreatmentForm
from portal.treatments.reading import sections_by_kind

LIST_URL = "treatments:treatment_list"


def _get_treatment_for_patient(request: PortalRequest, pk: int) -> Treatment:
    """The patient's own treatment; anyone else's is a 404, and the attempt is audited."""
    treatments = Treatment.objects.for_patient(request.patient)
    return own_or_404(request, treatments, pk, action="treatment.access")


@never_cache
@require_GET
def treatment_list(request: PortalRequest) -> HttpResponse:
    record_caregiver_view(request, "treatment.view", record_type="treatments")
    treatments = Treatment.objects.for_patient(request.patient).select_related("entered_by")
    today = timezone.localdate()
    current = list(treatments.current(today))
    starting = list(treatments.filter(started_on__gt=today))
    past = list(treatments.filter(stopped_on__lt=today).order_by("-stopped_on", "-pk"))
    everything = list(chain(current, starting, past))
    sections = sections_by_kind(treatment.kind for treatment in everything)
    for treatment in everything:
        treatment.about_section = sections.get(treatment.kind)
    return render(
        request,
        "portal/treatments/treatment_list.html",
        {"current": current, "starting": starting, "past": past},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def treatment_create(request: PortalRequest) -> HttpResponse:
    return _form_page(
        request,
        TreatmentForm(request.POST or None),
        action="treatment.create",
        done="Treatment saved.",
        title="Add a treatment",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def treatment_edit(request: PortalRequest, pk: int) -> HttpResponse:
    treatment = _get_treatment_for_patient(request, pk)
    return _form_page(
        request,
        TreatmentForm(request.POST or None, instance=treatment),
        action="treatment.edit",
        done="Treatment updated.",
        title="Edit treatment",
    )


def _form_page(
    request: PortalRequest, form: TreatmentForm, *, action: str, done: str, title: str
) -> HttpResponse:
    context = {"title": title, "list_title": "Treatments", "submit_label": "Save treatment"}
    return records.form_page(
        request, form, action=action, done=done, list_url=LIST_URL, context=context
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def treatment_delete(request: PortalRequest, pk: int) -> HttpResponse:
    return records.delete_page(
        request,
        _get_treatment_for_patient(request, pk),
        action="treatment.delete",
        done="Treatment deleted.",
        list_url=LIST_URL,
        template="portal/treatments/treatment_delete.html",
    )
