from django.conf import settings
from django.http import HttpRequest


def session_timeout(request: HttpRequest) -> dict:
    """The idle timeout, for the page's "Stay signed in" warning."""
    return {"portal_idle_seconds": int(settings.PORTAL_IDLE_TIMEOUT.total_seconds())}
