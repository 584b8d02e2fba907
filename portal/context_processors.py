from django.conf import settings
from django.db.models import Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portal.account.care_team import Monitoring
from portal.middleware import ACTIVITY_GRANULARITY
from portal.models import CareTeam, CareTeamPatient, ClinicContacts


def session_timeout(request: HttpRequest) -> dict:
    """For the page's warning: seconds until the server may sign this page's session out
    (the soonest, as the server notes activity at most every ACTIVITY_GRANULARITY
    seconds), and how long after that the page reloads, when the server surely has.
    A reload any sooner would reach the server as activity and keep the session alive.
    """
    idle = int(settings.PORTAL_IDLE_TIMEOUT.total_seconds())
    return {
        "portal_idle_seconds": idle - ACTIVITY_GRANULARITY,
        "portal_idle_grace_seconds": ACTIVITY_GRANULARITY + 1,
    }


def _load_clinic(request: HttpRequest) -> None:
    """The clinic's row, and in the same query whether the diary's patient has a care team
    that monitors; only then is the team read (a second query). Without the clinic's row no
    team monitors: the admin lets a team turn monitoring on only once the clinic has set the
    24-hour line its notices give out of hours (portal/admin.py, CareTeamAdmin)."""
    if hasattr(request, "_clinic_contacts"):
        return
    found = ClinicContacts.objects.filter(pk=ClinicContacts.SINGLETON_PK)
    patient = getattr(request, "patient", None)
    if patient is not None and patient.is_authenticated:
        her_team = CareTeamPatient.objects.filter(patient=patient.pk, team__monitoring=True)
        found = found.annotate(monitoring_team_id=Subquery(her_team.values("team_id")[:1]))
    contacts = found.first()
    request._clinic_contacts = contacts or ClinicContacts()
    team_id = getattr(contacts, "monitoring_team_id", None)
    team = CareTeam.objects.filter(pk=team_id).first() if team_id else None
    request._care_monitoring = Monitoring(team, timezone.now()) if team else None


def clinic_contacts(request: HttpRequest) -> dict:
    """The clinic's phone numbers as `clinic`, and `care_monitoring`, her care team when it
    monitors the portal (else None): read from the database only when a template shows them
    (once a request), so pages without a footer or notice pay nothing."""

    def load() -> ClinicContacts:
        _load_clinic(request)
        return request._clinic_contacts

    def monitoring() -> Monitoring | None:
        _load_clinic(request)
        return request._care_monitoring

    return {"clinic": SimpleLazyObject(load), "care_monitoring": SimpleLazyObject(monitoring)}
