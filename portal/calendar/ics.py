"""Her appointments as iCalendar (RFC 5545), written by the icalendar library.

An event says "Appointment", when, and the place she entered: never who it is with, what it
is for or her notes, which may name a symptom or a treatment. Her calendar app may sync it
to other devices or share it; CLASS:PRIVATE asks shared views to hide even that.
"""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from icalendar import CLASS, Calendar, Event

from portal.models import Appointment

TITLE = "Appointment"
# The model keeps when an appointment starts, not how long it lasts.
DURATION = timedelta(hours=1)
# The feed: appointments from this long ago, and every one to come.
FEED_PAST = timedelta(days=90)
PRODID = "-//MBC Portal//Appointments//EN"
CALENDAR_NAME = "Appointments"
# A hint to calendar apps (RFC 7986); most choose their own interval.
REFRESH_INTERVAL = timedelta(hours=6)
# UIDs are made from this and the appointment's id: the same event every time it is
# downloaded or fetched, so a calendar updates it rather than adding a copy. Never change it.
UID_NAMESPACE = uuid.UUID("6f1c2a3e-5b7d-4e8f-9a0b-1c2d3e4f5a6b")


def event_uid(appointment: Appointment) -> str:
    return str(uuid.uuid5(UID_NAMESPACE, f"appointment:{appointment.pk}"))


def appointment_event(appointment: Appointment) -> Event:
    start = appointment.starts_at.astimezone(UTC)
    return Event.new(
        uid=event_uid(appointment),
        # Without a METHOD, DTSTAMP is when the event was last changed (RFC 5545 3.8.7.2).
        stamp=appointment.updated_at.astimezone(UTC),
        summary=TITLE,
        start=start,
        end=start + DURATION,
        location=appointment.location or None,
        classification=CLASS.PRIVATE,
    )


def calendar_file(appointments: Iterable[Appointment], *, feed: bool = False) -> bytes:
    """A VCALENDAR of these appointments; a feed also carries the name and refresh hint a
    subscribed calendar shows and uses. Times are in UTC, so no VTIMEZONE is needed."""
    calendar = Calendar.new(
        prodid=PRODID,
        subcomponents=[appointment_event(appointment) for appointment in appointments],
        name=CALENDAR_NAME if feed else None,
        refresh_interval=REFRESH_INTERVAL if feed else None,
    )
    # Calendar.new gives the calendar a random UID of its own; a feed's would change on
    # every fetch, and nothing needs one.
    del calendar["UID"]
    if feed:
        # RFC 7986 5.7 requires the parameter; the library leaves it out.
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    return calendar.to_ical()


def feed_appointments(patient_id: int, now: datetime | None = None):
    """What her feed lists: the last FEED_PAST and everything to come, in time order."""
    since = (now or timezone.now()) - FEED_PAST
    return Appointment.objects.filter(patient_id=patient_id, starts_at__gte=since).order_by(
        "starts_at", "pk"
    )
