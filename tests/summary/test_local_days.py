"""Local calendar days computed in the database agree with Python's, across time zones."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from portal.models import DiaryEntry, Severity
from portal.summary.days import EPOCH, local_day_number

ZONES = ["Europe/London", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "UTC"]


def _instants_around_every_midnight_and_switch(start: date, end: date) -> list[datetime]:
    rng = random.Random(4)
    instants = []
    day = start
    while day <= end:
        midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        for delta in (timedelta(0), timedelta(microseconds=-1), timedelta(seconds=1)):
            instants.append(midnight + delta)
        instants.append(midnight + timedelta(seconds=rng.randrange(86400)))
        day += timedelta(days=1)
    # Every hour around the daylight-saving switches of the range's years.
    for year in range(start.year, end.year + 1):
        for month, first in ((3, 20), (10, 20), (4, 1), (9, 20), (11, 1)):
            base = datetime(year, month, first, tzinfo=UTC)
            instants += [base + timedelta(minutes=30 * step) for step in range(24 * 2 * 12)]
    low = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    high = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    return [moment for moment in instants if low <= moment < high]


@pytest.mark.parametrize("zone", ZONES)
def test_database_local_day_matches_python_in_every_zone(settings, alice, zone):
    settings.TIME_ZONE = zone
    start, end = date(2025, 1, 1), date(2026, 12, 31)
    instants = _instants_around_every_midnight_and_switch(start, end)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=alice, own_words="ache", severity=Severity.MILD, occurred_at=moment)
        for moment in instants
    )
    rows = (
        DiaryEntry.objects.between(start, end)
        .annotate(day=local_day_number(start, end))
        .values_list("occurred_at", "day")
    )
    mismatches = [
        (moment, EPOCH + timedelta(days=day))
        for moment, day in rows
        if timezone.localtime(moment).date() != EPOCH + timedelta(days=day)
    ]
    assert len(rows) == len(instants)
    assert mismatches == []


def test_local_day_expression_has_a_few_branches_for_five_years(settings):
    settings.TIME_ZONE = "Europe/London"
    expression = local_day_number(date(2021, 1, 1), date(2025, 12, 31))
    # Two switches a year: a constant for the switch day and a new run after it.
    assert len(expression.cases) <= 5 * 4 + 1
