"""Request ids, response headers, automatic sign-out, and whose diary a request is in.

Each class is listed in settings.MIDDLEWARE; the comments there say why in that order.
"""

import contextlib
import ipaddress
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from portal import audit
from portal.account import clinicians
from portal.models import CaregiverGrant

# A proxy's request id is kept only when it looks like one (no header injection, no PHI).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# The portal uses none of these browser features; no page or embedded content may ask.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Session keys; the times are Unix seconds so the session stays JSON-serialisable.
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN_AT = "portal_last_seen_at"
# Activity is written to the session at most this often, so a burst of requests (htmx
# suggestions while typing) does not rewrite the session row each time. The page's warning
# counts down from the idle limit less this, so it never promises time the server won't give.
ACTIVITY_GRANULARITY = 15


class ClientAddressMiddleware:
    """Behind DJANGO_PROXY_COUNT trusted proxies, the client is the address the outermost of
    them put in X-Forwarded-For; throttling and the audit trail both read REMOTE_ADDR."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxy_count = settings.PORTAL_PROXY_COUNT
        if proxy_count:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= proxy_count:
                # A malformed entry leaves REMOTE_ADDR as the proxy's own address.
                with contextlib.suppress(ValueError):
                    address = ipaddress.ip_address(forwarded[-proxy_count])
                    request.META["REMOTE_ADDR"] = str(address)
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives each request an id, for the audit trail and for matching logs to a report."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """Headers SecurityMiddleware does not send, on every response including static files.

    Any response to a signed-in person may show health data, so it is never stored by the
    browser or a proxy. Static files (no user on the request) keep WhiteNoise's long cache.
    A sign-out also tells the browser to drop the site's cache and storage.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Cross-Origin-Resource-Policy", settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # XFrameOptionsMiddleware sits inside WhiteNoise; static files get it here.
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        user = getattr(request, "user", None)
        signed_out = getattr(request, "portal_signed_out", False)
        if (user is not None and user.is_authenticated) or signed_out:
            response["Cache-Control"] = "no-store"
        if signed_out:
            # Not "cookies": that would also drop the new CSRF cookie of the next sign-in.
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def _now() -> int:
    return int(timezone.now().timestamp())


def stamp_sign_in(request: HttpRequest) -> None:
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs a person out after PORTAL_IDLE_TIMEOUT idle or PORTAL_ABSOLUTE_TIMEOUT in all.

    Enforced here on every request, whatever the browser does with its cookie; the page's
    countdown (static/js/session-timeout.js) only warns and offers to stay signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = _now()
            signed_in_at = request.session.get(SIGNED_IN_AT)
            last_seen_at = request.session.get(LAST_SEEN_AT)
            if signed_in_at is None or last_seen_at is None:
                # A session made outside the sign-in flow (e.g. by a management command).
                stamp_sign_in(request)
            else:
                idle = settings.PORTAL_IDLE_TIMEOUT.total_seconds()
                absolute = settings.PORTAL_ABSOLUTE_TIMEOUT.total_seconds()
                if now - last_seen_at >= idle:
                    return self._sign_out(request, "idle")
                if now - signed_in_at >= absolute:
                    return self._sign_out(request, "absolute")
                if now - last_seen_at >= ACTIVITY_GRANULARITY:
                    request.session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        audit.record(request, "auth.session_timeout", record_type="session", record_id=reason)
        logout(request)
        if reason == "idle":
            minutes = int(settings.PORTAL_IDLE_TIMEOUT.total_seconds() // 60)
            text = f"You were signed out after {minutes} minutes without activity."
        else:
            hours = int(settings.PORTAL_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            text = f"You were signed out because you had been signed in for {hours} hours."
        messages.info(request, f"{text} Please sign in again.")
        login_url = resolve_url(settings.LOGIN_URL)
        # HtmxMiddleware runs after this one: read the header itself.
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the sign-in page into a fragment; load the whole page instead.
            return HttpResponseClientRedirect(login_url)
        if request.method == "GET":
            login_url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(login_url)


class HtmxSignInRedirectMiddleware:
    """An htmx request from a session that has already ended (signed out in another tab,
    expired on the server) is redirected to sign in by LoginRequiredMiddleware; htmx would
    swap that whole page into a fragment. Tell htmx to load it as a page instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and isinstance(response, HttpResponseRedirect)
            and response.url.startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response.url)
        return response


# The session holds the id of the grant a caregiver is using, never the patient's id.
DIARY_OF = "portal_diary_of"
# URL namespaces whose views read or write the patient's diary (request.patient).
DIARY_NAMESPACES = {"diary", "summary", "appointments", "questions", "treatments", "checkin"}


class DiaryOfMiddleware:
    """Sets request.patient, whose diary this request is in, and request.grant, the
    caregiver grant that lets the signed-in account in (None in one's own diary).

    The grant is checked again on every request, so a revoked or ended one takes effect
    at once: the session forgets it, and a diary request goes to the home page instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.patient = request.user
        request.grant = None
        request.portal_diary_ended = False
        if request.user.is_authenticated and DIARY_OF in request.session:
            grant_id = request.session[DIARY_OF]
            grants = CaregiverGrant.objects.for_caregiver(request.user).select_related("patient")
            grant = grants.active().filter(pk=grant_id).first()
            if grant is None:
                del request.session[DIARY_OF]
                request.portal_diary_ended = True
                ended = grants.filter(pk=grant_id).first()
                name = f"{ended.patient_name}'s" if ended else "that"
                messages.info(request, f"Your access to {name} diary has ended.")
            else:
                request.patient = grant.patient
                request.grant = grant
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.portal_diary_ended:
            return None
        if request.resolver_match.namespace not in DIARY_NAMESPACES:
            return None
        # The page asked for was the patient's; nothing of it is shown or changed.
        home = resolve_url("home")
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(home)
        return redirect(home)


class ClinicianSecondStepMiddleware:
    """A clinician who signed in without an authenticator app sets one up before any other
    page (portal.account.clinicians); nobody else pays anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        return clinicians.setup_first(request)
