"""Her appointments in her calendar app: a file per appointment, and a private feed address.

The feed is fetched by calendar apps, which cannot sign in: its secret token is the key, and
only the token's hash is kept, so the address can be shown only when it is made or reset.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from education.web import PortalRequest
from portal import audit
from portal.appointments.views import _get_appointment_for_patient
from portal.calendar import ics
from portal.caregivers.access import own_diary_only
from portal.models import CalendarFeed, token_hash

CONTENT_TYPE = "text/calendar; charset=utf-8"
# secrets.token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 64
FEED_PAGE = "calendar:feed_page"
FEED_STOPPED = (
    "Your calendar address no longer works. Appointments your calendar app already shows "
    "stay there until you remove the subscription."
)


@require_GET
def appointment_ics(request: PortalRequest, pk: int) -> HttpResponse:
    """One appointment as a file to open in a calendar app; anyone who may read the diary
    (her, or a caregiver with view or log access) may download it."""
    appointment = _get_appointment_for_patient(request, pk)
    audit.record(request, "calendar.appointment_download", target=appointment)
    response = HttpResponse(ics.calendar_file([appointment]), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@login_not_required
@require_safe
def feed(request: PortalRequest, token: str) -> HttpResponse:
    """Her appointments for a calendar app to subscribe to. A wrong or old token is a 404
    and is not in the audit trail: it names no one, and a stranger's guesses would fill it."""
    found = None
    if len(token) <= TOKEN_MAX_LENGTH:
        # An account the clinic has switched off publishes nothing either.
        feeds = CalendarFeed.objects.filter(patient__is_active=True)
        found = feeds.filter(token_hash=token_hash(token)).first()
    if found is None:
        raise Http404("No such calendar.")
    appointments = ics.feed_appointments(found.patient_id)
    audit.record(request, "calendar.feed_fetch", target=found, patient_id=found.patient_id)
    response = HttpResponse(ics.calendar_file(appointments, feed=True), content_type=CONTENT_TYPE)
    # Her calendar app keeps its own copy; no proxy or shared cache may keep one.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
@own_diary_only
def feed_page(request: PortalRequest) -> HttpResponse:
    existing = CalendarFeed.objects.filter(patient=request.user).first()
    return render(request, "portal/calendar/feed.html", {"feed": existing})


@never_cache
@require_POST
@own_diary_only
def feed_reset(request: PortalRequest) -> HttpResponse:
    """Makes her address, or a new one in place of the old (which then stops working), and
    shows it this once: the page is the POST's answer, so the token is never stored."""
    fresh = CalendarFeed(patient=request.user)
    token = fresh.new_token()
    with transaction.atomic():
        # update_or_create: two first clicks at once (two tabs) make one feed.
        current, created = CalendarFeed.objects.update_or_create(
            patient=request.user,
            defaults={"token_hash": fresh.token_hash, "created_at": fresh.created_at},
        )
        action = "calendar.feed_create" if created else "calendar.feed_reset"
        audit.record(request, action, target=current)
    address = request.build_absolute_uri(reverse("calendar:feed", args=[token]))
    context = {
        "feed": current,
        "address": address,
        # webcal: opens the subscription in the calendar app the device uses.
        "webcal_address": "webcal://" + address.split("://", 1)[1],
        "was_reset": not created,
    }
    return render(request, "portal/calendar/feed.html", context)


@never_cache
@require_POST
@own_diary_only
def feed_stop(request: PortalRequest) -> HttpResponse:
    with transaction.atomic():
        current = CalendarFeed.objects.filter(patient=request.user).first()
        if current is not None:
            audit.record(request, "calendar.feed_stop", target=current)
            current.delete()
    messages.success(request, FEED_STOPPED)
    return redirect(FEED_PAGE)
