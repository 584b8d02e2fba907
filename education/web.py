"""Request helpers for the views of both apps: education's and the portal's.

They live in the bottom layer (portal imports education, never the reverse).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class PortalRequest(HttpRequest):
    """A request as our views see it, after the authentication, htmx and diary middleware.

    `user` is who is signed in; `patient` is whose diary the request is in (the user, or
    the patient she is a caregiver for); `grant` is the portal's CaregiverGrant that lets
    her in, None in her own diary (typed as a Model: education imports no portal code).
    """

    user: AbstractBaseUser | AnonymousUser
    patient: AbstractBaseUser | AnonymousUser
    grant: Model | None
    htmx: HtmxDetails


def is_partial(request: HttpRequest) -> bool:
    """True when htmx asks for a fragment; a history restore needs the full page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def id_param(value: str) -> int | None:
    """A record id sent as text (query string or form), or None for anything else ("²",
    NUL, 5000 digits): looked up, None finds nothing and is never a 500."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def partial_flag(request: HttpRequest) -> dict:
    """Context processor: templates ask `partial` (is this an htmx fragment?), never
    request.htmx, so they agree with the view about what is being rendered."""
    return {"partial": is_partial(request)}
