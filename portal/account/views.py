"""My account: my details for the summary, what the portal holds about me, to download or
delete, and who signed in."""

import json
from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Max, Min, Q, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from education.web import PortalRequest, is_partial
from portal import audit, exports
from portal.account.devices import signed_in_sessions
from portal.account.forms import DeleteAccountForm, ProfileForm
from portal.models import AuditEvent, CareTeamPatient, PatientProfile, display_name

# What the activity page shows, in the patient's words.
ACTIVITY_LABELS = {
    ("auth.sign_in", AuditEvent.Outcome.SUCCESS): "Signed in",
    ("auth.sign_in", AuditEvent.Outcome.FAILURE): "Wrong password entered",
    ("auth.sign_in_blocked", AuditEvent.Outcome.DENIED): "Sign-in paused after too many attempts",
    ("auth.second_step", AuditEvent.Outcome.SUCCESS): "Authenticator code accepted",
    ("auth.second_step", AuditEvent.Outcome.FAILURE): "Wrong authenticator code entered",
    ("auth.sign_out", AuditEvent.Outcome.SUCCESS): "Signed out",
    ("auth.session_timeout", AuditEvent.Outcome.SUCCESS): "Signed out automatically",
    ("auth.sign_out_elsewhere", AuditEvent.Outcome.SUCCESS): "Signed out everywhere else",
    ("account.password_change", AuditEvent.Outcome.SUCCESS): "Password changed",
    ("account.password_reset", AuditEvent.Outcome.SUCCESS): "Password reset by email",
    ("account.mfa_add", AuditEvent.Outcome.SUCCESS): "Authenticator app or recovery codes added",
    ("account.mfa_remove", AuditEvent.Outcome.SUCCESS): "Authenticator app removed",
    ("account.export", AuditEvent.Outcome.SUCCESS): "Your data was downloaded",
    ("summary.export", AuditEvent.Outcome.SUCCESS): "Your summary was downloaded",
    ("summary.print", AuditEvent.Outcome.SUCCESS): "Your summary was printed",
    ("profile.create", AuditEvent.Outcome.SUCCESS): "Your details were saved",
    ("profile.edit", AuditEvent.Outcome.SUCCESS): "Your details were changed",
    ("reminders.edit", AuditEvent.Outcome.SUCCESS): "Your reminders were changed",
    ("reminders.unsubscribe", AuditEvent.Outcome.SUCCESS): "A reminder was stopped from its email",
    ("calendar.feed_create", AuditEvent.Outcome.SUCCESS): "Your calendar address was made",
    ("calendar.feed_reset", AuditEvent.Outcome.SUCCESS): "Your calendar address was changed",
    ("calendar.feed_stop", AuditEvent.Outcome.SUCCESS): "Your calendar address was stopped",
}
ACTIVITY_LIMIT = 30
# Sign-ins and changes this recent are listed, identical ones as one row with a count.
ACTIVITY_DAYS = 90
SIGNED_OUT_ELSEWHERE = (
    "You are signed out everywhere else. This browser is still signed in. If you did not "
    "recognise one of them, change your password too."
)
# What a caregiver did in the patient's diary, as "<her name> <label>"; no health data.
CAREGIVER_LABELS = {
    "caregiver.accept": "accepted your invitation",
    "caregiver.switch": "opened your diary",
    "diary.view": "viewed your diary",
    "diary.entry_view": "viewed a diary entry",
    "diary.entry_create": "added a diary entry",
    "diary.entry_edit": "changed a diary entry",
    "diary.entry_delete": "deleted a diary entry",
    "diary.entry_unmatch": "changed what a diary entry is about",
    "summary.view": "viewed your summary",
    "summary.print": "printed your summary",
    "summary.export": "downloaded your summary",
    "appointment.view": "viewed your appointments",
    "appointment.create": "added an appointment",
    "appointment.edit": "changed an appointment",
    "appointment.delete": "deleted an appointment",
    "question.view": "viewed your questions",
    "question.create": "added a question",
    "question.edit": "changed a question",
    "question.asked": "marked a question as asked or not",
    "question.delete": "deleted a question",
    "treatment.view": "viewed your treatments",
    "treatment.create": "added a treatment",
    "treatment.edit": "changed a treatment",
    "treatment.delete": "deleted a treatment",
    "checkin.start": "started a weekly check-in",
    "checkin.answer": "answered a check-in question",
    "checkin.submit": "sent a weekly check-in",
    "checkin.entry_create": "added a diary entry from a check-in",
    "calendar.appointment_download": "downloaded an appointment for a calendar",
    # Her care team's clinicians (issue 14: every view by a clinician is listed here too).
    "careteam.queue_view": "saw your alerts in the care team's queue",
    "careteam.patients_view": "saw you in the care team's list of patients",
    "careteam.patient_view": "opened your record for your care team",
    "careteam.alert_view": "opened an alert about your report",
    "careteam.alert_close": "closed an alert about your report",
}
# What a clinician of her care team did (portal/careteam), as "<name> <label>"; any other
# action of theirs about her reads as CLINICIAN_OTHER.
CLINICIAN_LABELS = {
    "careteam.queue_view": "saw an alert about you in the alert queue",
    "careteam.alert_view": "opened an alert about you",
    "careteam.alert_close": "closed an alert about you",
    "careteam.patients_view": "saw your name in their list of patients",
    "careteam.patient_view": "opened your diary",
}
CLINICIAN_OTHER = "looked at your record"
CARE_TEAM_LIMIT = 200
PROFILE_SAVED = "Your details are saved."


