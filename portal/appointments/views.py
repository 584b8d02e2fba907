"""Appointments: the patient's own list of visits, and the anchor of the summary's range."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.appointments.forms import AppointmentForm
from portal.audit import own_or_404, record
from portal.models import Appointment

PAST_SHOWN = 20


def _get_appointment_for_patient(request: HttpRequest, pk: int) -> Appointment:
    """The patient's own appointment; anyone else's is a 404, and the attempt is audited."""
    appointments = Appointment.objects.for_patient(request.user)
    return own_or_404(request, appointments, pk, action="appointment.access")


@never_cache
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    appointments = Appointment.objects.for_patient(request.user)
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
def appointment_create(request: HttpRequest) -> HttpResponse:
    form = AppointmentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            appointment = form.save(commit=False)
            appointment.patient = request.user
            with transaction.atomic():
                appointment.save()
                record(request, "appointment.create", target=appointment)
            messages.success(request, "Appointment saved.")
            return redirect("appointments:appointment_list")
        return _form_page(request, form, None, status=400)
    return _form_page(request, form, None)


@never_cache
@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment_for_patient(request, pk)
    form = AppointmentForm(request.POST or None, instance=appointment)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save()
                record(request, "appointment.edit", target=appointment)
            messages.success(request, "Appointment updated.")
            return redirect("appointments:appointment_list")
        return _form_page(request, form, appointment, status=400)
    return _form_page(request, form, appointment)


@never_cache
@require_http_methods(["GET", "POST"])
def appointment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment_for_patient(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            record(request, "appointment.delete", target=appointment)
            appointment.delete()
        messages.success(request, "Appointment deleted.")
        return redirect("appointments:appointment_list")
    return render(
        request, "portal/appointments/appointment_delete.html", {"appointment": appointment}
    )


def _form_page(
    request: HttpRequest, form: AppointmentForm, appointment: Appointment | None, status=200
) -> HttpResponse:
    return render(
        request,
        "portal/appointments/appointment_form.html",
        {"form": form, "appointment": appointment},
        status=status,
    )
