"""Clinicians (members of a care team) use the second sign-in step: one who signs in without
an authenticator app is sent to set one up before any page but the sign-in, account and
authenticator pages themselves. Like staff for the admin (portal/admin_site.py).

Decided at sign-in and kept in the session, so other requests read no more than the
session they already load: set when she signs in (signals.signed_in) or removes her app
(signals.authenticator_removed); while it is set, each request checks whether she has
added one since, and forgets it once she has."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

NEEDS_AUTHENTICATOR = "portal_clinician_needs_authenticator"
# allauth's pages (sign out, the authenticator app, reauthentication, email, password) keep
# working, and so does the session warning's "stay signed in".
OPEN_URL_NAME_PREFIXES = ("account_", "mfa_")
OPEN_URL_NAMES = {"login", "logout", "my_account:stay_signed_in"}
MESSAGE = (
    "Care team accounts need an authenticator app for the second sign-in step. Set one up to go on."
)


def note_sign_in(request: HttpRequest, user) -> None:
    """At sign-in: a clinician without an authenticator app must set one up first."""
    needs = user.care_teams.exists() and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
    if needs:
        request.session[NEEDS_AUTHENTICATOR] = True
    else:
        request.session.pop(NEEDS_AUTHENTICATOR, None)


def setup_first(request: HttpRequest) -> HttpResponse | None:
    """For the view about to run: the authenticator set-up page instead, while a clinician
    still has no app; None to go on."""
    session = getattr(request, "session", None)
    if session is None or not session.get(NEEDS_AUTHENTICATOR):
        return None
    if not request.user.is_authenticated:
        return None
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        del session[NEEDS_AUTHENTICATOR]
        return None
    match = request.resolver_match
    if match.url_name and (
        match.url_name.startswith(OPEN_URL_NAME_PREFIXES) or match.view_name in OPEN_URL_NAMES
    ):
        return None
    messages.info(request, MESSAGE)
    url = resolve_url("mfa_activate_totp")
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(url)
    return redirect(url)
