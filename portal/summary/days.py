"""Local calendar days and exact timestamps as database expressions, for the summary.

Written per database so they run natively (Django's TruncDate on SQLite calls back into
Python for every row), and so a five-year range costs the same queries as a week.
"""

import functools
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import BigIntegerField, Case, Expression, Func, IntegerField, Value, When
from django.utils import timezone

EPOCH = date(1970, 1, 1)


class ShiftedDayNumber(Func):
    """Whole days since 1970-01-01 of (a UTC timestamp + a fixed number of seconds).

    The offset is an int we computed, inlined as a literal so the same SQL text appears in
    SELECT and GROUP BY.
    """

    output_field = IntegerField()

    def __init__(self, expression, offset_seconds: int, **extra):
        self.offset_seconds = int(offset_seconds)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        modifier = f"'{self.offset_seconds:+d} seconds'"
        # SQLite rounds fractions to milliseconds (23:59:59.9999 would become the next
        # day): keep the stored text's whole seconds only.
        return (
            f"CAST(julianday(date(substr({sql}, 1, 19), {modifier})) - 2440587.5 AS INTEGER)",
            params,
        )

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CAST(FLOOR((EXTRACT(EPOCH FROM {sql}) + {self.offset_seconds}) / 86400) AS INTEGER)",
            params,
        )


class EpochMicroseconds(Func):
    """Whole microseconds since 1970 of a stored timestamp, exactly (integers, no floats),
    so a window frame can reach back exactly RISE_WINDOW from each entry.
    """

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # Django stores "YYYY-MM-DD HH:MM:SS" with ".ffffff" only when there is a fraction.
        return (
            f"(CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({sql} || '.000000', 21, 6) AS INTEGER))",
            [*params, *params],
        )

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # EXTRACT(EPOCH ...) is numeric (exact) since PostgreSQL 14.
        return f"CAST(EXTRACT(EPOCH FROM {sql}) * 1000000 AS BIGINT)", params


class DayNumber(Func):
    """Whole days since 1970-01-01 of a date column (a day rollup's local day)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params


def day_number(day: date) -> int:
    return (day - EPOCH).days


@functools.lru_cache(maxsize=64)
def _day_segments(start: date, end: date, zone: tzinfo) -> tuple[tuple[datetime, bool, int], ...]:
    """(upper bound, is a fixed day number, offset in seconds or the day number) per run of
    days with one UTC offset; a daylight-saving switch day is a fixed day number.

    Asks the zone once per midnight (not Django's make_aware twice per day), and caches per
    (start, end, zone): it holds no patient data.
    """
    segments: list[tuple[datetime, bool, int]] = []
    run_offset: int | None = None
    day = start
    high = datetime.combine(day, time.min, tzinfo=zone)
    offset_high = int(high.utcoffset().total_seconds())
    while day <= end:
        next_day = day + timedelta(days=1)
        offset_low = offset_high
        high = datetime.combine(next_day, time.min, tzinfo=zone)
        offset_high = int(high.utcoffset().total_seconds())
        if offset_low == offset_high:
            if run_offset == offset_low:
                segments[-1] = (high, False, offset_low)
            else:
                segments.append((high, False, offset_low))
                run_offset = offset_low
        else:
            segments.append((high, True, day_number(day)))
            run_offset = None
        day = next_day
    return tuple(segments)


def local_day_number(start: date, end: date, field_name: str = "occurred_at") -> Expression:
    """The local calendar day (as a day number) of `field_name`, valid for start..end.

    Within a day whose midnights have the same UTC offset, shifting by that offset and
    taking the date is exact. A day whose offset changes (a daylight-saving switch) gets a
    constant instead. So the CASE has about two branches per switch in the range, never
    one per day, and no per-row Python.
    """
    segments = [
        (upper, Value(value) if fixed else ShiftedDayNumber(field_name, value))
        for upper, fixed, value in _day_segments(start, end, timezone.get_current_timezone())
    ]
    if not segments:
        return Value(None, output_field=IntegerField())
    *bounded, (_, last) = segments
    whens = [When(**{f"{field_name}__lt": upper}, then=value) for upper, value in bounded]
    if not whens:
        return last
    return Case(*whens, default=last, output_field=IntegerField())
