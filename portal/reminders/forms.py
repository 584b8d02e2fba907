from datetime import datetime
from zoneinfo import available_timezones

from django import forms
from django.conf import settings

from portal.models import ReminderSettings

# Zone names people pick from (Europe/London, America/New_York, UTC), without the
# database's aliases for its own use (posixrules, Factory, localtime).
TIME_ZONES = sorted(
    {zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")}
    | {"UTC"}
)
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]
# What decides when a reminder falls due: a change to one starts it afresh.
SCHEDULE_FIELDS = ("weekday", "hour", "time_zone")


def default_time_zone() -> str:
    return settings.TIME_ZONE if settings.TIME_ZONE in TIME_ZONES else "UTC"


class ReminderSettingsForm(forms.ModelForm):
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        choices=ReminderSettings.Weekday.choices,
        coerce=int,
        error_messages={
            "required": "Choose the day of the week.",
            "invalid_choice": "Choose a day of the week from the list.",
        },
    )
    hour = forms.TypedChoiceField(
        label="Time of day",
        choices=HOURS,
        coerce=int,
        help_text="Your weekly email comes at this time, and an appointment reminder at this "
        "time on the day before.",
        error_messages={
            "required": "Choose the time of day.",
            "invalid_choice": "Choose a time from the list, from 00:00 to 23:00.",
        },
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES],
        help_text="The clock the time above is on. The clocks going forward or back do not "
        "move it.",
        error_messages={
            "required": "Choose your time zone.",
            "invalid_choice": "Choose a time zone from the list, such as Europe/London.",
        },
    )

    class Meta:
        model = ReminderSettings
        fields = ["weekly_check_in", "weekday", "hour", "time_zone", "appointment_day_before"]
        labels = {
            "weekly_check_in": "Email me a weekly check-in reminder",
            "appointment_day_before": "Email me the day before each appointment",
        }


def opted_in_at(previous: dict | None, chosen: dict, now: datetime) -> datetime | None:
    """The new enabled_at: when she opted in, so no reminder falls due before it. It is set
    when she first turns a reminder on, and again when she turns another on or moves their
    time (a time already past today does not send one at once); None when all are off.
    `previous` is her saved row as a dict (model_to_dict), None before her first save."""
    if not (chosen["weekly_check_in"] or chosen["appointment_day_before"]):
        return None
    if previous is None or previous["enabled_at"] is None:
        return now
    turned_on = (chosen["weekly_check_in"] and not previous["weekly_check_in"]) or (
        chosen["appointment_day_before"] and not previous["appointment_day_before"]
    )
    moved = any(chosen[name] != previous[name] for name in SCHEDULE_FIELDS)
    return now if turned_on or moved else previous["enabled_at"]
