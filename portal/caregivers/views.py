"""/caregivers/: the people a patient lets help with her diary, and the diaries one helps with.

Inviting, changing and stopping belong to the patient, in her own diary (own_diary_only).
A caregiver accepts with her own account, then switches between diaries: the session keeps
only the grant's id (portal.middleware.DIARY_OF), checked again on every request.
"""

import smtplib

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education.web import PortalRequest, id_param
from portal import audit
from portal.audit import own_or_404
from portal.caregivers.access import own_diary_only
from portal.caregivers.forms import ChangeAccessForm, InviteForm
from portal.middleware import DIARY_OF
from portal.models import AuditEvent, CaregiverGrant

LIST_URL = "caregivers:caregiver_list"
LIST_TITLE = "People who help me"
# No diagnosis in the subject or body: the email may be read by anyone near the inbox.
INVITATION_SUBJECT = "An invitation to help with someone's patient portal diary"
UNSENT = (
    "We could not send the invitation email just now, so nobody has been invited. "
    "Please try again in a few minutes."
)


def _patient_grant(request: PortalRequest, pk: int) -> CaregiverGrant:
    """One of the patient's own grants not yet stopped; anyone else's is a 404, audited."""
    grants = CaregiverGrant.objects.for_patient(request.user).live().select_related("caregiver")
    return own_or_404(request, grants, pk, action=f"caregiver.{request.resolver_match.url_name}")


