"""/reminders/: her own reminder emails (opt-in), and the one-click unsubscribe link the
emails carry, which works without signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from education.web import PortalRequest, is_partial
from portal import audit
from portal.models import ReminderDelivery, ReminderSettings
from portal.reminders.emails import read_unsubscribe_token
from portal.reminders.forms import ReminderSettingsForm, default_time_zone, opted_in_at

SAVED = "Your reminder choices are saved."
KIND_FIELDS = {
    ReminderDelivery.Kind.CHECK_IN: "weekly_check_in",
    ReminderDelivery.Kind.APPOINTMENT: "appointment_day_before",
}
KIND_WORDS = {
    ReminderDelivery.Kind.CHECK_IN: "weekly check-in reminders",
    ReminderDelivery.Kind.APPOINTMENT: "appointment reminders",
}


@never_cache
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def reminder_settings(request: PortalRequest) -> HttpResponse:
    """Always the signed-in account's own: a caregiver in a patient's diary sees and
    changes her own reminders here, never the patient's."""
    posted = request.POST if request.method == "POST" else None
    saved = ReminderSettings.objects.filter(patient=request.user).first()
    # As saved: validating the form writes the posted values onto its instance.
    previous = model_to_dict(saved) if saved else None
    instance = saved or ReminderSettings(patient=request.user, time_zone=default_time_zone())
    form = ReminderSettingsForm(posted, instance=instance)
    announcement = ""
    if posted is not None and form.is_valid():
        chosen = {name: form.cleaned_data[name] for name in ReminderSettingsForm.Meta.fields}
        chosen["enabled_at"] = opted_in_at(previous, chosen, timezone.now())
        with transaction.atomic():
            # update_or_create: two first saves at once (two tabs) make one row.
            reminders, _ = ReminderSettings.objects.update_or_create(
                patient=request.user, defaults=chosen
            )
            audit.record(request, "reminders.edit", target=reminders, patient_id=request.user.pk)
        if not is_partial(request):
            messages.success(request, SAVED)
            return redirect("reminders:settings")
        form, announcement = ReminderSettingsForm(instance=reminders), SAVED
    template = "portal/reminders/settings.html"
    context = {"form": form, "announcement": announcement}
    if is_partial(request):
        # htmx does not swap 4xx responses: the form comes back with its errors as a 200.
        return render(request, template + "#reminders-form", context)
    return render(request, template, context, status=400 if form.errors else 200)


@login_not_required
# RFC 8058: a mail app posts "List-Unsubscribe=One-Click" itself, with no CSRF token; the
# signed token in the address is what allows the change, and it can only turn one off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: PortalRequest, token: str) -> HttpResponse:
    template = "portal/reminders/unsubscribe.html"
    if request.method == "POST":
        # The body is read as a form ("List-Unsubscribe=One-Click" from a mail app, empty
        # from the page's button), so one Django cannot decode is its usual 400, as on every
        # page, even here where no CSRF check reads it first.
        request.POST  # noqa: B018
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, template, {"invalid": True}, status=400)
    patient_id, kind = found
    context = {"what": KIND_WORDS[kind], "token": token}
    if request.method == "GET":
        return render(request, template, context)
    field = KIND_FIELDS[kind]
    with transaction.atomic():
        reminders = ReminderSettings.objects.select_for_update().filter(patient_id=patient_id)
        reminders = reminders.first()
        if reminders is not None and getattr(reminders, field):
            setattr(reminders, field, False)
            if not (reminders.weekly_check_in or reminders.appointment_day_before):
                reminders.enabled_at = None
            reminders.save(update_fields=[field, "enabled_at", "updated_at"])
            audit.record(request, "reminders.unsubscribe", target=reminders, patient_id=patient_id)
    return render(request, template, {**context, "done": True})
