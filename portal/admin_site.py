"""The staff admin: reached only by active staff who passed a second factor in this session."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal import audit
from portal.models import AuditEvent


def passed_second_factor(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a later re-check) used the authenticator app."""
    user = request.user
    if not user.is_authenticated or not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        return False
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


class PortalAdminSite(admin.AdminSite):
    site_header = "MBC Portal staff administration"
    site_title = "MBC Portal staff"
    index_title = "Administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_second_factor(request)

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Imported here: education.admin registers with this site as it is imported.
        from education.admin import unsigned_reviews

        context = {"unsigned_reviews": unsigned_reviews(request), **(extra_context or {})}
        return super().index(request, context)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Staff sign in like everyone else (with throttling and the second step), then come
        back; a staff account without an authenticator app is sent to set one up first."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if not (user.is_active and user.is_staff):
            audit.record(request, "admin.access", outcome=AuditEvent.Outcome.DENIED)
            raise PermissionDenied
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            messages.info(
                request,
                "Staff accounts need an authenticator app. Set one up, then open the "
                "staff administration again.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not passed_second_factor(request):
            return redirect_to_login(next_url, reverse("mfa_reauthenticate"))
        return HttpResponseRedirect(next_url)
