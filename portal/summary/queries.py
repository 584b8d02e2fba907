"""The appointment summary: what happened in a date range, computed in the database.

Every function here runs a fixed number of queries whatever the length of the range, so
five years of diary cost the same number of round trips as one week.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import apnumber
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Value,
    ValueRange,
    When,
    Window,
    WindowFrameExclusion,
)
from django.db.models.functions import Cast, Lower, RowNumber, Substr, Trim
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from education import pro_ctcae
from education.models import BodySite, Section, Urgency
from portal.models import (
    Appointment,
    DiaryEntry,
    DiaryEntryQuerySet,
    NoticeLevel,
    Question,
    Severity,
    start_of_day,
)
from portal.summary.chart import Timeline
from portal.summary.days import EpochMicroseconds, day_number, local_day_number

DEFAULT_DAYS = 30
PRESET_DAYS = (7, 30, 90)
NOTES_LIMIT = 5
NOTE_PREVIEW_CHARS = 160
QUESTIONS_LIMIT = 20
TIMELINE_MAX_COLUMNS = 31
TIMELINE_MAX_ROWS = 8

# Entries in the patient's own words (no symptom chosen) are grouped by their words,
# ignoring case and surrounding spaces.
WORDS_KEY = Case(
    When(symptom__isnull=True, then=Lower(Trim("own_words"))),
    default=Value(""),
)


# -- The range ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRange:
    start: date
    end: date
    # True when the range was chosen for the patient: since their last past appointment.
    since_appointment: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def midpoint(self) -> datetime:
        """The instant that splits the range into two halves, for the trend."""
        low, high = start_of_day(self.start), start_of_day(self.end + timedelta(days=1))
        return low + (high - low) / 2

    def query(self) -> str:
        return f"start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"


def default_range(patient, today: date | None = None) -> SummaryRange:
    """From the last past appointment to today; the last 30 days when there is none."""
    today = today or timezone.localdate()
    last = Appointment.objects.for_patient(patient).past().values_list("starts_at", flat=True)
    last = last.first()
    if last is not None:
        start = min(timezone.localtime(last).date(), today)
        return SummaryRange(start, today, since_appointment=True)
    return preset_range(DEFAULT_DAYS, today)


def preset_range(days: int, today: date | None = None) -> SummaryRange:
    today = today or timezone.localdate()
    return SummaryRange(today - timedelta(days=days - 1), today)


# -- Symptom overview ---------------------------------------------------------------------

# Trend: the second half's average must differ from the first half's by this much.
TREND_THRESHOLD = 0.5
TREND_RULE = "Trend compares the average severity in the first and second half of the period."
TREND_WORDS = {
    "better": ("Better", "↓"),
    "same": ("About the same", "→"),
    "worse": ("Worse", "↑"),
    None: ("Not enough entries to compare", ""),
}


# The PRO-CTCAE scales a row is ordered by (all five steps, 0-4); presence is a yes or no.
GRADED = ("frequency", "severity", "interference", "amount")
# The columns the overview reads each attribute from, and the numbers taken.
ANSWER_FIELDS = (*pro_ctcae.Attribute.values, "temperature_c", "times_in_24h")


def answer_words(values: dict) -> list[str]:
    """NCI's response words for the answers in `values` (attribute -> position), and the
    numbers taken, as short phrases: "Frequently (frequency)", "38.5 °C". A row that has
    only severity answers reads as before, the word alone ("Severe")."""
    answered = [name for name in pro_ctcae.Attribute.values if values.get(name) is not None]
    named = answered != [pro_ctcae.Attribute.SEVERITY]
    words = []
    for name in answered:
        word = pro_ctcae.response_word(name, int(values[name]))
        words.append(f"{word} ({name})" if named else word)
    if values.get("temperature_c") is not None:
        # One decimal, as stored (SQLite's MAX gives back a float).
        words.append(f"{values['temperature_c']:.1f} °C")
    if values.get("times_in_24h") is not None:
        times = values["times_in_24h"]
        words.append(f"{times} time{'s' if times != 1 else ''} in 24 h")
    return words


def _level(values: dict) -> int:
    """The highest position on any graded scale; -1 when none was answered."""
    return max((int(values[name]) for name in GRADED if values.get(name) is not None), default=-1)


@dataclass
class SymptomRow:
    symptom_id: int | None
    words_key: str
    name: str
    body_site: str
    urgency: str
    guidance_text: str
    entries: int
    days_logged: int
    # Severity, the one scale the trend and the timeline read; None when no entry of the
    # row was rated for severity (a symptom NCI asks only how often, or a temperature).
    worst: int | None
    latest: int | None
    first_at: datetime
    last_at: datetime
    first_half_average: float | None
    second_half_average: float | None
    # How many of the row's entries a caregiver entered for the patient.
    entered_by_others: int = 0
    timeline: list[int | None] = field(default_factory=list)
    # Per timeline column: logged at all (an entry without severity has no bar).
    timeline_logged: list[bool] = field(default_factory=list)
    # Each attribute's highest answer in the period and the highest numbers taken; and the
    # latest entry's answers and numbers.
    worst_values: dict = field(default_factory=dict)
    latest_values: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int | None, str]:
        return (self.symptom_id, self.words_key)

    @property
    def worst_word(self) -> str:
        return Severity(self.worst).label if self.worst is not None else ""

    @property
    def latest_word(self) -> str:
        return Severity(self.latest).label if self.latest is not None else ""

    @property
    def worst_answers(self) -> str:
        return "; ".join(answer_words(self.worst_values))

    @property
    def latest_answers(self) -> str:
        return "; ".join(answer_words(self.latest_values))

    @property
    def worst_level(self) -> int:
        return _level(self.worst_values)

    @property
    def latest_level(self) -> int:
        return _level(self.latest_values)

    @property
    def trend(self) -> str | None:
        if self.first_half_average is None or self.second_half_average is None:
            return None
        change = float(self.second_half_average) - float(self.first_half_average)
        if change >= TREND_THRESHOLD:
            return "worse"
        if change <= -TREND_THRESHOLD:
            return "better"
        return "same"

    @property
    def trend_word(self) -> str:
        return TREND_WORDS[self.trend][0]

    @property
    def trend_arrow(self) -> str:
        return TREND_WORDS[self.trend][1]

    @property
    def needs_contact(self) -> bool:
        return self.urgency in (Urgency.CONTACT, Urgency.EMERGENCY)

    @property
    def body_site_label(self) -> str:
        return BodySite(self.body_site).label if self.body_site else "Not given"


def _entries(patient, summary_range: SummaryRange) -> DiaryEntryQuerySet:
    return DiaryEntry.objects.for_patient(patient).between(summary_range.start, summary_range.end)


def symptom_overview(patient, summary_range: SummaryRange) -> list[SymptomRow]:
    """One row per symptom (or per own-words phrase), worst first. Two queries."""
    entries = _entries(patient, summary_range).annotate(words_key=WORDS_KEY)
    local_day = local_day_number(summary_range.start, summary_range.end)
    midpoint = summary_range.midpoint
    aggregates = (
        entries.order_by()
        .values(
            "symptom_id",
            "words_key",
            "symptom__name",
            "symptom__body_site",
            "symptom__urgency",
            "symptom__guidance_text",
        )
        .annotate(
            own_words=Max("own_words"),
            entries=Count("pk"),
            days_logged=Count(local_day, distinct=True),
            worst=Max("severity"),
            worst_frequency=Max("frequency"),
            worst_interference=Max("interference"),
            worst_amount=Max("amount"),
            # PostgreSQL has no MAX of a boolean: Yes counts as 1.
            worst_presence=Max(Cast("presence", IntegerField())),
            worst_temperature_c=Max("temperature_c"),
            worst_times_in_24h=Max("times_in_24h"),
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
            first_half_average=Avg("severity", filter=Q(occurred_at__lt=midpoint)),
            second_half_average=Avg("severity", filter=Q(occurred_at__gte=midpoint)),
            entered_by_others=Count("pk", filter=Q(entered_by__isnull=False)),
        )
    )
    latest = (
        entries.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("symptom_id"), WORDS_KEY],
                order_by=[F("occurred_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values_list("symptom_id", "words_key", *ANSWER_FIELDS)
    )
    latest_by_key = {
        (symptom_id, key): dict(zip(ANSWER_FIELDS, values, strict=True))
        for symptom_id, key, *values in latest
    }
    rows = []
    for row in aggregates:
        worst_values = {name: row[f"worst_{name}"] for name in ANSWER_FIELDS if name != "severity"}
        worst_values["severity"] = row["worst"]
        latest_values = latest_by_key[(row["symptom_id"], row["words_key"])]
        rows.append(
            SymptomRow(
                symptom_id=row["symptom_id"],
                words_key=row["words_key"],
                name=row["symptom__name"] or row["own_words"],
                body_site=row["symptom__body_site"] or "",
                urgency=row["symptom__urgency"] or Urgency.ROUTINE,
                guidance_text=row["symptom__guidance_text"] or "",
                entries=row["entries"],
                days_logged=row["days_logged"],
                worst=row["worst"],
                latest=latest_values["severity"],
                first_at=row["first_at"],
                last_at=row["last_at"],
                first_half_average=row["first_half_average"],
                second_half_average=row["second_half_average"],
                entered_by_others=row["entered_by_others"],
                worst_values=worst_values,
                latest_values=latest_values,
            )
        )
    rows.sort(key=lambda row: (-row.worst_level, -row.latest_level, row.name.lower()))
    return rows


# -- Needs attention ----------------------------------------------------------------------

# The two rules are the diary's own (the care notice shown when an entry is logged): rated
# Severe or worse, or RISE_LEVELS above an entry of the same symptom in the RISE_WINDOW
# before. AttentionLine and Attention say them in words.
SEVERE_FROM = Severity.SEVERE
RISE_LEVELS = DiaryEntry.RISE_LEVELS
RISE_WINDOW = DiaryEntry.RISE_WINDOW
RISE_RULE = f"rose {apnumber(RISE_LEVELS)} or more levels within {RISE_WINDOW.days} days"
GUIDANCE_LABELS = {
    Urgency.CONTACT: "Contact guidance",
    Urgency.EMERGENCY: "Emergency guidance",
}


@dataclass
class AttentionLine:
    """One symptom (or own-words phrase) that needs attention: why, in a single line."""

    name: str
    # None for a symptom listed only for its guidance and never rated for severity.
    worst: int | None
    days_logged: int
    # The newest flagged entry; for a symptom listed only for its guidance, its last entry.
    last_at: datetime
    severe_days: int = 0
    last_severe_at: datetime | None = None
    rises: int = 0
    # Over all the rises: the lowest level risen from, and the highest risen to.
    rise_from: int | None = None
    rise_to: int | None = None
    last_rise_at: datetime | None = None
    urgency: str = Urgency.ROUTINE
    guidance_text: str = ""

    @property
    def flagged(self) -> bool:
        return bool(self.severe_days or self.rises)

    @property
    def worst_word(self) -> str:
        return Severity(self.worst).label if self.worst is not None else ""

    @property
    def rise_from_word(self) -> str:
        return Severity(self.rise_from).label if self.rise_from is not None else ""

    @property
    def rise_to_word(self) -> str:
        return Severity(self.rise_to).label if self.rise_to is not None else ""

    @property
    def guidance_label(self) -> str:
        return GUIDANCE_LABELS.get(self.urgency, "")

    @property
    def severe_rule(self) -> str:
        return f"{SEVERE_FROM.label} or worse"

    @property
    def rise_rule(self) -> str:
        return RISE_RULE


@dataclass
class RedFlagLine:
    """One red-flag rule the period's entries of one symptom raised: how often, and when last.

    From the rule each entry stored when it was saved (DiaryEntry.red_flag), so the list
    says what the patient was told at the time."""

    rule: str
    # The entries' symptom (or own words), named when the rule is not about one symptom
    # (a temperature, a top-level answer) or is about another one (a companion rule).
    symptom: str
    level: str
    times: int
    last_at: datetime

    @property
    def is_emergency(self) -> bool:
        return self.level == Urgency.EMERGENCY

    @property
    def level_label(self) -> str:
        return NoticeLevel(self.level).label


@dataclass
class Attention:
    lines: list[AttentionLine]
    red_flags: list[RedFlagLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines or self.red_flags)

    @property
    def nothing_flagged(self) -> str:
        severe = " or ".join(level.label for level in Severity if level >= SEVERE_FROM)
        return (
            f"Nothing in this period was rated {severe}, {RISE_RULE}, raised a red flag, "
            "or is a symptom to contact the care team about."
        )


def red_flag_lines(patient, summary_range: SummaryRange) -> list[RedFlagLine]:
    """The period's red flags, one line per rule and symptom: emergencies first, then the
    newest. One query, grouped in the database."""
    groups = (
        _entries(patient, summary_range)
        .filter(red_flag__isnull=False)
        .annotate(words_key=WORDS_KEY)
        .order_by()
        .values(
            "red_flag_id",
            "red_flag__name",
            "red_flag__level",
            "red_flag__symptom_id",
            "symptom_id",
            "symptom__name",
            "words_key",
        )
        .annotate(own_words=Max("own_words"), times=Count("pk"), last_at=Max("occurred_at"))
    )
    lines = [
        RedFlagLine(
            rule=group["red_flag__name"],
            symptom=""
            if group["symptom_id"] is not None
            and group["symptom_id"] == group["red_flag__symptom_id"]
            else group["symptom__name"] or group["own_words"],
            level=group["red_flag__level"],
            times=group["times"],
            last_at=group["last_at"],
        )
        for group in groups
    ]
    lines.sort(
        key=lambda line: (not line.is_emergency, -line.last_at.timestamp(), line.rule.lower())
    )
    return lines


_RISE_WINDOW_US = RISE_WINDOW // timedelta(microseconds=1)


class _RangeBefore(ValueRange):
    """RANGE BETWEEN <start> PRECEDING AND CURRENT ROW, on PostgreSQL too.

    Django refuses offsets in RANGE frames on PostgreSQL, a limit of PostgreSQL 10 and
    older; 11 and newer take them when the frame is ordered by one numeric expression,
    as here (microseconds since 1970).
    """

    def window_frame_start_end(self, connection, start, end):
        assert isinstance(start, int) and start < 0 and end == 0, (start, end)
        return f"{-start} {connection.ops.PRECEDING}", connection.ops.CURRENT_ROW


def _flagged_groups(patient, summary_range: SummaryRange) -> list[tuple]:
    """Per symptom (or own-words phrase), the range's entries rated Severe or worse, or
    RISE_LEVELS above an entry of the same symptom in the RISE_WINDOW before them (which
    may lie just before the range). One query.

    Each entry's "lowest severity in the week before" is a window function over the
    patient's entries ordered by time: MIN over a frame reaching back exactly RISE_WINDOW
    and leaving out the entry itself and any logged at the same instant. One sorted pass,
    so a burst of entries costs n log n, not n times the entries in its week.

    Rows: (symptom_id, words_key, worst, last_at, severe_days, last_severe_at, rises,
    rise_from, rise_to, last_rise_at).
    """
    low, high = (
        start_of_day(summary_range.start),
        start_of_day(summary_range.end + timedelta(days=1)),
    )
    window = (
        DiaryEntry.objects.for_patient(patient)
        # In UTC: a week back from local midnight in local time would be an hour off
        # when the clocks changed during that week.
        .filter(occurred_at__gte=low.astimezone(UTC) - RISE_WINDOW, occurred_at__lt=high)
        .annotate(
            # Named columns: the grouping query below reads them by these names.
            entry_symptom=F("symptom_id"),
            entry_severity=F("severity"),
            entry_at=F("occurred_at"),
            words_key=WORDS_KEY,
            local_day=local_day_number(summary_range.start, summary_range.end),
            lowest_before=Window(
                Min("severity"),
                partition_by=[F("symptom_id"), WORDS_KEY],
                order_by=EpochMicroseconds("occurred_at").asc(),
                frame=_RangeBefore(
                    start=-_RISE_WINDOW_US, end=0, exclusion=WindowFrameExclusion.GROUP
                ),
            ),
        )
        .order_by()
        .values_list(
            "entry_symptom", "words_key", "entry_severity", "entry_at", "local_day", "lowest_before"
        )
    )
    inner, params = window.query.sql_with_params()
    severe, rose = f"entry_severity >= {int(SEVERE_FROM)}", "rose = 1"
    # Django cannot aggregate over a window function, so the grouping is written here;
    # the rows it groups come from the ORM's query above, and every other part of the
    # text is a constant of this module.
    sql = f"""
        SELECT entry_symptom, words_key, MAX(entry_severity), MAX(entry_at),
            COUNT(DISTINCT CASE WHEN {severe} THEN local_day END),
            MAX(CASE WHEN {severe} THEN entry_at END),
            COUNT(CASE WHEN {rose} THEN 1 END),
            MIN(CASE WHEN {rose} THEN lowest_before END),
            MAX(CASE WHEN {rose} THEN entry_severity END),
            MAX(CASE WHEN {rose} THEN entry_at END)
        FROM (
            SELECT w.*, CASE WHEN entry_severity >= {int(RISE_LEVELS)}
                AND lowest_before <= entry_severity - {int(RISE_LEVELS)} THEN 1 ELSE 0 END AS rose
            FROM ({inner}) w
        ) f
        WHERE entry_at >= %s AND ({severe} OR {rose})
        GROUP BY entry_symptom, words_key
    """  # noqa: S608
    start = connection.ops.adapt_datetimefield_value(low)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start])
        rows = cursor.fetchall()
    # Timestamps read without the ORM: SQLite gives the stored text, in the connection's
    # time zone (UTC unless DATABASES sets another).
    return [
        tuple(_aware(value) if index in (3, 5, 9) else value for index, value in enumerate(row))
        for row in rows
    ]


def _aware(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        return timezone.make_aware(parse_datetime(value), connection.timezone)
    return value


def needs_attention(patient, summary_range: SummaryRange, rows: list[SymptomRow]) -> Attention:
    """The red flags first (red_flag_lines), then one line per symptom, worst first, then
    newest. Two queries: the red flags and the flagged entries are grouped in the database;
    names, days logged and guidance come from the overview rows.
    """
    names = (
        "worst",
        "last_at",
        "severe_days",
        "last_severe_at",
        "rises",
        "rise_from",
        "rise_to",
        "last_rise_at",
    )
    flagged = {
        (symptom_id, words_key): dict(zip(names, values, strict=True))
        for symptom_id, words_key, *values in _flagged_groups(patient, summary_range)
    }
    lines = []
    for row in rows:
        group = flagged.get(row.key)
        if group is None and not row.needs_contact:
            continue
        lines.append(
            AttentionLine(
                name=row.name,
                days_logged=row.days_logged,
                urgency=row.urgency,
                guidance_text=row.guidance_text,
                **(group or {"worst": row.worst, "last_at": row.last_at}),
            )
        )
    lines.sort(
        key=lambda line: (
            -(line.worst if line.worst is not None else -1),
            -line.last_at.timestamp(),
            line.name.lower(),
        )
    )
    return Attention(lines, red_flag_lines(patient, summary_range))


# -- Timeline -----------------------------------------------------------------------------


def timeline(patient, summary_range: SummaryRange, rows: list[SymptomRow]) -> Timeline:
    """Worst severity per symptom per column (a day, or a few days for long ranges).

    Only rows with a severity rating are drawn; the others (a symptom NCI asks only how
    often, a temperature) are named under the chart. An entry without severity in a drawn
    row leaves its column "logged" with no bar.
    At most TIMELINE_MAX_COLUMNS times the number of symptoms rows leave the database. One query.
    """
    bucket_days = max(1, math.ceil(summary_range.days / TIMELINE_MAX_COLUMNS))
    rated = [row for row in rows if row.worst is not None]
    shown = rated[:TIMELINE_MAX_ROWS]
    columns = math.ceil(summary_range.days / bucket_days)
    by_key = {row.key: row for row in shown}
    for row in shown:
        row.timeline = [None] * columns
        row.timeline_logged = [False] * columns
    if shown:
        local_day = local_day_number(summary_range.start, summary_range.end)
        bucket = (local_day - Value(day_number(summary_range.start))) / Value(bucket_days)
        cells = (
            _entries(patient, summary_range)
            .annotate(words_key=WORDS_KEY, bucket=bucket)
            .order_by()
            .values("symptom_id", "words_key", "bucket")
            .annotate(worst=Max("severity"))
        )
        for cell in cells:
            row = by_key.get((cell["symptom_id"], cell["words_key"]))
            if row is not None and 0 <= cell["bucket"] < columns:
                row.timeline[cell["bucket"]] = cell["worst"]
                row.timeline_logged[cell["bucket"]] = True
    return Timeline(
        summary_range,
        bucket_days,
        shown,
        hidden_rows=len(rated) - len(shown),
        unrated=[row for row in rows if row.worst is None],
    )


# -- Notes, questions, reading ------------------------------------------------------------


def recent_notes(patient, summary_range: SummaryRange) -> list[DiaryEntry]:
    """The newest notes, cut short in the database so a long note never loads whole."""
    return list(
        _entries(patient, summary_range)
        .exclude(note="")
        .select_related("symptom")
        .defer("note")
        .annotate(preview=Substr("note", 1, NOTE_PREVIEW_CHARS + 1))
        .order_by("-occurred_at", "-pk")[:NOTES_LIMIT]
    )


def entered_by_others(patient, summary_range: SummaryRange, rows: list[SymptomRow]) -> list:
    """The caregivers who entered any of the range's entries; no query when the overview's
    rows say nobody did."""
    if not any(row.entered_by_others for row in rows):
        return []
    helpers = (
        _entries(patient, summary_range)
        .filter(entered_by__isnull=False)
        .values_list("entered_by", flat=True)
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=helpers).order_by("pk"))


def open_questions(patient):
    return list(Question.objects.for_patient(patient).not_asked()[:QUESTIONS_LIMIT])


def reading_for(rows: list[SymptomRow]) -> list[Section]:
    symptom_ids = [row.symptom_id for row in rows if row.symptom_id is not None]
    if not symptom_ids:
        return []
    return list(
        Section.objects.published()
        .filter(symptom_links__symptom_id__in=symptom_ids)
        .select_related("article")
        .distinct()
        .order_by("article__title", "order", "pk")
    )
