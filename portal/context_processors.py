from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.middleware import ACTIVITY_GRANULARITY
from portal.models import ClinicContacts


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


def clinic_contacts(request: HttpRequest) -> dict:
    """The clinic's phone numbers as `clinic`: read from the database only when a template
    shows them (once a request), so pages without a footer or notice pay nothing."""

    def load() -> ClinicContacts:
        if not hasattr(request, "_clinic_contacts"):
            request._clinic_contacts = ClinicContacts.load()
        return request._clinic_contacts

    return {"clinic": SimpleLazyObject(load)}
