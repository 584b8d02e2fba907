from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.db.models import Subquery
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
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


class NavLink(NamedTuple):
    label: str
    href: str
    sections: tuple[str, ...]  # the apps (URL namespaces) whose pages it leads to


class Navigation(NamedTuple):
    signed_in: tuple[NavLink, ...]
    signed_out: tuple[NavLink, ...]
    # The layout's other links and forms (base.html, the session warning), by short name.
    urls: dict[str, str]


# The main navigation: label, URL name, and the apps it is the way into. Sign out is a form,
# so base.html adds it after the signed-in links.
_SIGNED_IN = (
    ("Learn", "education:article_list", ("education",)),
    ("Diary", "diary:entry_list", ("diary",)),
    ("Check-in", "checkin:start", ("checkin",)),
    ("Summary", "summary:summary", ("summary",)),
    ("Appointments", "appointments:appointment_list", ("appointments",)),
    ("Treatments", "treatments:treatment_list", ("treatments",)),
    ("Questions", "questions:question_list", ("questions",)),
    ("My account", "my_account:overview", ("my_account", "reminders", "caregivers")),
)
_SIGNED_OUT = (
    ("Learn", "education:article_list", ("education",)),
    ("Sign in", "account_login", ()),
    ("Create account", "account_signup", ()),
)
_LAYOUT_URLS = {
    "home": "home",
    "sign_out": "account_logout",
    "stay_signed_in": "my_account:stay_signed_in",
    "switch_back": "caregivers:switch_back",
}


@cache
def _navigation(urlconf: str | None, prefix: str) -> Navigation:
    """The links, reversed once per process (for each URLconf and script prefix)."""

    def links(spec) -> tuple[NavLink, ...]:
        return tuple(
            NavLink(label, reverse(name, urlconf=urlconf), sections)
            for label, name, sections in spec
        )

    return Navigation(
        signed_in=links(_SIGNED_IN),
        signed_out=links(_SIGNED_OUT),
        urls={key: reverse(name, urlconf=urlconf) for key, name in _LAYOUT_URLS.items()},
    )


def layout(request: HttpRequest) -> dict:
    """What base.html needs besides the user: the navigation and the app of this page (for
    aria-current); no database work."""
    match = request.resolver_match
    return {
        "nav": _navigation(get_urlconf(), get_script_prefix()),
        "nav_section": match.app_name if match else "",
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
