from django.conf import settings
from django.http import HttpRequest

from portal.middleware import ACTIVITY_GRANULARITY


def session_timeout(request: HttpRequest) -> dict:
    """Seconds until the server may sign this page's session out, for the page's warning."""
    idle = int(settings.PORTAL_IDLE_TIMEOUT.total_seconds())
    return {"portal_idle_seconds": idle - ACTIVITY_GRANULARITY}
