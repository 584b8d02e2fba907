"""The appointment summary: what happened in a date range, computed in the database.

Every function here runs a fixed number of queries whatever the length of the range, so
five years of diary cost the same number of round trips as one week.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import apnumber
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Lower, Substr, Trim
from django.utils import dateformat, timezone

from education import pro_ctcae
from education.models import BodySite, Section, Symptom, Urgency
from portal.models import (
    CheckIn,
    DiaryDay,
    DiaryEntry,
    DiaryEntryQuerySet,
    NoticeLevel,
    Question,
    Severity,
    start_of_day,
)
from portal.summary.chart import Timeline
from portal.summary.days import EPOCH, DayNumber, day_number, local_day_number

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
    def second_half_start(self) -> date:
        """The first day of the range's second half, for the trend: the halves are whole
        days, the middle day of an odd number of them in the second half."""
        return self.start + timedelta(days=self.days // 2)

    def query(self) -> str:
        return f"start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"


def default_range(last_start: datetime | None, today: date | None = None) -> SummaryRange:
    """From the last past appointment (when it started) to today; the last 30 days when
    there is none."""
    today = today or timezone.localdate()
    if last_start is not None:
        start = min(timezone.localtime(last_start).date(), today)
        return SummaryRange(start, today, since_appointment=True)
    return preset_range(DEFAULT_DAYS, today)


def preset_range(days: int, today: date | None = None) -> SummaryRange:
    today = today or timezone.localdate()
    return SummaryRange(today - timedelta(days=days - 1), today)


# -- Symptom overview ---------------------------------------------------------------------

# Trend: the second half's average must differ from the first half's by this much.
TREND_THRESHOLD = 0.5
TREND_RULE = (
    "Trend compares the average severity in the first and second half of the period "
    "(same: within half a level)."
)
TREND_WORDS = {
    "better": ("Better", "↓"),
    "same": ("Same", "→"),
    "worse": ("Worse", "↑"),
    None: ("Too few to compare", ""),
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
    # How many of the row's entries a caregiver entered for the patient, and have a note.
    entered_by_others: int = 0
    notes: int = 0
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


def _days(patient, summary_range: SummaryRange):
    """The range's day rollups (DiaryDay): one row per symptom (or own-words phrase) and
    local day, so what the database reads follows days times symptoms, never entries."""
    return DiaryDay.objects.for_patient(patient).between(summary_range.start, summary_range.end)


def _of_rows(rows: list[SymptomRow]) -> Q:
    """The day rollups of these rows' symptoms and own words only (by their unique indexes)."""
    words = [row.words_key for row in rows if row.symptom_id is None]
    return Q(symptom_id__in=[row.symptom_id for row in rows if row.symptom_id is not None]) | Q(
        symptom__isnull=True, words_key__in=words
    )


def _average(total: int | None, count: int | None) -> float | None:
    return total / count if count else None


