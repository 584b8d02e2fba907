"""The background task that sends one claimed reminder (run by `manage.py db_worker`)."""

from django.tasks import task
from django.utils import timezone

from portal.models import Appointment, ReminderDelivery, ReminderSettings
from portal.reminders import emails
from portal.reminders.schedule import CATCH_UP, zone_of


def still_wanted(
    delivery: ReminderDelivery,
    reminders: ReminderSettings | None,
    appointment: Appointment | None,
) -> bool:
    """She may have stopped the reminder, or the appointment gone or begun, since it was
    claimed; or the worker may have been down for longer than the catch-up window."""
    patient = delivery.patient
    if reminders is None or reminders.enabled_at is None or not patient.is_active:
        return False
    if not patient.email or reminders.enabled_at > delivery.due_at:
        return False
    # Claimed, but the worker was down longer than the catch-up window: too late to help.
    if timezone.now() - delivery.due_at > CATCH_UP:
        return False
    if delivery.kind == ReminderDelivery.Kind.CHECK_IN:
        return reminders.weekly_check_in
    return (
        reminders.appointment_day_before
        and appointment is not None
        and appointment.starts_at > timezone.now()
    )


@task
def send_reminder(delivery_id: int) -> str:
    """Sends the claimed reminder's email and marks it sent. The scheduler enqueues this
    once per claimed row, and never for a row it did not claim itself: a worker killed
    mid-send leaves the row claimed and unsent, and nothing sends it again."""
    delivery = (
        ReminderDelivery.objects.select_related("patient")
        .filter(pk=delivery_id, sent_at__isnull=True)
        .first()
    )
    if delivery is None:
        return "already sent"
    reminders = ReminderSettings.objects.filter(patient_id=delivery.patient_id).first()
    appointment = None
    if delivery.kind == ReminderDelivery.Kind.APPOINTMENT:
        appointment = Appointment.objects.filter(
            pk=delivery.appointment_key, patient_id=delivery.patient_id
        ).first()
    if not still_wanted(delivery, reminders, appointment):
        return "no longer wanted"
    emails.reminder_email(delivery, zone_of(reminders), appointment).send()
    ReminderDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return "sent"
