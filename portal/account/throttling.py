"""django-axes in the portal: which account an attempt names, what a paused sign-in sees,
and the authentication backend that checks the pause."""

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in through the site (they all carry the
    request). authenticate() without a request, such as the test client's login() or a
    shell, has no address to throttle by, so it goes straight to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account an attempt names, as its email address in lower case.

    allauth authenticates with the email address; axes resets the count on success with
    the username, so that is mapped to the account's email to clear the same counter.
    """
    credentials = credentials or {}
    email = credentials.get("email") or ""
    if not email and credentials.get("username"):
        username = credentials["username"]
        User = get_user_model()
        email = User.objects.filter(username=username).values_list("email", flat=True).first()
        email = email or username
    if not email and request.method == "POST":
        email = request.POST.get("login", "")
    return str(email).strip().lower()


def signin_blocked(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """What a person sees once too many sign-ins failed for this account from here."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "account/signin_blocked.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