@require_GET
def overview(request: PortalRequest) -> HttpResponse:
    has_totp = is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
    return render(request, "portal/account/overview.html", {"has_totp": has_totp})


@never_cache
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def profile(request: PortalRequest) -> HttpResponse:
    """Her own details, even while she is in a diary she helps with; the profile is made on
    the first save, so an account that never saves one has none."""
    posted = request.POST if request.method == "POST" else None
    profile = PatientProfile.objects.filter(patient=request.user).first()
    form = ProfileForm(posted, instance=profile or PatientProfile(patient=request.user))
    announcement = ""
    if posted is not None and form.is_valid():
        details = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        with transaction.atomic():
            # update_or_create: two first saves at once (two tabs) make one profile.
            profile, created = PatientProfile.objects.update_or_create(
                patient=request.user, defaults=details
            )
            action = "profile.create" if created else "profile.edit"
            # Her own account's record, not the diary she may be helping with.
            audit.record(request, action, target=profile, patient_id=request.user.pk)
        if not is_partial(request):
            messages.success(request, PROFILE_SAVED)
            return redirect("my_account:profile")
        form, announcement = ProfileForm(instance=profile), PROFILE_SAVED
    template = "portal/account/profile.html"
    context = {"form": form, "announcement": announcement}
    if is_partial(request):
        # htmx does not swap 4xx responses: the form comes back with its errors as a 200.
        return render(request, template + "#profile-form", context)
    status = 400 if form.errors else 200
    return render(request, template, context, status=status)


