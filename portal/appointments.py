"""Appointments: the patient's own list of visits, and the anchor of the summary's range."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit import own_or_404, record
from portal.models import Appointment

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
PAST_SHOWN = 20


class AppointmentForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="For example 14/12/2026, 10:30.",
    )

    class Meta:
        model = Appointment
        fields = ["starts_at", "with_whom", "location", "purpose", "notes"]
        labels = {
            "with_whom": "With whom (optional)",
            "location": "Where (optional)",
            "purpose": "What it is for (optional)",
            "notes": "Notes (optional)",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_starts_at(self) -> datetime:
        starts_at = self.cleaned_data["starts_at"]
        if not EARLIEST_YEAR <= timezone.localtime(starts_at).year <= LATEST_YEAR:
            raise forms.ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return starts_at


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
        "portal/appointments.html",
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
    return render(request, "portal/appointment_delete.html", {"appointment": appointment})


def _form_page(
    request: HttpRequest, form: AppointmentForm, appointment: Appointment | None, status=200
) -> HttpResponse:
    return render(
        request,
        "portal/appointment_form.html",
        {"form": form, "appointment": appointment},
        status=status,
    )


app_name = "appointments"
urlpatterns = [
    path("", appointment_list, name="appointment_list"),
    path("new/", appointment_create, name="appointment_create"),
    path("<int:pk>/edit/", appointment_edit, name="appointment_edit"),
    path("<int:pk>/delete/", appointment_delete, name="appointment_delete"),
]
