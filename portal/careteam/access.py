"""Who may use the care team's pages: a clinician (a member of a care team) who passed the
second sign-in step in this session; and what she may see: her teams' patients and alerts.

Anyone else (a patient, a caregiver) finds no such pages: every /care-team/ URL is a 404.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from education.web import PortalRequest
from portal import audit
from portal.admin_site import passed_second_factor
from portal.models import AuditEvent, CareTeam, CareTeamPatient


def is_clinician(user) -> bool:
    return user.is_authenticated and CareTeam.objects.filter(members=user).exists()


def clinician_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For every care team page: a non-member gets a 404 (before anything is looked up); a
    member without an authenticator app is sent to set one up, and one who has not used it
    in this session to enter a code, then comes back (as the staff admin does)."""

    @wraps(view)
    def wrapped(request: PortalRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not is_clinician(user):
            raise Http404("No such page.")
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            messages.info(
                request,
                "Care team accounts need an authenticator app. Set one up, then open the "
                "alert queue again.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not passed_second_factor(request):
            return redirect_to_login(request.get_full_path(), reverse("mfa_reauthenticate"))
        return view(request, *args, **kwargs)

    return wrapped


def patient_record_type() -> str:
    """How the trail names a patient looked at: her account ("auth.user") and its id."""
    return get_user_model()._meta.label_lower


def patient_or_404(request: PortalRequest, pk: int):
    """A patient of one of the clinician's teams; anyone else (another team's, nobody) is
    the same 404, and the attempt is in the audit trail, denied."""
    link = (
        CareTeamPatient.objects.for_clinician(request.user)
        .select_related("patient", "team")
        .filter(patient_id=pk)
        .first()
    )
    if link is None:
        audit.record(
            request,
            "careteam.patient_access",
            record_type=patient_record_type(),
            record_id=pk,
            outcome=AuditEvent.Outcome.DENIED,
        )
        raise Http404("No such patient.")
    return link


def record_view(request: PortalRequest, action: str, patient_id: int, **target) -> None:
    """A clinician's look at one patient's data, for the patient's activity page."""
    audit.record(request, action, patient_id=patient_id, **target)


def record_views(request: PortalRequest, action: str, patient_ids: Iterable[int]) -> None:
    """A list page showing several patients: one row for each (as record_view would write
    it), in one insert, so the page's query count does not grow with the list."""
    actor_id, record_type = request.user.pk, patient_record_type()
    rows = [
        AuditEvent(
            actor_id=actor_id,
            patient_id=patient_id,
            action=action,
            record_type=record_type,
            record_id=str(patient_id),
            ip_address=audit.client_address(request),
            request_id=getattr(request, "request_id", "") or "",
        )
        for patient_id in sorted(set(patient_ids))
    ]
    if rows:
        AuditEvent.objects.bulk_create(rows)
