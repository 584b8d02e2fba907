"""Audit rows and session hygiene for account events, from Django, allauth and axes signals.

Connected in PortalConfig.ready(). Rows name the account and the kind of event only:
never an email address, a password, a code or anything from the diary.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes import signals as axes_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from portal import audit
from portal.account import clinicians
from portal.account.devices import device
from portal.middleware import stamp_sign_in
from portal.models import AuditEvent

Outcome = AuditEvent.Outcome


def _account_id_for(credentials: dict) -> int | None:
    """The id of the account a failed attempt named, if there is one."""
    email = (credentials.get("email") or "").strip()
    username = (credentials.get("username") or "").strip()
    User = get_user_model()
    if email:
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(email__iexact=email).only("user_id").first()
        if address is not None:
            return address.user_id
        return User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
    if username:
        return User.objects.filter(username=username).values_list("pk", flat=True).first()
    return None


def _through_the_site(request: HttpRequest | None) -> bool:
    """True for a real request (RequestIdMiddleware saw it). The test client's force_login()
    and logout() build bare requests; those are not sign-ins by a person and are not audited."""
    return request is not None and hasattr(request, "request_id")


def _browser(request: HttpRequest) -> dict:
    """Which browser on which device signed in ("Firefox on Windows"), for her activity page:
    the words only, never the user agent itself."""
    return {"record_type": "browser", "record_id": device(request.headers.get("User-Agent", ""))}


@receiver(auth_signals.user_logged_in, dispatch_uid="portal_audit_signed_in")
def signed_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None:
        return
    stamp_sign_in(request)
    clinicians.note_sign_in(request, user)
    if _through_the_site(request):
        audit.record(request, "auth.sign_in", actor_id=user.pk, **_browser(request))


@receiver(auth_signals.user_login_failed, dispatch_uid="portal_audit_sign_in_failed")
def sign_in_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    if request is None:
        return
    audit.record(
        request,
        "auth.sign_in",
        outcome=Outcome.FAILURE,
        actor_id=_account_id_for(credentials),
        **_browser(request),
    )


@receiver(auth_signals.user_logged_out, dispatch_uid="portal_audit_signed_out")
def signed_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None:
        return
    # SecurityHeadersMiddleware sends Clear-Site-Data on this response.
    request.portal_signed_out = True
    # After an account deletion the user has no id left, and that event is already audited.
    if _through_the_site(request) and user is not None and user.pk is not None:
        audit.record(request, "auth.sign_out", actor_id=user.pk, **_browser(request))


@receiver(axes_signals.user_locked_out, dispatch_uid="portal_audit_locked_out")
def sign_in_blocked(sender, request: HttpRequest, username: str | None, **kwargs) -> None:
    account_id = _account_id_for({"email": username or ""})
    audit.record(request, "auth.sign_in_blocked", outcome=Outcome.DENIED, actor_id=account_id)


@receiver(account_signals.authentication_step_completed, dispatch_uid="portal_step_completed")
def authentication_step_completed(sender, request: HttpRequest, user, method: str, **kwargs):
    if method == "password" and not request.user.is_authenticated:
        # The password step is done but the second step is still to come: give the
        # half-signed-in session a new key now; login() gives it another at the end.
        request.session.cycle_key()


@receiver(account_signals.user_signed_up, dispatch_uid="portal_audit_signed_up")
def signed_up(sender, request: HttpRequest, user, **kwargs) -> None:
    audit.record(request, "account.sign_up", actor_id=user.pk)


@receiver(account_signals.email_confirmed, dispatch_uid="portal_audit_email_confirmed")
def email_confirmed(sender, request: HttpRequest, email_address, **kwargs) -> None:
    audit.record(request, "account.email_confirm", actor_id=email_address.user_id)


@receiver(account_signals.password_changed, dispatch_uid="portal_audit_password_changed")
def password_changed(sender, request: HttpRequest, user, **kwargs) -> None:
    audit.record(request, "account.password_change", actor_id=user.pk)


@receiver(account_signals.password_set, dispatch_uid="portal_audit_password_set")
def password_set(sender, request: HttpRequest, user, **kwargs) -> None:
    audit.record(request, "account.password_set", actor_id=user.pk)


@receiver(account_signals.password_reset, dispatch_uid="portal_audit_password_reset")
def password_reset(sender, request: HttpRequest, user, **kwargs) -> None:
    audit.record(request, "account.password_reset", actor_id=user.pk)


@receiver(mfa_signals.authenticator_used, dispatch_uid="portal_audit_second_step")
def second_step_passed(sender, request: HttpRequest, user, authenticator, **kwargs) -> None:
    audit.record(
        request,
        "auth.second_step",
        record_type=f"mfa.{authenticator.type}",
        record_id=authenticator.pk,
        actor_id=user.pk,
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="portal_audit_second_step_failed")
def second_step_failed(sender, request: HttpRequest, user, **kwargs) -> None:
    audit.record(request, "auth.second_step", outcome=Outcome.FAILURE, actor_id=user.pk)


@receiver(mfa_signals.authenticator_added, dispatch_uid="portal_audit_mfa_added")
def authenticator_added(sender, request: HttpRequest, user, authenticator, **kwargs) -> None:
    audit.record(request, "account.mfa_add", target=authenticator, actor_id=user.pk)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="portal_audit_mfa_removed")
def authenticator_removed(sender, request: HttpRequest, user, authenticator, **kwargs) -> None:
    audit.record(
        request,
        "account.mfa_remove",
        record_type="mfa.authenticator",
        record_id=authenticator.pk or "",
        actor_id=user.pk,
    )
    clinicians.note_sign_in(request, user)  # a clinician without one: set one up again


@receiver(mfa_signals.authenticator_reset, dispatch_uid="portal_audit_mfa_reset")
def authenticator_reset(sender, request: HttpRequest, user, authenticator, **kwargs) -> None:
    audit.record(
        request, "account.recovery_codes_regenerate", target=authenticator, actor_id=user.pk
    )
