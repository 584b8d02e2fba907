"""htmx helpers shared by both apps (here because portal may import education, not the reverse)."""

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    """True when htmx asks for a fragment; a history restore needs the full page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request