@require_GET
def activity(request: PortalRequest) -> HttpResponse:
    """Her sign-ins and account changes of the last ACTIVITY_DAYS, identical ones (what,
    browser, address) as one row with how many and when first and last; and where she is
    signed in now, with "Sign out everywhere else"."""
    since = timezone.now() - timedelta(days=ACTIVITY_DAYS)
    groups = (
        AuditEvent.objects.for_account(request.user)
        .filter(action__in={action for action, _ in ACTIVITY_LABELS}, occurred_at__gte=since)
        # Not what she did as a caregiver in someone else's diary ("Your summary was …").
        .filter(Q(patient_id__isnull=True) | Q(patient_id=request.user.pk))
        .annotate(
            browser=Case(
                When(record_type="browser", then=F("record_id")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("action", "outcome", "browser", "ip_address")
        .annotate(times=Count("pk"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("-last")[:ACTIVITY_LIMIT]
    )
    rows = [
        {
            "what": ACTIVITY_LABELS.get((group["action"], group["outcome"]), group["action"]),
            "times": group["times"],
            "browser": group["browser"],
            "first": group["first"],
            "last": group["last"],
            "address": group["ip_address"] or "unknown",
            "outcome": group["outcome"],
        }
        for group in groups
    ]
    return render(
        request,
        "portal/account/activity.html",
        {
            "rows": rows,
            "days": ACTIVITY_DAYS,
            "helper_rows": _what_helpers_did(request),
            "sessions": signed_in_sessions(request.user),
            "current_session_key": request.session.session_key,
        },
    )


@require_POST
def sign_out_elsewhere(request: PortalRequest) -> HttpResponse:
    """Ends every other session of hers that allauth.usersessions knows of, and keeps this
    one; the adapter puts it in the audit trail."""
    others = UserSession.objects.filter(user=request.user).exclude(
        session_key=request.session.session_key
    )
    get_usersessions_adapter().end_sessions(others)
    messages.success(request, SIGNED_OUT_ELSEWHERE)
    return redirect("my_account:activity")


def _what_helpers_did(request: PortalRequest) -> list[dict]:
    """What the patient's caregivers viewed and changed in her diary, newest first."""
    events = list(
        AuditEvent.objects.by_others_about(request.user)
        .filter(action__in=CAREGIVER_LABELS.keys())
        .only("occurred_at", "actor_id", "action", "outcome")[:ACTIVITY_LIMIT]
    )
    if not events:
        return []
    actors = get_user_model().objects.in_bulk({event.actor_id for event in events})
    rows = []
    for event in events:
        actor = actors.get(event.actor_id)
        who = display_name(actor) if actor else "Someone who helped you (account deleted)"
        what = CAREGIVER_LABELS[event.action]
        if event.outcome != AuditEvent.Outcome.SUCCESS:
            what = f"was not allowed: {what.removeprefix('was ')}"
        rows.append({"when": event.occurred_at, "what": f"{who} {what}", "outcome": event.outcome})
    return rows


@require_GET
def care_team(request: PortalRequest) -> HttpResponse:
    """Her care team, its clinicians (who can see her diary), and every time one of them
    opened it, newest first: three queries, however long the team or the list."""
    link = CareTeamPatient.objects.filter(patient=request.user).select_related("team").first()
    context: dict = {"team": None, "clinicians": [], "rows": [], "more": False}
    if link is not None:
        team = link.team
        clinicians = list(team.members.order_by("last_name", "first_name", "email", "pk"))
        names = {clinician.pk: display_name(clinician) for clinician in clinicians}
        events = list(
            AuditEvent.objects.by_others_about(request.user)
            .filter(actor_id__in=names.keys(), outcome=AuditEvent.Outcome.SUCCESS)
            .only("occurred_at", "actor_id", "action")[: CARE_TEAM_LIMIT + 1]
        )
        rows = [
            {
                "when": event.occurred_at,
                "what": f"{names[event.actor_id]} "
                f"{CLINICIAN_LABELS.get(event.action, CLINICIAN_OTHER)}",
            }
            for event in events[:CARE_TEAM_LIMIT]
        ]
        context.update(
            team=team,
            clinicians=[names[clinician.pk] for clinician in clinicians],
            rows=rows,
            more=len(events) > CARE_TEAM_LIMIT,
            limit=CARE_TEAM_LIMIT,
        )
    return render(request, "portal/account/care_team.html", context)


@require_GET
def download(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/account/download.html")


def _download(
    request: PortalRequest, kind: str, content: str, content_type: str, extension: str
) -> HttpResponse:
    """The patient's data as a file to save; the download is in the audit trail."""
    audit.record(request, "account.export", record_type="export", record_id=kind)
    filename = f"mbc-portal-my-data-{timezone.localdate().isoformat()}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def download_csv(request: PortalRequest) -> HttpResponse:
    return _download(request, "csv", exports.as_csv(request.user), "text/csv; charset=utf-8", "csv")


@require_POST
def download_fhir(request: PortalRequest) -> HttpResponse:
    bundle = json.dumps(exports.as_fhir_bundle(request.user), indent=2, ensure_ascii=False)
    return _download(request, "fhir", bundle, "application/fhir+json", "fhir.json")


@require_http_methods(["GET", "POST"])
def delete(request: PortalRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        with transaction.atomic():
            audit.record(request, "account.delete", target=user)
            # Diary entries, appointments, questions, email addresses and authenticators
            # go with the account (on_delete=CASCADE); the audit trail keeps only the id.
            user.delete()
        logout(request)
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/account/delete.html", {"form": form}, status=status)


@require_POST
def stay_signed_in(request: PortalRequest) -> HttpResponse:
    """SessionTimeoutMiddleware has already counted this request as activity."""
    if is_partial(request):
        return HttpResponse(status=204)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    return HttpResponseRedirect(next_url)
