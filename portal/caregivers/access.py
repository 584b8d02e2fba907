"""Who may do what in a diary: the patient everything, a caregiver what her grant allows.

The views read request.patient and request.grant, set by portal.middleware.DiaryOfMiddleware.
"""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import render

from education.web import PortalRequest
from portal import audit
from portal.models import AuditEvent


def logs_for_patient(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view that adds to or changes the diary: a caregiver who may only view gets a
    403 page that says so, before anything is looked up or saved."""

    @wraps(view)
    def wrapped(request: PortalRequest, *args, **kwargs) -> HttpResponse:
        grant = request.grant
        if grant is not None and not grant.can_log:
            audit.record(
                request,
                f"caregiver.{request.resolver_match.url_name}",
                target=grant,
                outcome=AuditEvent.Outcome.DENIED,
            )
            context = {"grant": grant}
            return render(request, "portal/caregivers/view_only.html", context, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def own_diary_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the pages that administer a diary (who may help with it): they belong to the
    patient alone, so a caregiver inside someone else's diary finds no such page."""

    @wraps(view)
    def wrapped(request: PortalRequest, *args, **kwargs) -> HttpResponse:
        if request.grant is not None:
            raise Http404("Not in your own diary.")
        return view(request, *args, **kwargs)

    return wrapped


def entered_by(request: PortalRequest):
    """Who to record as having entered what this request saves: the caregiver, or None
    when the patient saves in her own diary."""
    return request.user if request.grant is not None else None


def record_caregiver_view(request: PortalRequest, action: str, **target) -> None:
    """A caregiver reading a patient's diary is in the trail, for the patient's activity
    page; the patient's own reading is not (her pages' query counts stay as they are)."""
    if request.grant is not None:
        audit.record(request, action, **target)
