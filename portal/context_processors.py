from django.conf import settings
from django.http import HttpRequest

from portal.middleware import ACTIVITY_GRANULARITY


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
