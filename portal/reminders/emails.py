"""The reminder emails and their one-click unsubscribe links.

An email holds no health data and no symptom name: a greeting by first name, the link,
for an appointment only "tomorrow at 10:30" (never with whom, where or why), and how to
stop. The unsubscribe link carries a signed token for one patient and one kind of
reminder, so it works without signing in and cannot be made for anyone else.
"""

import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import Appointment, ReminderDelivery

UNSUBSCRIBE_SALT = "portal.reminders.unsubscribe"
# The check-in's address (the check-in package names its views).
CHECK_IN_PATH = "/check-in/"
SUBJECTS = {
    ReminderDelivery.Kind.CHECK_IN: "Patient portal: your weekly check-in",
    ReminderDelivery.Kind.APPOINTMENT: "Patient portal: appointment reminder",
}


class ReminderMessage(EmailMessage):
    def message(self, *, policy=email.policy.default):
        # The List-Unsubscribe address is one long word: folded at 78 characters, Python
        # would turn it into RFC 2047 encoded-words, which mail apps do not read as an
        # address. A header line may be up to 998 characters (RFC 5322, 2.1.1).
        return super().message(policy=policy.clone(max_line_length=998))


def unsubscribe_token(patient_id: int, kind: str) -> str:
    return signing.dumps([patient_id, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(patient id, kind) from a token this portal signed; None for anything else."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    match value:
        case [int() as patient_id, str() as kind] if kind in ReminderDelivery.Kind.values:
            return patient_id, kind
    return None


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def unsubscribe_url(patient_id: int, kind: str) -> str:
    token = unsubscribe_token(patient_id, kind)
    return absolute(reverse("reminders:unsubscribe", args=[token]))


def when_words(starts_at: datetime, zone: ZoneInfo, now: datetime) -> str:
    """ "tomorrow at 10:30" on her clock ("today at …" when sent late, on the day)."""
    local = starts_at.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    day = {0: "today", 1: "tomorrow"}.get(days) or f"on {local:%A} {local.day} {local:%B}"
    return f"{day} at {local:%H:%M}"


def reminder_email(
    delivery: ReminderDelivery, zone: ZoneInfo, appointment: Appointment | None = None
) -> EmailMessage:
    patient = delivery.patient
    stop_url = unsubscribe_url(patient.pk, delivery.kind)
    context = {
        "greeting": f"Hello {patient.first_name}," if patient.first_name else "Hello,",
        "stop_url": stop_url,
        "settings_url": absolute(reverse("reminders:settings")),
    }
    if delivery.kind == ReminderDelivery.Kind.APPOINTMENT:
        context["when"] = when_words(appointment.starts_at, zone, timezone.now())
        context["link"] = absolute(reverse("appointments:appointment_list"))
    else:
        context["link"] = absolute(CHECK_IN_PATH)
    body = render_to_string(f"email/reminders/{delivery.kind}.txt", context)
    return ReminderMessage(
        subject=SUBJECTS[delivery.kind],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[patient.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail apps POST to the link themselves.
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
