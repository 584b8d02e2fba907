"""Appointments: the patient's own list of visits, and the anchor of the summary's range."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from education.web import PortalRequest
from portal import records
from portal.appointments.forms import AppointmentForm
from portal.audit import own_or_404
from portal.caregivers.access import logs_for_patient, record_caregiver_view
from portal.models import Appointment

PAST_SHOWN = 20
LIST_URL = "appointments:appointment_list"


def _get_appointment_for_patient(request: PortalRequest, pk: int) -> Appointment:
    """The patient's own appointment; anyone else's is a 404, and the attempt is audited."""
    appointments = Appointment.objects.for_patient(request.patient)
    return own_or_404(request, appointments, pk, action="appointment.access")


@never_cache
@require_GET
def appointment_list(request: PortalRequest) -> HttpResponse:
    record_caregiver_view(request, "appointment.view", record_type="appointments")
    appointments = Appointment.objects.for_patient(request.patient).select_related("entered_by")
    now = timezone.now()
    return render(
        request,
        "portal/appointments/appointment_list.html",
        {
            "upcoming": list(appointments.upcoming(now)),
            "past": list(appointments.past(now)[:PAST_SHOWN]),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def appointment_create(request: PortalRequest) -> HttpResponse:
    return _form_page(
        request,
        AppointmentForm(request.POST or None),
        action="appointment.create",
        done="Appointment saved.",
        title="Add an appointment",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def appointment_edit(request: PortalRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment_for_patient(request, pk)
    return _form_page(
        request,
        AppointmentForm(request.POST or None, instance=appointment),
        action="appointment.edit",
        done="Appointment updated.",
        title="Edit appointment",
    )


def _form_page(
    request: PortalRequest, form: AppointmentForm, *, action: str, done: str, title: str
) -> HttpResponse:
    context = {"title": title, "list_title": "Appointments", "submit_label": "Save appointment"}
    return records.form_page(
        request, form, action=action, done=done, list_url=LIST_URL, context=context
    )


@never_cache
@require_http_methods(["GET", "POST"])
@logs_for_patient
def appointment_delete(request: PortalRequest, pk: int) -> HttpResponse:
    return records.delete_page(
        request,
        _get_appointment_for_patient(request, pk),
        action="appointment.delete",
        done="Appointment deleted.",
        list_url=LIST_URL,
        template="portal/appointments/appointment_delete.html",
    )