def symptom_overview(patient, summary_range: SummaryRange) -> list[SymptomRow]:
    """One row per symptom (or per own-words phrase), worst first. Two queries, over the
    range's day rollups: the aggregates, and each row's last day for its latest answers."""
    days = _days(patient, summary_range)
    first_half = Q(day__lt=summary_range.second_half_start)
    aggregates = (
        days.order_by()
        .values("symptom_id", "words_key")
        .annotate(
            own_words=Max("own_words"),
            entries=Sum("entries"),
            days_logged=Count("pk"),
            worst=Max("max_severity"),
            worst_frequency=Max("max_frequency"),
            worst_interference=Max("max_interference"),
            worst_amount=Max("max_amount"),
            # PostgreSQL has no MAX of a boolean: Yes counts as 1.
            worst_presence=Max(Cast("max_presence", IntegerField())),
            worst_temperature_c=Max("max_temperature_c"),
            worst_times_in_24h=Max("max_times_in_24h"),
            first_at=Min("first_at"),
            last_at=Max("last_at"),
            first_half_sum=Sum("severity_sum", filter=first_half),
            first_half_count=Sum("severity_count", filter=first_half),
            second_half_sum=Sum("severity_sum", filter=~first_half),
            second_half_count=Sum("severity_count", filter=~first_half),
            entered_by_others=Sum("entered_by_others"),
            notes=Sum("notes"),
        )
        # The symptom's own fields once per row (grouped by its id alone, not by its text).
        .annotate(
            **{
                f"symptom__{name}": Subquery(
                    Symptom.objects.filter(pk=OuterRef("symptom_id")).values(name)
                )
                for name in ("name", "body_site", "urgency", "guidance_text")
            }
        )
    )
    aggregates = list(aggregates)
    # Each row's last day holds its latest entry's answers: those days' rows, by the index
    # of her days (a few rows per row of the overview, however long the range).
    last_days = {
        (row["symptom_id"], row["words_key"]): timezone.localtime(
            row["last_at"], timezone.get_default_timezone()
        ).date()
        for row in aggregates
    }
    latest_fields = [f"latest_{name}" for name in ANSWER_FIELDS]
    latest = (
        _days(patient, summary_range)
        .filter(day__in=set(last_days.values()))
        .order_by()
        .values_list("symptom_id", "words_key", "day", *latest_fields)
    )
    latest_by_key = {
        (symptom_id, key): dict(zip(ANSWER_FIELDS, values, strict=True))
        for symptom_id, key, day, *values in latest
        if last_days.get((symptom_id, key)) == day
    }
    rows = []
    for row in aggregates:
        worst_values = {name: row[f"worst_{name}"] for name in ANSWER_FIELDS if name != "severity"}
        worst_values["severity"] = row["worst"]
        latest_values = latest_by_key[(row["symptom_id"], row["words_key"])]
        if latest_values["presence"] is not None:
            latest_values["presence"] = int(latest_values["presence"])
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
                first_half_average=_average(row["first_half_sum"], row["first_half_count"]),
                second_half_average=_average(row["second_half_sum"], row["second_half_count"]),
                entered_by_others=row["entered_by_others"],
                notes=row["notes"],
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
# What the symptom's guidance says, for the clinician: not the advice itself.
GUIDANCE_NOTES = {
    Urgency.CONTACT: "the patient's guidance: contact the care team",
    Urgency.EMERGENCY: "the patient's guidance: an emergency",
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

    def detail(self, date_format: str) -> str:
        """Why the line is here, in a clinician's words (never the patient's advice)."""

        def day(value: datetime) -> str:
            return dateformat.format(timezone.localtime(value), date_format)

        parts = []
        if self.flagged and self.worst is not None:
            parts.append(f"{self.worst_word} at worst")
        if self.rises:
            times = "" if self.rises == 1 else f" {self.rises} times"
            last = "on" if self.rises == 1 else "last"
            parts.append(
                f"rose {RISE_LEVELS}+ levels within {RISE_WINDOW.days} days{times} "
                f"({self.rise_from_word} to {self.rise_to_word}), {last} {day(self.last_rise_at)}"
            )
        if self.severe_days:
            parts.append(
                f"{self.severe_rule} on {self.severe_days} of {self.days_logged} "
                f"day{'s' if self.days_logged != 1 else ''} reported, last "
                f"{day(self.last_severe_at)}"
            )
        if not self.flagged:
            worst = f", {self.worst_word} at worst" if self.worst is not None else ""
            parts.append(
                f"reported on {self.days_logged} day{'s' if self.days_logged != 1 else ''}{worst}"
            )
        if self.guidance_label:
            parts.append(GUIDANCE_NOTES[self.urgency])
        return "; ".join(parts) + "."

    def text(self, date_format: str) -> str:
        return f"{self.name} — {self.detail(date_format)}"


@dataclass
class RedFlagLine:
    """One red-flag rule the period's entries raised, in a clinician's words: the days,
    how many reports and the highest grade ("Vomiting 6 or more times in 24 h — 24 Nov,
    29 Nov; 2 reports; highest: Frequently (frequency), Severe (severity)").

    From the rule each entry stored when it was saved (DiaryEntry.red_flag), so the list
    says what the patient was told at the time."""

    # The rule's own (staff) name, and the rule in a clinician's words (_rule_label).
    rule: str
    label: str
    level: str
    # The entries' symptoms (or own words), named when the rule is not about one symptom
    # (a temperature, a top-level answer) or is about another one (a companion rule).
    symptoms: list[str]
    days: list[date]
    reports: int
    highest: str
    last_at: datetime

    @property
    def is_emergency(self) -> bool:
        return self.level == Urgency.EMERGENCY

    @property
    def level_label(self) -> str:
        return NoticeLevel(self.level).label

    @property
    def symptom(self) -> str:
        return ", ".join(self.symptoms)

    def dates(self, date_format: str) -> str:
        """The days, listed when there are a few: "24 Nov, 29 Nov"; else the first and
        last: "12 days, 3 Jan to 29 Nov"."""
        if len(self.days) <= RED_FLAG_DAYS_LISTED:
            return ", ".join(dateformat.format(day, date_format) for day in self.days)
        first, last = (dateformat.format(day, date_format) for day in (self.days[0], self.days[-1]))
        return f"{len(self.days)} days, {first} to {last}"

    @property
    def heading(self) -> str:
        """ "Emergency: Seizures", "Vomiting 6 or more times in 24 h (Nausea)"."""
        about = f" ({self.symptom})" if self.symptoms else ""
        return f"{'Emergency: ' if self.is_emergency else ''}{self.label}{about}"

    def detail(self, date_format: str) -> str:
        reports = f"{self.reports} report{'s' if self.reports != 1 else ''}"
        highest = f"; highest: {self.highest}" if self.highest else ""
        return f"{self.dates(date_format)}; {reports}{highest}"

    def text(self, date_format: str) -> str:
        """The line as printed (the template writes the same words with markup)."""
        return f"{self.heading} — {self.detail(date_format)}"


RED_FLAG_DAYS_LISTED = 4


@dataclass
class Attention:
    """Red flags first, then the symptoms that worsened (the rise rule), then the rest."""

    lines: list[AttentionLine]
    red_flags: list[RedFlagLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines or self.red_flags)

    @property
    def worsening(self) -> list[AttentionLine]:
        return [line for line in self.lines if line.rises]

    @property
    def others(self) -> list[AttentionLine]:
        return [line for line in self.lines if not line.rises]

    @property
    def nothing_flagged(self) -> str:
        severe = " or ".join(level.label for level in Severity if level >= SEVERE_FROM)
        return (
            f"Nothing in this period was rated {severe}, {RISE_RULE}, raised a red flag, "
            "or is a symptom to contact the care team about."
        )


def _rule_label(group: dict) -> str:
    """The rule in a clinician's words: the symptom it is about, with the count it counts;
    its own (staff-written) name otherwise."""
    symptom = group["red_flag__symptom__name"]
    threshold = group["red_flag__threshold"]
    match group["red_flag__condition"]:
        case "reported" if symptom:
            return symptom
        case "times" if symptom and threshold is not None:
            return f"{symptom} {threshold:f}".rstrip("0").rstrip(".") + " or more times in 24 h"
    return group["red_flag__name"]


def _highest(group: dict) -> str:
    """The highest answer on each graded scale in NCI's words, each named as the overview
    names it ("Frequently (frequency), Severe (severity)"), and the numbers taken (the
    lowest temperature for a rule about a low one)."""
    words = [
        f"{pro_ctcae.response_word(name, int(group[f'top_{name}']))} ({name})"
        for name in GRADED
        if group[f"top_{name}"] is not None
    ]
    parts = [", ".join(words)] if words else []
    low = group["red_flag__condition"] == "temperature_below"
    temperature = group["low_temperature_c" if low else "top_temperature_c"]
    if temperature is not None:
        parts.append(f"{'lowest ' if low and words else ''}{float(temperature):.1f} °C")
    if group["top_times_in_24h"] is not None:
        parts.append(f"{group['top_times_in_24h']} times in 24 h")
    return "; ".join(parts)


def red_flag_lines(patient, summary_range: SummaryRange) -> list[RedFlagLine]:
    """The period's red flags, one line per rule: emergencies first, then the newest.
    One query, grouped per rule, symptom and local day in the database; it reads only the
    entries that raised a red flag (an index of them, entry_patient_red_flag_time)."""
    local_day = local_day_number(summary_range.start, summary_range.end)
    groups = (
        _entries(patient, summary_range)
        .filter(red_flag__isnull=False)
        .annotate(words_key=WORDS_KEY, day=local_day)
        .order_by()
        .values(
            "red_flag_id",
            "red_flag__name",
            "red_flag__level",
            "red_flag__condition",
            "red_flag__threshold",
            "red_flag__symptom_id",
            "red_flag__symptom__name",
            "symptom_id",
            "symptom__name",
            "words_key",
            "day",
        )
        .annotate(
            own_words=Max("own_words"),
            reports=Count("pk"),
            last_at=Max("occurred_at"),
            top_frequency=Max("frequency"),
            top_severity=Max("severity"),
            top_interference=Max("interference"),
            top_amount=Max("amount"),
            top_temperature_c=Max("temperature_c"),
            low_temperature_c=Min("temperature_c"),
            top_times_in_24h=Max("times_in_24h"),
        )
    )
    by_rule: dict[int, dict] = {}
    for group in groups:
        rule = by_rule.setdefault(
            group["red_flag_id"],
            {**group, "symptoms": [], "days": set(), "reports": 0, "rows": []},
        )
        rule["rows"].append(group)
        rule["days"].add(EPOCH + timedelta(days=group["day"]))
        rule["reports"] += group["reports"]
        rule["last_at"] = max(rule["last_at"], group["last_at"])
        own = (
            group["symptom_id"] is not None and group["symptom_id"] == group["red_flag__symptom_id"]
        )
        name = group["symptom__name"] or group["own_words"]
        if not own and name not in rule["symptoms"]:
            rule["symptoms"].append(name)
    lines = []
    for rule in by_rule.values():
        top = {}
        for name in (*(f"top_{name}" for name in GRADED), "top_temperature_c", "top_times_in_24h"):
            values = [row[name] for row in rule["rows"] if row[name] is not None]
            top[name] = max(values) if values else None
        lows = [row["low_temperature_c"] for row in rule["rows"] if row["low_temperature_c"]]
        top["low_temperature_c"] = min(lows) if lows else None
        lines.append(
            RedFlagLine(
                rule=rule["red_flag__name"],
                label=_rule_label(rule),
                level=rule["red_flag__level"],
                symptoms=sorted(rule["symptoms"], key=str.lower),
                days=sorted(rule["days"]),
                reports=rule["reports"],
                highest=_highest({**top, "red_flag__condition": rule["red_flag__condition"]}),
                last_at=rule["last_at"],
            )
        )
    lines.sort(
        key=lambda line: (not line.is_emergency, -line.last_at.timestamp(), line.label.lower())
    )
    return lines


def _flagged_groups(patient, summary_range: SummaryRange) -> list[tuple]:
    """Per symptom (or own-words phrase), the range's entries rated Severe or worse, or
    RISE_LEVELS above the lowest entry of the same symptom in the RISE_WINDOW before them
    (which may lie just before the range; not counting entries at the same instant). One
    query over the day rollups, which keep each day's severe entries and rises (DiaryDay).

    Rows: (symptom_id, words_key, worst, last_at, severe_days, last_severe_at, rises,
    rise_from, rise_to, last_rise_at).
    """
    severe = Q(severe_entries__gt=0)
    groups = (
        _days(patient, summary_range)
        .filter(severe | Q(rises__gt=0))
        .order_by()
        .values("symptom_id", "words_key")
        .annotate(
            severe_worst=Max("max_severity", filter=severe),
            severe_days=Count("pk", filter=severe),
            last_severe_at=Max("last_severe_at"),
            rises=Sum("rises"),
            rise_from=Min("rise_from"),
            rise_to=Max("rise_to"),
            last_rise_at=Max("last_rise_at"),
        )
    )
    rows = []
    for group in groups:
        # The flagged entries are the severe ones and the rises: the highest and newest of both.
        worst = max(
            value for value in (group["severe_worst"], group["rise_to"]) if value is not None
        )
        last_at = max(
            value for value in (group["last_severe_at"], group["last_rise_at"]) if value is not None
        )
        rows.append(
            (
                group["symptom_id"],
                group["words_key"],
                worst,
                last_at,
                group["severe_days"],
                group["last_severe_at"],
                group["rises"],
                group["rise_from"],
                group["rise_to"],
                group["last_rise_at"],
            )
        )
    return rows


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


def timeline(
    patient,
    summary_range: SummaryRange,
    rows: list[SymptomRow],
    max_rows: int = TIMELINE_MAX_ROWS,
) -> Timeline:
    """Worst severity per symptom per column (a day, or a few days for long ranges).

    Only rows with a severity rating are drawn; the others (a symptom NCI asks only how
    often, a temperature) are named under the chart. An entry without severity in a drawn
    row leaves its column "logged" with no bar.
    At most TIMELINE_MAX_COLUMNS times the number of symptoms rows leave the database, from
    the range's day rollups. One query.
    """
    bucket_days = max(1, math.ceil(summary_range.days / TIMELINE_MAX_COLUMNS))
    rated = [row for row in rows if row.worst is not None]
    shown = rated[:max_rows]
    columns = math.ceil(summary_range.days / bucket_days)
    by_key = {row.key: row for row in shown}
    for row in shown:
        row.timeline = [None] * columns
        row.timeline_logged = [False] * columns
    if shown:
        bucket = (DayNumber("day") - Value(day_number(summary_range.start))) / Value(bucket_days)
        cells = (
            _days(patient, summary_range)
            .filter(_of_rows(shown))
            .annotate(bucket=bucket)
            .order_by()
            .values("symptom_id", "words_key", "bucket")
            .annotate(worst=Max("max_severity"))
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


# -- Weekly check-ins ----------------------------------------------------------------------


@dataclass
class CheckIns:
    """The weekly check-ins she submitted in the range: how many, and when the last was. Their
    answers are diary entries, so the overview and the rest already count them."""

    count: int
    last_at: datetime | None
    # Whether she has ever submitted one: a patient who never has gets no line.
    any_ever: bool

    def __bool__(self) -> bool:
        return self.any_ever

    def text(self, date_format: str) -> str:
        if not self.count:
            return "Weekly check-ins: none in this period."
        day = dateformat.format(timezone.localtime(self.last_at), date_format)
        when = f"last {day}" if self.count > 1 else f"on {day}"
        return f"Weekly check-ins: {self.count} in this period, {when}."


def check_ins(patient, summary_range: SummaryRange) -> CheckIns:
    """One query: the range's submitted check-ins counted, the last one's time, and whether
    there is any at all."""
    in_range = Q(
        submitted_at__gte=start_of_day(summary_range.start),
        submitted_at__lt=start_of_day(summary_range.end + timedelta(days=1)),
    )
    found = (
        CheckIn.objects.for_patient(patient)
        .submitted()
        .aggregate(
            count=Count("pk", filter=in_range),
            last_at=Max("submitted_at", filter=in_range),
            ever=Count("pk"),
        )
    )
    return CheckIns(found["count"], found["last_at"], any_ever=bool(found["ever"]))


# -- Notes, questions, reading ------------------------------------------------------------


def recent_notes(patient, summary_range: SummaryRange, rows: list[SymptomRow]) -> list[DiaryEntry]:
    """The newest notes, cut short in the database so a long note never loads whole; each
    carries `total`, the period's number of notes (from the overview's rows, which count
    them per day). One query, reading NOTES_LIMIT rows of an index of the entries with a
    note (entry_patient_note_time)."""
    notes = list(
        _entries(patient, summary_range)
        .exclude(note="")
        .select_related("symptom")
        .defer("note")
        .annotate(preview=Substr("note", 1, NOTE_PREVIEW_CHARS + 1))
        .order_by("-occurred_at", "-pk")[:NOTES_LIMIT]
    )
    total = sum(row.notes for row in rows)
    for entry in notes:
        entry.total = total
    return notes


def entered_by_others(patient, summary_range: SummaryRange, rows: list[SymptomRow]) -> list:
    """The caregivers who entered any of the range's entries; no query when the overview's
    rows say nobody did. The query reads only the entries a caregiver entered (an index of
    them, entry_patient_entered_by_time)."""
    if not any(row.entered_by_others for row in rows):
        return []
    helpers = (
        _entries(patient, summary_range)
        .filter(entered_by__isnull=False)
        .values_list("entered_by", flat=True)
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=helpers).order_by("pk"))


def open_questions(patient) -> list[Question]:
    """The questions still to ask, oldest first; each carries `total`, how many there are."""
    return list(
        Question.objects.for_patient(patient)
        .not_asked()
        .annotate(total=Window(Count("pk")))[:QUESTIONS_LIMIT]
    )


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