@never_cache
@require_GET
@own_diary_only
def caregiver_list(request: PortalRequest) -> HttpResponse:
    helpers = CaregiverGrant.objects.for_patient(request.user).live().select_related("caregiver")
    helping = CaregiverGrant.objects.for_caregiver(request.user).active().select_related("patient")
    context = {
        "helpers": list(helpers),
        "helping": list(helping),
        "has_totp": is_mfa_enabled(request.user, [Authenticator.Type.TOTP]),
    }
    return render(request, "portal/caregivers/caregiver_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@own_diary_only
def invite(request: PortalRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, patient=request.user)
    if request.method == "POST" and form.is_valid():
        grant = form.save(commit=False)
        grant.patient = request.user
        token = grant.new_token()
        with transaction.atomic():
            grant.save()
            audit.record(request, "caregiver.invite", target=grant)
        link = request.build_absolute_uri(reverse("caregivers:accept", args=[token]))
        body = render_to_string(
            "portal/caregivers/invitation_email.txt", {"grant": grant, "link": link}
        )
        try:
            send_mail(INVITATION_SUBJECT, body, None, [grant.email])
        except (smtplib.SMTPException, OSError):
            # Nothing reached them: the link is withdrawn, and she may simply try again.
            with transaction.atomic():
                grant.revoked_at = timezone.now()
                grant.save(update_fields=["revoked_at"])
                audit.record(request, "caregiver.invite_unsent", target=grant)
            form.add_error(None, UNSENT)
            status = 503
        else:
            messages.success(request, f"We have sent an invitation to {grant.email}.")
            return redirect(LIST_URL)
    else:
        status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "list_url": LIST_URL,
        "list_title": LIST_TITLE,
        "title": "Invite someone to help",
        "submit_label": "Send the invitation",
    }
    return render(request, "portal/caregivers/invite.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request: PortalRequest, token: str) -> HttpResponse:
    """The invitation's link. Signing in comes first (LoginRequiredMiddleware); any account
    may accept but the patient's own: the link went to the address she chose, works once
    and for a week, and she sees which account accepted it."""
    response = _accept(request, token)
    # The token is in this page's address: a Referer carries the origin only, never the path
    # ("no-referrer" would also turn its form's Origin header to "null" and fail CSRF).
    response["Referrer-Policy"] = "strict-origin"
    return response


def _accept(request: PortalRequest, token: str) -> HttpResponse:
    grant = CaregiverGrant.objects.with_token(token).select_related("patient").first()
    if grant is not None and grant.caregiver_id == request.user.pk and grant.is_active():
        messages.info(request, f"You already help with {grant.patient_name}'s diary.")
        return redirect(LIST_URL)
    if grant is None or not grant.is_pending:
        # Unknown, altered, used by someone else, or cancelled: all the same 404.
        audit.record(
            request,
            "caregiver.accept",
            record_type=CaregiverGrant._meta.label_lower,
            record_id=grant.pk if grant else "",
            outcome=AuditEvent.Outcome.DENIED,
        )
        raise Http404("No such invitation.")
    if grant.invitation_expired():
        context = {"grant": grant}
        return render(request, "portal/caregivers/invitation_expired.html", context, status=410)
    if grant.patient_id == request.user.pk:
        # A page, not a 4xx: Django logs a 4xx's path, and this token still works.
        context = {"grant": grant}
        return render(request, "portal/caregivers/invitation_own.html", context)
    if request.method == "POST":
        now = timezone.now()
        with transaction.atomic():
            # An earlier grant from the same patient gives way to the new one.
            for earlier in (
                CaregiverGrant.objects.for_patient(grant.patient)
                .live()
                .filter(caregiver=request.user)
            ):
                earlier.revoked_at = now
                earlier.save(update_fields=["revoked_at"])
                audit.record(
                    request, "caregiver.replaced", target=earlier, patient_id=grant.patient_id
                )
            # Only one of two accepts posted at once takes the invitation.
            taken = CaregiverGrant.objects.filter(
                pk=grant.pk, accepted_at__isnull=True, revoked_at__isnull=True
            ).update(caregiver=request.user, accepted_at=now)
            if not taken:  # the earlier grants' revoking is rolled back with it
                raise Http404("No such invitation.")
            audit.record(request, "caregiver.accept", target=grant, patient_id=grant.patient_id)
        messages.success(
            request,
            f"You can now help with {grant.patient_name}'s diary. Open it below.",
        )
        return redirect(LIST_URL)
    return render(request, "portal/caregivers/accept.html", {"grant": grant})


@never_cache
@require_POST
def switch(request: PortalRequest) -> HttpResponse:
    """Into a diary one helps with. The posted id must be one of her own active grants."""
    pk = id_param(request.POST.get("grant", ""))
    grants = CaregiverGrant.objects.for_caregiver(request.user).active()
    grant = own_or_404(request, grants, pk, action="caregiver.switch")
    request.session[DIARY_OF] = grant.pk
    audit.record(request, "caregiver.switch", target=grant, patient_id=grant.patient_id)
    messages.info(request, f"You are now in {grant.patient_name}'s diary.")
    return redirect("diary:entry_list")


@never_cache
@require_POST
def switch_back(request: PortalRequest) -> HttpResponse:
    """Back to one's own diary; the only caregiver page open from inside another's."""
    if request.session.pop(DIARY_OF, None) is not None:
        audit.record(request, "caregiver.switch_back", record_type="session")
    messages.info(request, "You are back in your own diary.")
    return redirect("diary:entry_list")


@never_cache
@require_http_methods(["GET", "POST"])
@own_diary_only
def grant_edit(request: PortalRequest, pk: int) -> HttpResponse:
    grant = _patient_grant(request, pk)
    form = ChangeAccessForm(request.POST or None, instance=grant)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record(request, "caregiver.change", target=grant)
        messages.success(request, "Their access is changed.")
        return redirect(LIST_URL)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "grant": grant,
        "list_url": LIST_URL,
        "list_title": LIST_TITLE,
        "title": f"Change what {grant.email} may do",
        "submit_label": "Save",
    }
    return render(request, "portal/caregivers/grant_edit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@own_diary_only
def grant_revoke(request: PortalRequest, pk: int) -> HttpResponse:
    """Stops a grant (or cancels an invitation) at once: the caregiver's next request is
    outside the diary, as the middleware checks the grant on every request."""
    grant = _patient_grant(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            audit.record(request, "caregiver.revoke", target=grant)
        messages.success(request, f"{grant.email} can no longer see your diary.")
        return redirect(LIST_URL)
    return render(request, "portal/caregivers/grant_revoke.html", {"grant": grant})
