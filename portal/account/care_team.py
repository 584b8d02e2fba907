"""Her care team as the patient reads about it: when it watches the portal, and when it
will next see a report made outside those hours. Pure functions of the team's hours and a
moment, in the portal's time zone (TIME_ZONE), so they can be tested across weekends and
clock changes; Monitoring wraps them for one team and one moment, for the templates."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from portal.models import CareTeam

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_weekdays(text: str) -> frozenset[int]:
    """ "0,1,2,3,4" (0 = Monday) as a set; parts that are not a weekday are left out."""
    days = set()
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and int(part) < len(DAY_NAMES):
            days.add(int(part))
    return frozenset(days)


def _at(day: date, moment: time, zone: tzinfo) -> datetime:
    # Through UTC and back: a time the clocks skip (spring forward) becomes the real one.
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC).astimezone(zone)


def in_hours(
    weekdays: frozenset[int], start: time, until: time, now: datetime, zone: tzinfo
) -> bool:
    """Whether `now` is on one of the weekdays, from `start` up to (not at) `until`."""
    local = now.astimezone(zone)
    return local.weekday() in weekdays and start <= local.time().replace(tzinfo=None) < until


def next_start(
    weekdays: frozenset[int], start: time, until: time, now: datetime, zone: tzinfo
) -> datetime | None:
    """When the monitored hours next begin after `now` (today's start if it is still to
    come); None when no weekday is monitored."""
    local = now.astimezone(zone)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in weekdays:
            continue
        opening = _at(day, start, zone)
        if opening > local:
            return opening
    return None


def describe_hours(weekdays: frozenset[int], start: time, until: time) -> str:
    """ "Monday to Friday, 09:00 to 17:00", or "Monday, Wednesday and Friday, …"."""
    days = sorted(weekdays)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        names = f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    elif len(days) > 1:
        names = ", ".join(DAY_NAMES[day] for day in days[:-1]) + f" and {DAY_NAMES[days[-1]]}"
    else:
        names = "".join(DAY_NAMES[day] for day in days)
    return f"{names}, {start:%H:%M} to {until:%H:%M}"


@dataclass(frozen=True)
class Monitoring:
    """A monitoring team, as its notices and the footer speak of it at `now`."""

    team: CareTeam
    now: datetime

    @property
    def weekdays(self) -> frozenset[int]:
        return parse_weekdays(self.team.monitored_weekdays)

    def _hours(self) -> tuple:
        team = self.team
        zone = timezone.get_default_timezone()
        return self.weekdays, team.monitored_from, team.monitored_until, self.now, zone

    @property
    def in_hours(self) -> bool:
        return in_hours(*self._hours())

    @property
    def next_working_time(self) -> datetime | None:
        return next_start(*self._hours())

    @property
    def hours(self) -> str:
        return describe_hours(self.weekdays, self.team.monitored_from, self.team.monitored_until)

    @property
    def reply_within(self) -> str:
        return self.team.reply_within
