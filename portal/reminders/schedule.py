"""Which reminders are due at a moment, and claiming each of them once.

A weekly reminder is due at her weekday and hour on her own clock (so it stays at 10:00
across the clock changes); an appointment reminder at her hour on the day before the
appointment, on her clock. The scheduler (`manage.py run_scheduler`) calls
`claim_due_reminders()` every minute: each due reminder is claimed by inserting its
ReminderDelivery row, and the unique constraint (patient, kind, due time, appointment)
decides which of two racing schedulers gets it; the loser's IntegrityError means "someone
else has it". Only the winner enqueues the task that sends the email, in the same
transaction as its claim. A reminder whose time passed while nothing ran is sent late, once, within
CATCH_UP (and an appointment's never after it began); none falls due before she opted in.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.models import Appointment, ReminderDelivery, ReminderSettings

logger = logging.getLogger(__name__)

# How late a reminder may still go out after its time (the worker was down, or busy).
CATCH_UP = timedelta(hours=24)
# An appointment reminder is due at most about two days before it starts (her hour on the
# local day before); three covers any hour and clock change.
APPOINTMENT_LOOKAHEAD = timedelta(days=3)

Kind = ReminderDelivery.Kind


@dataclass(frozen=True)
class Due:
    patient_id: int
    kind: str
    due_at: datetime
    appointment_key: int = 0

    @property
    def key(self) -> tuple:
        return (self.patient_id, self.kind, self.due_at, self.appointment_key)


def zone_of(reminders: ReminderSettings) -> ZoneInfo:
    """Her time zone; one the server no longer knows falls back to the clinic's."""
    try:
        return ZoneInfo(reminders.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("Reminder settings %s: unknown time zone, using the clinic's", reminders.pk)
        return ZoneInfo(settings.TIME_ZONE)


def at_local_hour(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """That day at hour:00 on her clock, as a UTC instant. An hour the clock skips (01:00
    when the clocks go forward) is the instant it would have been, the first one after the
    skip; an hour that happens twice (when they go back) is its first time."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def weekly_due_at(reminders: ReminderSettings, now: datetime) -> datetime:
    """The latest time, at or before now, her weekly reminder was due."""
    zone = zone_of(reminders)
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - reminders.weekday) % 7)
    due_at = at_local_hour(day, reminders.hour, zone)
    if due_at > now:
        due_at = at_local_hour(day - timedelta(days=7), reminders.hour, zone)
    return due_at


def appointment_due_at(reminders: ReminderSettings, starts_at: datetime) -> datetime:
    """Her hour on the day before the appointment, on her clock."""
    zone = zone_of(reminders)
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return at_local_hour(day, reminders.hour, zone)


def _in_window(due_at: datetime, now: datetime, since: datetime) -> bool:
    return since <= due_at <= now and now - due_at <= CATCH_UP


def due_reminders(now: datetime) -> list[Due]:
    """Every reminder due at `now` under the settings in force, claimed or not."""
    due: list[Due] = []
    weekly = ReminderSettings.objects.filter(
        weekly_check_in=True, enabled_at__isnull=False, patient__is_active=True
    ).exclude(patient__email="")
    for reminders in weekly:
        due_at = weekly_due_at(reminders, now)
        if _in_window(due_at, now, reminders.enabled_at):
            due.append(Due(reminders.patient_id, Kind.CHECK_IN, due_at))
    appointments = (
        Appointment.objects.filter(
            starts_at__gt=now,
            starts_at__lte=now + APPOINTMENT_LOOKAHEAD,
            patient__reminder_settings__appointment_day_before=True,
            patient__reminder_settings__enabled_at__isnull=False,
            patient__is_active=True,
        )
        .exclude(patient__email="")
        # One reminder an appointment: not again at a new hour if she moves hers after it
        # was claimed (the unique constraint holds the same due time; this, another one).
        .exclude(
            Exists(
                ReminderDelivery.objects.filter(
                    patient=OuterRef("patient"),
                    kind=Kind.APPOINTMENT,
                    appointment_key=OuterRef("pk"),
                )
            )
        )
        .select_related("patient__reminder_settings")
    )
    for appointment in appointments:
        reminders = appointment.patient.reminder_settings
        due_at = appointment_due_at(reminders, appointment.starts_at)
        # Only for an appointment she had entered by then: one added later is not
        # reminded of at once.
        since = max(reminders.enabled_at, appointment.created_at)
        if _in_window(due_at, now, since):
            due.append(Due(appointment.patient_id, Kind.APPOINTMENT, due_at, appointment.pk))
    return due


def claim(due: Due, now: datetime) -> ReminderDelivery | None:
    """Claims the reminder and enqueues its email in the same transaction (the task queue
    is in the database: a crash between the two leaves neither); None when another
    scheduler had already claimed it (the database's unique constraint says so)."""
    from portal.reminders.tasks import send_reminder

    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                patient_id=due.patient_id,
                kind=due.kind,
                due_at=due.due_at,
                appointment_key=due.appointment_key,
                claimed_at=now,
            )
            # django-tasks-db writes the task beside the claim: the worker sees both once
            # they commit, and a rolled-back claim leaves no task.
            send_reminder.enqueue(delivery.pk)
    except IntegrityError:
        return None
    return delivery


def claim_due_reminders(now: datetime | None = None) -> list[ReminderDelivery]:
    """Claims every due reminder not yet claimed; returns the ones this call claimed."""
    now = now or timezone.now()
    due = due_reminders(now)
    if not due:
        return []
    # Most due reminders stay due for CATCH_UP after they were claimed: skip those without
    # a failed insert each minute. The constraint still decides any race.
    claimed = set(
        ReminderDelivery.objects.filter(
            due_at__gte=now - CATCH_UP, patient_id__in={d.patient_id for d in due}
        ).values_list("patient_id", "kind", "due_at", "appointment_key")
    )
    deliveries = []
    for reminder in due:
        if reminder.key in claimed:
            continue
        delivery = claim(reminder, now)
        if delivery is not None:
            deliveries.append(delivery)
    return deliveries
