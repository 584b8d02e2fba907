import hashlib
import re
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from education import pro_ctcae
from education.models import (
    TEMPERATURE_RANGE,
    TIMES_IN_24H_MAX,
    RedFlagRule,
    Section,
    Symptom,
    Urgency,
    account_field,
)


class Severity(models.IntegerChoices):
    """The PRO-CTCAE severity words; always shown as words, never colour alone."""

    NONE = 0, "None"
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"
    VERY_SEVERE = 4, "Very severe"


def choices_of(words: tuple[str, ...]) -> list[tuple[int, str]]:
    return list(enumerate(words))


class NoticeLevel(models.TextChoices):
    NONE = "", "None"
    CONTACT = Urgency.CONTACT.value, "Contact the care team"
    EMERGENCY = Urgency.EMERGENCY.value, "Emergency"


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entered_by_field() -> models.ForeignKey:
    """A caregiver who saved the record for the patient; None when she did it herself."""
    return account_field()


class PatientOwnedQuerySet(models.QuerySet):
    """Records that belong to one patient (a `patient` foreign key)."""

    def for_patient(self, user):
        return self.filter(patient=user)


# A diary page's cursor names the last entry shown: microseconds since 1970 (17 digits
# reach past the year 5000) and a 64-bit primary key.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(\d{1,17})-(\d{1,18})$")


class DiaryEntryQuerySet(PatientOwnedQuerySet):
    def between(self, start: date | None, end: date | None):
        """Entries on local calendar days start..end inclusive (either end may be open)."""
        qs = self
        if start is not None:
            qs = qs.filter(occurred_at__gte=start_of_day(start))
        if end is not None:
            qs = qs.filter(occurred_at__lt=start_of_day(end + timedelta(days=1)))
        return qs

    def since(self, moment: datetime):
        return self.filter(occurred_at__gte=moment)

    def reporting_symptom(self):
        """Entries that say she has the symptom (DiaryEntry.reports_symptom, in SQL)."""
        return self.filter(
            models.Q(severity__gt=0)
            | models.Q(frequency__gt=0)
            | models.Q(interference__gt=0)
            | models.Q(amount__gt=0)
            | models.Q(presence=True)
            | models.Q(times_in_24h__isnull=False)
        )

    def newest_first(self):
        return self.order_by("-occurred_at", "-pk")

    def with_sections(self):
        """The symptom and its article sections, and who entered it (a caregiver), in a
        fixed number of queries."""
        return self.select_related("symptom", "entered_by").prefetch_related(
            "symptom__symptom_sections__section__article"
        )

    def same_complaint_as(self, entry: "DiaryEntry"):
        """Entries about the same symptom, or the same own words when none was chosen."""
        if entry.symptom_id:
            return self.filter(symptom_id=entry.symptom_id)
        return self.filter(symptom__isnull=True, own_words__iexact=entry.own_words)

    def before(self, cursor: str):
        """Keyset paging: the entries after the one `cursor` names, in newest_first()
        order, so a page costs the same however long the diary. A garbled cursor, none."""
        found = _CURSOR.match(cursor or "")
        if not found:
            return self
        moment = _EPOCH + timedelta(microseconds=int(found[1]))
        pk = int(found[2])
        return self.filter(
            models.Q(occurred_at__lt=moment) | models.Q(occurred_at=moment, pk__lt=pk)
        )

    def times_per_symptom(self, section: Section):
        """How often each of the section's symptoms was logged, most often first."""
        return (
            self.filter(symptom__symptom_sections__section=section)
            .values("symptom__name")
            .annotate(times=models.Count("pk"))
            .order_by("-times", "symptom__name")
        )

    # Bulk writes keep the day rollups (DiaryDay) in step, in the same transaction: the rows
    # they touch are read before and after, and those patients' affected days recomputed.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(savepoint=False):
            DiaryDay.objects.lock_patients({obj.patient_id for obj in objs})
            created = super().bulk_create(objs, *args, **kwargs)
            DiaryDay.objects.refresh([DiaryDay.touched_by(obj) for obj in objs])
        return created

    def update(self, **kwargs):
        if ROLLUP_FIELDS.isdisjoint(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(savepoint=False):
            before = list(self.values_list("pk", *TOUCH_FIELDS))
            DiaryDay.objects.lock_patients({row[1] for row in before})
            changed = super().update(**kwargs)
            after = DiaryEntry.objects.filter(pk__in=[row[0] for row in before])
            DiaryDay.objects.refresh(
                [*(row[1:] for row in before), *after.values_list(*TOUCH_FIELDS)]
            )
        return changed

    update.alters_data = True

    def delete(self):
        with transaction.atomic(savepoint=False):
            before = list(self.values_list(*TOUCH_FIELDS))
            DiaryDay.objects.lock_patients({row[0] for row in before})
            deleted = super().delete()
            DiaryDay.objects.refresh(before)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True

    def create_once(
        self, entry: "DiaryEntry", *, on_create: Callable[["DiaryEntry"], object]
    ) -> tuple["DiaryEntry", bool]:
        """Saves the new `entry`, or finds the one an earlier post of the same submission
        saved: (entry, created). on_create(entry) runs in the new entry's transaction (its
        audit row), and only when it is created. The database's unique constraint on the
        submission decides, so a first post (nearly every post) asks nothing before its
        insert; a repeated one is rolled back to its savepoint and finds the first."""
        try:
            with transaction.atomic():
                entry.save()
                on_create(entry)
        except IntegrityError:
            # A retried post, or two copies of one submission that raced: the first won.
            existing = None
            if entry.submission_id:
                saved = self.filter(patient_id=entry.patient_id, submission_id=entry.submission_id)
                existing = saved.first()
            if existing is None:
                raise
            return existing, False
        return entry, True


@dataclass(frozen=True)
class Answer:
    """One PRO-CTCAE answer: the attribute ("severity"), its question's short label, NCI's
    response word ("Moderate") and its position on the scale (2)."""

    attribute: str
    label: str
    word: str
    value: int


@dataclass
class CareNotice:
    """What the patient is told to do, and why. level is "emergency" or "contact"."""

    level: str
    reasons: list[str] = field(default_factory=list)
    guidance_text: str = ""
    guidance_source: str = ""
    # The clinician who signed the guidance off, and when; empty until one has.
    reviewed_by: str = ""
    reviewed_on: date | None = None
    # The red-flag rules the entry raised, emergencies first, each with its wording and source.
    red_flags: list[RedFlagRule] = field(default_factory=list)
    # Whether the rise rule fired (two levels worse within the week, or since the last check-in).
    rose: bool = False

    @property
    def is_emergency(self) -> bool:
        return self.level == Urgency.EMERGENCY


class DiaryEntry(models.Model):
    NOTE_MAX_LENGTH = 2000
    OWN_WORDS_MAX_LENGTH = 200

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_entries"
    )
    symptom = models.ForeignKey(
        Symptom, on_delete=models.PROTECT, null=True, blank=True, related_name="diary_entries"
    )
    own_words = models.CharField(
        max_length=OWN_WORDS_MAX_LENGTH,
        blank=True,
        help_text="What the patient typed, kept even when a symptom was chosen.",
    )
    # The PRO-CTCAE attributes its symptom asks, each as the position of NCI's response word
    # (education.pro_ctcae); empty when not asked or not answered. Entries from before the
    # library came in have severity only, and read as before.
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    frequency = models.PositiveSmallIntegerField(
        choices=choices_of(pro_ctcae.FREQUENCY_WORDS), null=True, blank=True
    )
    interference = models.PositiveSmallIntegerField(
        choices=choices_of(pro_ctcae.INTERFERENCE_WORDS), null=True, blank=True
    )
    amount = models.PositiveSmallIntegerField(
        choices=choices_of(pro_ctcae.AMOUNT_WORDS), null=True, blank=True
    )
    presence = models.BooleanField(choices=[(False, "No"), (True, "Yes")], null=True, blank=True)
    # The numbers a red-flag rule may need.
    temperature_c = models.DecimalField(
        "temperature (°C)", max_digits=3, decimal_places=1, null=True, blank=True
    )
    times_in_24h = models.PositiveSmallIntegerField(
        "times in the last 24 hours", null=True, blank=True
    )
    # What the patient was told when she saved it (a rollup, so that lists show each entry's
    # level without working it out again): "", "contact" or "emergency".
    notice_level = models.CharField(
        max_length=20, choices=NoticeLevel.choices, db_default=NoticeLevel.NONE, blank=True
    )
    red_flag = models.ForeignKey(
        RedFlagRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether the rise rule fired when she saved it (with red_flag: what makes an alert).
    rose = models.BooleanField(default=False, db_default=False)
    # The care team's alert this entry raised or joined (monitoring clinics only).
    alert = models.ForeignKey(
        "Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    # The weekly check-in the answer came from; None for an entry she logged herself.
    check_in = models.ForeignKey(
        "CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    occurred_at = models.DateTimeField()
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    # A random key the form carries, so a retried post (after a timeout) saves nothing twice.
    submission_id = models.UUIDField(null=True, blank=True, editable=False)
    entered_by = entered_by_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "diary entries"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="entry_patient_time"),
            # One patient's entries of one symptom over time: the diary's symptom filter
            # and the care notice's look at the week before use it (EXPLAIN on SQLite).
            models.Index(
                fields=["patient", "symptom", "occurred_at", "severity"],
                name="entry_patient_symptom_time",
            ),
            # The summary reads the day rollups (DiaryDay) and, from the entries, only these:
            # its newest notes, its red flags and who else entered any, each by an index of
            # just those entries, so a long diary without them costs nothing more.
            models.Index(
                fields=["patient", "-occurred_at", "-id"],
                condition=~models.Q(note=""),
                name="entry_patient_note_time",
            ),
            models.Index(
                fields=["patient", "occurred_at"],
                condition=models.Q(red_flag__isnull=False),
                name="entry_patient_red_flag_time",
            ),
            models.Index(
                fields=["patient", "occurred_at"],
                condition=models.Q(entered_by__isnull=False),
                name="entry_patient_entered_by_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=0, severity__lte=4), name="entry_severity_0_to_4"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0, f"{name}__lte": 4}),
                    name=f"entry_{name}_0_to_4",
                )
                for name in ("frequency", "interference", "amount")
            ],
            models.CheckConstraint(
                condition=models.Q(
                    temperature_c__gte=TEMPERATURE_RANGE[0], temperature_c__lte=TEMPERATURE_RANGE[1]
                ),
                name="entry_temperature_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(times_in_24h__gte=1, times_in_24h__lte=TIMES_IN_24H_MAX),
                name="entry_times_in_24h_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(notice_level__in=NoticeLevel.values),
                name="entry_notice_level_valid",
            ),
            # Every entry says something about how it is: an answer or a number.
            models.CheckConstraint(
                condition=models.Q(severity__isnull=False)
                | models.Q(frequency__isnull=False)
                | models.Q(interference__isnull=False)
                | models.Q(amount__isnull=False)
                | models.Q(presence__isnull=False)
                | models.Q(temperature_c__isnull=False)
                | models.Q(times_in_24h__isnull=False),
                name="entry_has_an_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(symptom__isnull=False) | ~models.Q(own_words=""),
                name="entry_has_symptom_or_own_words",
            ),
            models.UniqueConstraint(
                fields=["patient", "submission_id"], name="entry_submission_once"
            ),
        ]

    def __str__(self) -> str:
        # No health data: the admin copies this into its log, which outlives the entry.
        return f"Diary entry {self.pk}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        rollup = update_fields is None or not ROLLUP_FIELDS.isdisjoint(update_fields)
        # One transaction for the entry and its day rollups (DiaryDay): the old day and
        # symptom (an edit can move it across midnight or to another symptom) and the new.
        with transaction.atomic(savepoint=False):
            if rollup:
                DiaryDay.objects.lock_patients({self.patient_id})
                before = []
                if not self._state.adding and self.pk is not None:
                    before = list(DiaryEntry.objects.filter(pk=self.pk).values_list(*TOUCH_FIELDS))
            # A new row (an instance given the pk of an existing one is not: recomputed).
            adding = self._state.adding and self.pk is None
            super().save(*args, **kwargs)
            if rollup and adding:
                DiaryDay.objects.add(self)
            elif rollup:
                DiaryDay.objects.refresh([*before, DiaryDay.touched_by(self)])
        if self.red_flag_id or self.rose:
            self.raise_alert()

    def get_absolute_url(self) -> str:
        return reverse("diary:entry_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            DiaryDay.objects.lock_patients({self.patient_id})
            before = list(DiaryEntry.objects.filter(pk=self.pk).values_list(*TOUCH_FIELDS))
            deleted = super().delete(*args, **kwargs)
            DiaryDay.objects.refresh(before)
        return deleted

    @property
    def label(self) -> str:
        return self.symptom.name if self.symptom_id else self.own_words

    @property
    def answers(self) -> list["Answer"]:
        """Each PRO-CTCAE attribute answered, in NCI's order, with NCI's response word."""
        found = []
        for attribute in pro_ctcae.Attribute:
            value = getattr(self, attribute.value)
            if value is not None:
                value = int(value)  # presence is stored as a boolean: No = 0, Yes = 1
                word = pro_ctcae.response_word(attribute.value, value)
                found.append(Answer(attribute.value, attribute.label, word, value))
        return found

    @property
    def reports_symptom(self) -> bool:
        """Whether the entry says she has the symptom: an answer above the lowest, a Yes, or
        a count. "None", "Never", "Not at all" and "No" say she does not."""
        return any(answer.value > 0 for answer in self.answers) or self.times_in_24h is not None

    @property
    def measurements(self) -> list[tuple[str, str]]:
        """The numbers taken with the entry, as (what, value with its unit)."""
        found = []
        if self.temperature_c is not None:
            found.append(("Temperature", f"{self.temperature_c} °C"))
        if self.times_in_24h is not None:
            found.append(("Times in the last 24 hours", str(self.times_in_24h)))
        return found

    @property
    def cursor(self) -> str:
        """Where the next page starts: DiaryEntry.objects.before(entry.cursor)."""
        return f"{(self.occurred_at - _EPOCH) // timedelta(microseconds=1)}-{self.pk}"

    # The two pattern rules: a Severe or Very severe rating, and a rise of RISE_LEVELS or more
    # for the same symptom within RISE_WINDOW.
    RISE_LEVELS = 2
    RISE_WINDOW = timedelta(days=7)

    @property
    def is_severe(self) -> bool:
        return self.severity is not None and self.severity >= Severity.SEVERE

    def earlier_milder_entry(self) -> "DiaryEntry | None":
        """The earlier entry in the last week this one is RISE_LEVELS or more worse than; for
        a check-in's answer, the same symptom's answer in her previous check-in."""
        if self.severity is None or self.severity < self.RISE_LEVELS:
            return None
        if self.check_in_id is not None:
            if self.symptom_id is None:
                return None
            previous = (
                DiaryEntry.objects.for_patient(self.patient_id)
                .filter(
                    symptom_id=self.symptom_id,
                    check_in__submitted_at__lt=self.check_in.started_at,
                    severity__isnull=False,
                )
                .order_by("-check_in__submitted_at", "-pk")
                .first()
            )
            milder = previous is not None and previous.severity <= self.severity - self.RISE_LEVELS
            return previous if milder else None
        return (
            DiaryEntry.objects.for_patient(self.patient_id)
            .same_complaint_as(self)
            .filter(
                occurred_at__gte=self.occurred_at - self.RISE_WINDOW,
                occurred_at__lte=self.occurred_at,
                severity__lte=self.severity - self.RISE_LEVELS,
            )
            .exclude(pk=self.pk)
            .order_by("severity", "-occurred_at", "-pk")
            .first()
        )

    def care_notice(self) -> CareNotice | None:
        """Whether to tell the patient to contact their care team, and why; None if not."""
        levels = []
        reasons = []
        guidance_text = guidance_source = reviewed_by = ""
        reviewed_on = None
        symptom = self.symptom if self.symptom_id else None
        # Its own guidance only when the entry says she has it: a check-in asks every term
        # every week, and "None" or "Never" is an answer, not a complaint.
        if symptom is not None and symptom.urgency != Urgency.ROUTINE and self.reports_symptom:
            levels.append(symptom.urgency)
            guidance_text, guidance_source = symptom.guidance_text, symptom.guidance_source
            if symptom.is_signed_off:
                reviewed_by = symptom.guidance_signed_off_by_name
                reviewed_on = timezone.localdate(symptom.guidance_signed_off_at)
        if self.is_severe:
            levels.append(Urgency.CONTACT)
            reasons.append(f"You rated this as {self.get_severity_display().lower()}.")
        earlier = self.earlier_milder_entry()
        if earlier is not None:
            levels.append(Urgency.CONTACT)
            when = timezone.localtime(earlier.occurred_at)
            reasons.append(
                f"It is {self.severity - earlier.severity} levels worse than on "
                f"{when:%A} {when.day} {when:%B} "
                f"({earlier.get_severity_display().lower()})."
            )
        red_flags = self.red_flags_raised()
        levels += [rule.level for rule in red_flags]
        if not levels:
            return None
        level = Urgency.EMERGENCY if Urgency.EMERGENCY in levels else Urgency.CONTACT
        return CareNotice(
            level,
            reasons,
            guidance_text,
            guidance_source,
            reviewed_by,
            reviewed_on,
            red_flags,
            rose=earlier is not None,
        )

    def red_flags_raised(self) -> list[RedFlagRule]:
        """The active red-flag rules this entry raises, emergencies first."""
        rules = list(RedFlagRule.objects.active())
        nearby: frozenset[int] = frozenset()
        if any(rule.condition == RedFlagRule.Condition.WITH_COMPANION for rule in rules):
            nearby = self.nearby_symptom_ids()
        raised = [rule for rule in rules if rule.fires(self, nearby)]
        # Emergencies first; then the most specific rule (being sick 6 times before 2 times).
        return sorted(
            raised,
            key=lambda rule: (rule.level != Urgency.EMERGENCY, -(rule.threshold or 0), rule.name),
        )

    def nearby_symptom_ids(self) -> frozenset[int]:
        """The symptoms in these words, and in the patient's entries of the day before."""
        from education.matching import match_symptoms

        in_words = {symptom.pk for symptom in match_symptoms(self.own_words)}
        earlier = (
            DiaryEntry.objects.for_patient(self.patient_id)
            .filter(
                occurred_at__gte=self.occurred_at - timedelta(hours=24),
                occurred_at__lte=self.occurred_at,
                symptom__isnull=False,
            )
            .reporting_symptom()
            .exclude(pk=self.pk)
            .values_list("symptom_id", flat=True)
        )
        return frozenset(in_words | set(earlier))

    def raise_alert(self) -> "Alert | None":
        """A red flag or a rise makes, or joins, her care team's alert for the symptom and
        the day, when her team monitors reports (else nothing: nobody would see it)."""
        link = (
            CareTeamPatient.objects.filter(patient_id=self.patient_id, team__monitoring=True)
            .select_related("team")
            .first()
        )
        if link is None:
            return None
        kind = Alert.Kind.RED_FLAG if self.red_flag_id else Alert.Kind.RISE
        with transaction.atomic():
            alert, created = Alert.objects.select_for_update().get_or_create(
                patient_id=self.patient_id,
                subject_key=Alert.subject_key_of(self),
                day=timezone.localdate(self.occurred_at),
                defaults={"team": link.team, "kind": kind, "symptom_id": self.symptom_id},
            )
            # Editing an entry already in the alert (a typo in her note) is not a new report.
            new_report = self.alert_id != alert.pk
            changed = []
            if kind == Alert.Kind.RED_FLAG and alert.kind != kind:
                alert.kind = kind
                changed.append("kind")
            if alert.team_id != link.team_id:  # she has moved team: the alert goes with her
                alert.team = link.team
                changed.append("team")
            reopened = new_report and alert.closed_at is not None
            if reopened:  # a new report opens it again
                alert.closed_at, alert.action, alert.reply = None, "", ""
                alert.closed_by, alert.closed_by_name = None, ""
                changed += ["closed_at", "action", "reply", "closed_by", "closed_by_name"]
            if changed:
                alert.save(update_fields=changed)
            if self.alert_id != alert.pk:
                self.alert = alert
                DiaryEntry.objects.filter(pk=self.pk).update(alert=alert)
        if created or reopened:  # the inbox hears of a new alert, and of one opened again
            from portal.careteam.tasks import notify_team

            transaction.on_commit(lambda: notify_team.enqueue(alert.pk))
        return alert

    def record_notice(self) -> CareNotice | None:
        """Works out the care notice and keeps its level and first red flag on the entry
        (saved with it), so that lists show them without working them out again."""
        notice = self.care_notice()
        self.notice_level = notice.level if notice else NoticeLevel.NONE
        self.red_flag = notice.red_flags[0] if notice and notice.red_flags else None
        self.rose = bool(notice and notice.rose)
        return notice


# The entry fields the day rollups (DiaryDay) read: a save or update that changes none of
# them (an entry's alert, its notice level) leaves the rollups alone.
ROLLUP_FIELDS = frozenset(
    {
        *("patient", "patient_id", "symptom", "symptom_id", "own_words", "occurred_at"),
        *pro_ctcae.Attribute.values,
        *("temperature_c", "times_in_24h", "note", "entered_by", "entered_by_id"),
    }
)
# What places an entry in the rollups: whose, which symptom (or words), and when.
TOUCH_FIELDS = ("patient_id", "symptom_id", "own_words", "occurred_at")
# The attributes and numbers a day keeps the highest of, and its latest entry's.
DAY_ANSWERS = (*pro_ctcae.Attribute.values, "temperature_c", "times_in_24h")
# More separate stretches of days than this in one write, and the patient's rollups are
# rebuilt whole (one query each way) rather than stretch by stretch.
_MAX_SPANS = 20


@dataclass
class _Facts:
    """What the rollups need of one entry (read with values_list, no model instances)."""

    pk: int
    patient_id: int
    symptom_id: int | None
    own_words: str
    occurred_at: datetime
    severity: int | None
    frequency: int | None
    interference: int | None
    amount: int | None
    presence: bool | None
    temperature_c: object
    times_in_24h: int | None
    entered_by_id: int | None
    has_note: bool
    # The lowest severity of the same complaint in the RISE_WINDOW before (not at the same
    # instant): the summary's rise rule.
    lowest_before: int | None = None

    @property
    def key(self) -> tuple[int, int | None, str]:
        return (
            self.patient_id,
            self.symptom_id,
            DiaryDay.words_key_of(self.symptom_id, self.own_words),
        )

    @property
    def is_severe(self) -> bool:
        return self.severity is not None and self.severity >= Severity.SEVERE

    @property
    def rose(self) -> bool:
        levels = DiaryEntry.RISE_LEVELS
        return (
            self.severity is not None
            and self.severity >= levels
            and self.lowest_before is not None
            and self.lowest_before <= self.severity - levels
        )


_FACT_FIELDS = [name for name in _Facts.__dataclass_fields__ if name != "lowest_before"]


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _local_midnight(day: date) -> datetime:
    """In UTC, so that a week before it is 168 hours before, across a clock change too
    (arithmetic on a datetime in a zone with daylight saving is on the wall clock)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone()).astimezone(UTC)


def _day_row(facts: list[_Facts], day: date) -> "DiaryDay":
    """The rollup of one patient's entries of one complaint on one local day."""
    first = facts[0]
    latest = max(facts, key=lambda fact: (fact.occurred_at, fact.pk))
    row = DiaryDay(
        patient_id=first.patient_id,
        symptom_id=first.symptom_id,
        words_key=DiaryDay.words_key_of(first.symptom_id, first.own_words),
        day=day,
        own_words=max(fact.own_words for fact in facts),
        entries=len(facts),
        entered_by_others=sum(fact.entered_by_id is not None for fact in facts),
        notes=sum(fact.has_note for fact in facts),
        first_at=min(fact.occurred_at for fact in facts),
        last_at=max(fact.occurred_at for fact in facts),
    )
    for name in DAY_ANSWERS:
        values = [getattr(fact, name) for fact in facts if getattr(fact, name) is not None]
        setattr(row, f"max_{name}", max(values) if values else None)
        setattr(row, f"latest_{name}", getattr(latest, name))
    rated = [fact.severity for fact in facts if fact.severity is not None]
    row.severity_sum, row.severity_count = sum(rated), len(rated)
    severe = [fact for fact in facts if fact.is_severe]
    row.severe_entries = len(severe)
    row.last_severe_at = max((fact.occurred_at for fact in severe), default=None)
    rises = [fact for fact in facts if fact.rose]
    row.rises = len(rises)
    row.rise_from = min((fact.lowest_before for fact in rises), default=None)
    row.rise_to = max((fact.severity for fact in rises), default=None)
    row.last_rise_at = max((fact.occurred_at for fact in rises), default=None)
    return row


def _day_rows(facts: list[_Facts], wanted) -> list["DiaryDay"]:
    """The rows of the days `wanted(key, day)` accepts, from the entries read (which reach
    RISE_WINDOW further back, for the rise rule)."""
    by_key: dict[tuple, list[_Facts]] = {}
    for fact in sorted(facts, key=lambda fact: (fact.occurred_at, fact.pk)):
        by_key.setdefault(fact.key, []).append(fact)
    rows = []
    for key, entries in by_key.items():
        by_day: dict[date, list[_Facts]] = {}
        # The window's rated entries, earliest first, each rated lower than every later one
        # kept (a sliding minimum): its first is the lowest in the window, so each entry
        # costs O(1), not a rescan of the week (a day of many entries made that quadratic).
        lowest: deque[_Facts] = deque()
        pending: list[_Facts] = []  # the entries at the current instant, not yet "before"
        for fact in entries:
            if pending and pending[0].occurred_at < fact.occurred_at:
                for earlier in pending:
                    if earlier.severity is not None:
                        while lowest and lowest[-1].severity >= earlier.severity:
                            lowest.pop()
                        lowest.append(earlier)
                pending = []
            pending.append(fact)
            while lowest and lowest[0].occurred_at < fact.occurred_at - DiaryEntry.RISE_WINDOW:
                lowest.popleft()
            fact.lowest_before = lowest[0].severity if lowest else None
            day = _local_day(fact.occurred_at)
            if wanted(key, day):
                by_day.setdefault(day, []).append(fact)
        rows += [_day_row(day_facts, day) for day, day_facts in by_day.items()]
    return rows


def _merged(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


class DiaryDayQuerySet(PatientOwnedQuerySet):
    def between(self, start: date, end: date):
        return self.filter(day__gte=start, day__lte=end)

    def lock_patients(self, patient_ids) -> None:
        """Holds the patients' account rows until the transaction ends, so two writers of
        one diary recompute her rollups one after the other, each seeing the other's
        entries (PostgreSQL; SQLite's write transactions are serial already). One query."""
        from django.contrib.auth import get_user_model

        ids = sorted(pk for pk in patient_ids if pk is not None)
        list(
            get_user_model()
            .objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _facts(self, condition: models.Q) -> list[_Facts]:
        found = (
            DiaryEntry.objects.filter(condition)
            .order_by()
            .annotate(
                has_note=models.ExpressionWrapper(
                    ~models.Q(note=""), output_field=models.BooleanField()
                )
            )
            .values_list(*_FACT_FIELDS)
        )
        facts = [_Facts(*values) for values in found]
        for fact in facts:  # in UTC, for exact arithmetic (see _local_midnight)
            fact.occurred_at = fact.occurred_at.astimezone(UTC)
        return facts

    def refresh(self, touched) -> None:
        """Recomputes the rows the entries `touched` ((patient id, symptom id, own words,
        occurred at), before and after a write) count in: their local day, and the days of
        the RISE_WINDOW after it, whose rise rule looks back at them. Three queries: the
        entries (from RISE_WINDOW before the first day), a delete and an insert."""
        spans: dict[tuple, list[tuple[date, date]]] = {}
        for patient_id, symptom_id, own_words, occurred_at in touched:
            key = (patient_id, symptom_id, DiaryDay.words_key_of(symptom_id, own_words))
            occurred_at = occurred_at.astimezone(UTC)
            low = _local_day(occurred_at)
            high = _local_day(occurred_at + DiaryEntry.RISE_WINDOW)
            spans.setdefault(key, []).append((low, high))
        if not spans:
            return
        spans = {key: _merged(found) for key, found in spans.items()}
        whole = {
            patient_id
            for patient_id in {key[0] for key in spans}
            if sum(len(found) for key, found in spans.items() if key[0] == patient_id) > _MAX_SPANS
        }
        if whole:
            self.rebuild(whole)
            spans = {key: found for key, found in spans.items() if key[0] not in whole}
            if not spans:
                return
        read, drop = models.Q(pk__in=[]), models.Q(pk__in=[])
        for (patient_id, symptom_id, words_key), found in spans.items():
            entries = models.Q(patient_id=patient_id, symptom_id=symptom_id)
            rows = models.Q(patient_id=patient_id, symptom_id=symptom_id, words_key=words_key)
            if symptom_id is None:
                entries = models.Q(patient_id=patient_id, symptom__isnull=True)
                rows = models.Q(patient_id=patient_id, symptom__isnull=True, words_key=words_key)
            for low, high in found:
                read |= entries & models.Q(
                    occurred_at__gte=_local_midnight(low) - DiaryEntry.RISE_WINDOW,
                    occurred_at__lt=_local_midnight(high + timedelta(days=1)),
                )
                drop |= rows & models.Q(day__gte=low, day__lte=high)

        def wanted(key, day: date) -> bool:
            return any(low <= day <= high for low, high in spans.get(key, ()))

        fresh = _day_rows(self._facts(read), wanted)
        DiaryDay.objects.filter(drop).delete()
        if fresh:
            DiaryDay.objects.bulk_create(fresh)

    def add(self, entry: DiaryEntry) -> None:
        """Counts a new entry in its day's row. When nothing of its complaint comes after it
        within the RISE_WINDOW (a new entry usually is her latest), the row is updated in
        place: three queries, whatever the day holds. Otherwise, refresh() recomputes."""
        fact = _Facts(
            **{name: getattr(entry, name) for name in _FACT_FIELDS if name != "has_note"},
            has_note=entry.note != "",
        )
        fact.occurred_at = at = fact.occurred_at.astimezone(UTC)
        key = fact.key
        near = DiaryEntry.objects.filter(
            patient_id=entry.patient_id,
            occurred_at__gte=at - DiaryEntry.RISE_WINDOW,
            occurred_at__lte=at + DiaryEntry.RISE_WINDOW,
        )
        if entry.symptom_id is None:
            near = near.filter(symptom__isnull=True)
        else:
            near = near.filter(symptom_id=entry.symptom_id)
        # Per spelling of the words (her own words are grouped ignoring case, in Python):
        # the lowest rating before it, and whether any entry comes after it (at its instant,
        # one saved after it).
        later = models.Q(occurred_at__gt=at) | models.Q(occurred_at=at, pk__gt=entry.pk)
        spellings = (
            near.exclude(pk=entry.pk)
            .order_by()
            .values("own_words")
            .annotate(
                lowest=models.Min("severity", filter=models.Q(occurred_at__lt=at)),
                later=models.Count("pk", filter=later),
            )
        )
        lowest = []
        for found in spellings:
            if DiaryDay.words_key_of(entry.symptom_id, found["own_words"]) != key[2]:
                continue
            if found["later"]:
                self.refresh([DiaryDay.touched_by(entry)])
                return
            if found["lowest"] is not None:
                lowest.append(found["lowest"])
        fact.lowest_before = min(lowest, default=None)
        day = _local_day(at)
        row = (
            DiaryDay.objects.filter(
                patient_id=entry.patient_id,
                symptom_id=entry.symptom_id,
                words_key=key[2],
                day=day,
            )
            .order_by()
            .first()
        )
        if row is None:
            _day_row([fact], day).save(force_insert=True)
        else:
            row.count_latest(fact)
            row.save(force_update=True)

    def rebuild(self, patient_ids=None) -> int:
        """Recomputes every row of these patients (everyone's when None) from their entries:
        after writes that bypass the ORM (make_demo_data) or a change of TIME_ZONE.
        Idempotent. Returns the number of rows."""
        if patient_ids is None:
            patient_ids = DiaryEntry.objects.order_by().values_list("patient_id", flat=True)
            patient_ids = set(patient_ids.distinct()) | set(
                DiaryDay.objects.order_by().values_list("patient_id", flat=True).distinct()
            )
        patient_ids = sorted(patient_ids)
        count = 0
        for at in range(0, len(patient_ids), 100):
            batch = patient_ids[at : at + 100]
            with transaction.atomic(savepoint=False):
                self.lock_patients(batch)
                DiaryDay.objects.filter(patient_id__in=batch).delete()
                rows = _day_rows(self._facts(models.Q(patient_id__in=batch)), lambda key, day: True)
                DiaryDay.objects.bulk_create(rows, batch_size=1000)
            count += len(rows)
        return count


class DiaryDay(models.Model):
    """One patient's diary entries of one symptom (or one own-words phrase) on one local
    day (TIME_ZONE), rolled up for the appointment summary, so that its cost follows the
    days and symptoms of the range, not the entries. Kept in step by every write of
    DiaryEntry (save, delete and the bulk queryset methods) in the same transaction;
    `manage.py rebuild_diary_days` recomputes them all."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_days"
    )
    symptom = models.ForeignKey(
        Symptom, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For entries without a symptom: her words, trimmed and in lower case; "" otherwise.
    words_key = models.CharField(max_length=DiaryEntry.OWN_WORDS_MAX_LENGTH, blank=True)
    day = models.DateField()
    # The greatest of the day's own words as typed (what the summary names the row by).
    own_words = models.CharField(max_length=DiaryEntry.OWN_WORDS_MAX_LENGTH, blank=True)
    entries = models.PositiveIntegerField()
    entered_by_others = models.PositiveIntegerField(default=0)
    notes = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    # The highest answer of each attribute and the highest numbers taken ...
    max_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    max_frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    max_interference = models.PositiveSmallIntegerField(null=True, blank=True)
    max_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    max_presence = models.BooleanField(null=True, blank=True)
    max_temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    max_times_in_24h = models.PositiveSmallIntegerField(null=True, blank=True)
    # ... and the day's latest entry's (by time, then id).
    latest_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_interference = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_presence = models.BooleanField(null=True, blank=True)
    latest_temperature_c = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True
    )
    latest_times_in_24h = models.PositiveSmallIntegerField(null=True, blank=True)
    # For averages: the sum and number of the day's severity ratings.
    severity_sum = models.PositiveIntegerField(default=0)
    severity_count = models.PositiveIntegerField(default=0)
    # The summary's "needs attention": entries rated Severe or worse, and entries RISE_LEVELS
    # above the lowest of the same complaint in the RISE_WINDOW before (from, to, when).
    severe_entries = models.PositiveIntegerField(default=0)
    last_severe_at = models.DateTimeField(null=True, blank=True)
    rises = models.PositiveIntegerField(default=0)
    rise_from = models.PositiveSmallIntegerField(null=True, blank=True)
    rise_to = models.PositiveSmallIntegerField(null=True, blank=True)
    last_rise_at = models.DateTimeField(null=True, blank=True)

    objects = DiaryDayQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "day"], name="diary_day_patient_day"),
            # The summary's "needs attention" reads only the days with something to flag.
            models.Index(
                fields=["patient", "day"],
                condition=models.Q(severe_entries__gt=0) | models.Q(rises__gt=0),
                name="diary_day_flagged",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "symptom", "day"],
                condition=models.Q(symptom__isnull=False),
                name="diary_day_once_per_symptom",
            ),
            models.UniqueConstraint(
                fields=["patient", "words_key", "day"],
                condition=models.Q(symptom__isnull=True),
                name="diary_day_once_per_words",
            ),
            models.CheckConstraint(
                condition=models.Q(symptom__isnull=False, words_key="")
                | (models.Q(symptom__isnull=True) & ~models.Q(words_key="")),
                name="diary_day_symptom_or_words",
            ),
            models.CheckConstraint(condition=models.Q(entries__gte=1), name="diary_day_entries"),
            models.CheckConstraint(
                condition=models.Q(
                    entered_by_others__lte=models.F("entries"),
                    notes__lte=models.F("entries"),
                    severity_count__lte=models.F("entries"),
                    severe_entries__lte=models.F("severity_count"),
                    rises__lte=models.F("severity_count"),
                ),
                name="diary_day_counts_within_entries",
            ),
            models.CheckConstraint(
                condition=models.Q(severity_sum__lte=models.F("severity_count") * 4),
                name="diary_day_severity_sum_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(first_at__lte=models.F("last_at")),
                name="diary_day_first_before_last",
            ),
            models.CheckConstraint(
                condition=models.Q(rises=0, rise_from__isnull=True, rise_to__isnull=True)
                | models.Q(rises__gt=0, rise_from__isnull=False, rise_to__isnull=False),
                name="diary_day_rises_have_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"Diary day {self.pk}"

    def count_latest(self, fact: _Facts) -> None:
        """One more entry, later than every other of the day (as _day_row would count it)."""
        self.own_words = max(self.own_words, fact.own_words)
        self.entries += 1
        self.entered_by_others += fact.entered_by_id is not None
        self.notes += fact.has_note
        self.last_at = fact.occurred_at
        for name in DAY_ANSWERS:
            value, highest = getattr(fact, name), getattr(self, f"max_{name}")
            if value is not None and (highest is None or value > highest):
                setattr(self, f"max_{name}", value)
            setattr(self, f"latest_{name}", value)
        if fact.severity is not None:
            self.severity_sum += fact.severity
            self.severity_count += 1
        if fact.is_severe:
            self.severe_entries += 1
            self.last_severe_at = fact.occurred_at
        if fact.rose:
            earlier = self.rises > 0  # then both levels are set (a constraint)
            self.rise_from = (
                min(self.rise_from, fact.lowest_before) if earlier else fact.lowest_before
            )
            self.rise_to = max(self.rise_to, fact.severity) if earlier else fact.severity
            self.rises += 1
            self.last_rise_at = fact.occurred_at

    @staticmethod
    def words_key_of(symptom_id: int | None, own_words: str) -> str:
        """The key an entry without a symptom is grouped by: her words, ignoring case and
        surrounding spaces (as Alert.subject_key_of)."""
        return "" if symptom_id else own_words.strip().lower()

    @staticmethod
    def touched_by(entry: DiaryEntry) -> tuple:
        return tuple(getattr(entry, name) for name in TOUCH_FIELDS)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal_helper_leaves")
def _entries_outlive_their_helper(sender, instance, **kwargs) -> None:
    """A caregiver's account going: the entries she entered become the patients' own
    (entered_by is SET_NULL). Done here through the queryset, in the deletion's transaction,
    so the day rollups' counts of entries entered by others follow; the deletion's own
    SET_NULL then finds nothing left to change."""
    DiaryEntry.objects.filter(entered_by=instance).update(entered_by=None)


class AppointmentQuerySet(PatientOwnedQuerySet):
    def upcoming(self, now: datetime | None = None):
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now: datetime | None = None):
        return self.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")


class Appointment(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    starts_at = models.DateTimeField("when")
    with_whom = models.CharField("with whom", max_length=200, blank=True)
    location = models.CharField("where", max_length=200, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    entered_by = entered_by_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["patient", "starts_at"], name="appointment_patient_time")]

    def __str__(self) -> str:
        return f"Appointment on {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


ANSWER_MAX_LENGTH = 2000


class QuestionQuerySet(PatientOwnedQuerySet):
    def not_asked(self):
        return self.filter(asked=False)


class Question(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(max_length=1000)
    asked = models.BooleanField(default=False)
    # What she was told at the visit, written down afterwards.
    answer = models.TextField(max_length=ANSWER_MAX_LENGTH, blank=True)
    entry = models.ForeignKey(
        DiaryEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = entered_by_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        # The list's order, and the summary's: still to ask first, oldest first.
        ordering = ["asked", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Question {self.pk}"


def validate_nhs_number(value: str) -> None:
    """Ten digits whose last is the modulus 11 check digit of the first nine (NHS Digital's
    NHS number specification)."""
    if not re.fullmatch(r"[0-9]{10}", value):
        raise ValidationError("Enter the 10 digits of your NHS number.", code="nhs_format")
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(value[9]):
        raise ValidationError(
            "This is not a valid NHS number: please check the digits.", code="nhs_check_digit"
        )


class PatientProfile(models.Model):
    """What a clinician needs to know who the summary is about; all of it optional, set by
    the patient, and shown only on her own summary and to caregivers she lets see it."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    hospital_number = models.CharField(
        max_length=30, blank=True, help_text="As it is printed on your hospital letters."
    )
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        blank=True,
        validators=[validate_nhs_number],
        help_text="Optional: 10 digits, on your NHS letters or in the NHS App.",
    )
    show_to_caregivers = models.BooleanField(
        "show these to the people I share my diary with", default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                # Ten characters (the validator checks they are digits, and the check digit);
                # no REGEXP, which a plain sqlite3 connection (backups) does not have.
                condition=models.Q(nhs_number="") | models.Q(Exact(Length("nhs_number"), 10)),
                name="profile_nhs_number_ten_digits",
            )
        ]

    def __str__(self) -> str:
        return f"Profile {self.pk}"


class TreatmentQuerySet(PatientOwnedQuerySet):
    def current(self, on: date | None = None):
        """Treatments started by `on` (today) and not stopped before it."""
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(
            models.Q(stopped_on__isnull=True) | models.Q(stopped_on__gte=on)
        )


class Treatment(models.Model):
    """A drug or regimen the patient takes, kept by her for the appointment summary."""

    class Kind(models.TextChoices):
        CDK46_INHIBITOR = "cdk46", "CDK4/6 inhibitor"
        ANTIBODY_DRUG_CONJUGATE = "adc", "Antibody-drug conjugate"
        HORMONE = "hormone", "Hormone (endocrine) therapy"
        CHEMOTHERAPY = "chemo", "Chemotherapy"
        OTHER = "other", "Other or not sure"

    NAME_MAX_LENGTH = 200

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="treatments"
    )
    name = models.CharField(
        "drug or regimen", max_length=NAME_MAX_LENGTH, help_text="As your clinic names it."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    started_on = models.DateField("started")
    stopped_on = models.DateField("stopped", null=True, blank=True)
    line = models.PositiveSmallIntegerField(
        "line of treatment",
        null=True,
        blank=True,
        help_text="Optional: 1 for the first treatment for metastatic disease, 2 for the next…",
    )
    entered_by = entered_by_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="treatment_stops_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(line__isnull=True) | models.Q(line__gte=1, line__lte=20),
                name="treatment_line_1_to_20",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["cdk46", "adc", "hormone", "chemo", "other"]),
                name="treatment_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment {self.pk}"


class CheckInQuerySet(PatientOwnedQuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def open(self):
        return self.filter(submitted_at__isnull=True)


class CheckIn(models.Model):
    """One weekly check-in: PRO-CTCAE questions with the 7-day recall. Answers are kept in
    `answers` as she goes ({symptom id: {attribute: value}}, so a half-done check-in survives
    closing the tab); submitting turns each answered term into a diary entry."""

    OWN_WORDS_MAX_LENGTH = 200

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # "Anything else?", in her own words, matched as the diary matches.
    own_words = models.CharField(max_length=OWN_WORDS_MAX_LENGTH, blank=True)
    entered_by = entered_by_field()

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One check-in in progress at a time: a second tab continues the same one.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(submitted_at__isnull=True),
                name="check_in_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True)
                | models.Q(submitted_at__gte=models.F("started_at")),
                name="check_in_submitted_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk}"


class ReminderSettings(models.Model):
    """Her reminder choices (opt-in). Emails carry no health data: a greeting, the link and
    how to stop."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    weekly_check_in = models.BooleanField("email me a weekly check-in reminder", default=False)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(
        default=10, help_text="The hour of the day, 0 to 23, in your time zone."
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    appointment_day_before = models.BooleanField(
        "email me the day before an appointment", default=False
    )
    # When she opted in; no reminder falls due before it.
    enabled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="reminder_weekday_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hour__gte=0, hour__lte=23), name="reminder_hour_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder settings {self.pk}"


class ReminderDelivery(models.Model):
    """One reminder that fell due. The row is claimed before the email is sent, and the
    unique constraint decides which worker sends it: at most once per due time, even with two
    workers or one killed mid-send."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", "Weekly check-in"
        APPOINTMENT = "appointment", "Appointment tomorrow"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField()
    # For an appointment reminder; 0 for a weekly one (so the unique constraint holds it).
    appointment_key = models.PositiveBigIntegerField(default=0)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "due_at", "appointment_key"],
                name="reminder_once_per_due_time",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["check_in", "appointment"]),
                name="reminder_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk}"


class CalendarFeed(models.Model):
    """Her private calendar-feed address: a secret token (only its hash is stored); resetting
    it makes a new one and the old address stops working."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed {self.pk}"

    def new_token(self) -> str:
        """Sets a fresh token and returns it (shown once, in the address)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        self.created_at = timezone.now()
        return token


class CareTeam(models.Model):
    """A clinic's team: its clinicians, its patients, whether it monitors reports and when."""

    name = models.CharField(max_length=200, unique=True)
    # Patients who sign up with this code join the team.
    invitation_code = models.CharField(max_length=64, unique=True, null=True, blank=True)
    inbox_email = models.EmailField(
        blank=True, help_text="Told of each new alert (a link only, no health data)."
    )
    monitoring = models.BooleanField(
        default=False, help_text="Off: patients are told nobody watches the portal, as before."
    )
    # Monitored hours, in the clinic's time zone: these weekdays (0 = Monday), from..until.
    monitored_weekdays = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="Weekdays, 0 = Monday, comma-separated."
    )
    monitored_from = models.TimeField(default=time(9, 0))
    monitored_until = models.TimeField(default=time(17, 0))
    reply_within = models.CharField(
        max_length=100, default="one working day", help_text="As patients read it."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="care_teams", help_text="Clinicians."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monitored_until__gt=models.F("monitored_from")),
                name="care_team_hours_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(monitoring=False) | ~models.Q(inbox_email=""),
                name="care_team_monitoring_has_inbox",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CareTeamPatientQuerySet(models.QuerySet):
    def for_clinician(self, user):
        return self.filter(team__members=user)


class CareTeamPatient(models.Model):
    """A patient of a care team (one team per patient)."""

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="patients")
    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team_link"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    objects = CareTeamPatientQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Care team patient {self.pk}"


class AlertQuerySet(PatientOwnedQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def for_clinician(self, user):
        # Alerts of her current team's patients: one who moved team takes her alerts with her.
        return self.filter(patient__care_team_link__team__members=user)


class Alert(models.Model):
    """One alert for a care team: a red flag or a rise of two levels, one per patient,
    symptom (or own words) and local day, however many entries raise it."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", "Red flag"
        RISE = "rise", "Worse by two levels or more"

    class Action(models.TextChoices):
        CALLED = "called", "Called her"
        ADVISED = "advised", "Advised"
        BOOKED = "booked", "Booked an appointment"
        NO_ACTION = "no_action", "No action needed"

    # The trials documented the action within 72 hours; older open alerts are overdue.
    OVERDUE_AFTER = timedelta(hours=72)
    REPLY_MAX_LENGTH = 500

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="alerts")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    symptom = models.ForeignKey(
        Symptom, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What it is about, for the one-a-day rule: "symptom:<id>", or "words:<her own words,
    # lower case>" for an entry with no symptom (Alert.subject_key_of).
    subject_key = models.CharField(max_length=DiaryEntry.OWN_WORDS_MAX_LENGTH + 10)
    day = models.DateField(help_text="The local day of the first entry that raised it.")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = account_field()
    closed_by_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, blank=True)
    reply = models.TextField(
        "a short reply for the patient", max_length=REPLY_MAX_LENGTH, blank=True
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "subject_key", "day"], name="alert_once_per_symptom_and_day"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["red_flag", "rise"]), name="alert_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, action="")
                | (models.Q(closed_at__isnull=False) & ~models.Q(action="")),
                name="alert_closed_with_an_action",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk}"

    @staticmethod
    def subject_key_of(entry: DiaryEntry) -> str:
        if entry.symptom_id:
            return f"symptom:{entry.symptom_id}"
        return f"words:{entry.own_words.strip().lower()}"

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and (now or timezone.now()) - self.created_at > (
            self.OVERDUE_AFTER
        )


class AuditEventQuerySet(models.QuerySet):
    """Audit rows are only ever added: bulk changes are refused here, and by the database."""

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")

    def for_account(self, user):
        return self.filter(actor_id=user.pk)

    def by_others_about(self, patient):
        """What other accounts (her caregivers) did in the patient's diary."""
        return self.filter(patient_id=patient.pk).exclude(actor_id=patient.pk)


class AuditEvent(models.Model):
    """Append-only record of security-relevant actions. Never holds health data.

    actor_id is a plain integer, not a foreign key, so the trail outlives a deleted account.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        DENIED = "denied", "Denied"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Whose diary the action was in (the patient), when it was in one; a plain integer for
    # the same reason as actor_id. Differs from actor_id when a caregiver acted.
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    record_type = models.CharField(max_length=64, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class DeniedAccessCountQuerySet(models.QuerySet):
    def add_one(self, actor_id: int) -> "DeniedAccessCount":
        """Counts one denied access by the account `actor_id` in the current hour, and
        returns that hour's counter with the count so far."""
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        with transaction.atomic():
            counter, _ = self.get_or_create(actor_id=actor_id, hour=hour)
            # The UPDATE holds the row until commit, so the count read back is this one's.
            self.filter(pk=counter.pk).update(count=models.F("count") + 1)
            counter.refresh_from_db(fields=["count"])
        return counter


class DeniedAccessCount(models.Model):
    """How many times one account was denied access in one hour (UTC).

    The audit trail keeps the first ROWS_IN_FULL of them as rows, then one row that points
    here; the rest of the hour only adds to this count, so a scan cannot flood the trail.
    The trail is append-only, so the count is kept in this table instead.
    """

    ROWS_IN_FULL = 20

    actor_id = models.BigIntegerField()
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    objects = DeniedAccessCountQuerySet.as_manager()

    class Meta:
        ordering = ["-hour", "actor_id"]
        constraints = [
            models.UniqueConstraint(fields=["actor_id", "hour"], name="denied_count_per_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 account {self.actor_id}: {self.count} denied"

    @property
    def in_full(self) -> bool:
        """Whether the latest denial counted still gets its own audit row."""
        return self.count <= self.ROWS_IN_FULL


def display_name(user) -> str:
    """How the portal names an account to others: its name, else its email address."""
    return user.get_full_name() or user.first_name or user.email or user.get_username()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CaregiverGrantQuerySet(PatientOwnedQuerySet):
    def for_caregiver(self, user):
        return self.filter(caregiver=user)

    def active(self, now: datetime | None = None):
        """Accepted, not revoked, and not past its end date (the end date is the last day)."""
        today = timezone.localdate(now or timezone.now())
        return self.filter(
            caregiver__isnull=False, accepted_at__isnull=False, revoked_at__isnull=True
        ).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today))

    def live(self):
        """Not revoked: pending, active or past its end date (the patient may extend it)."""
        return self.filter(revoked_at__isnull=True)

    def with_token(self, token: str):
        return self.filter(token_hash=token_hash(token))


class CaregiverGrant(models.Model):
    """A patient lets another account see, or also add to, her diary.

    The invitation's link carries a random token; only its SHA-256 is stored, so the table
    cannot be used to accept an invitation. The caregiver is set when the link is accepted.
    """

    INVITATION_LIFETIME = timedelta(days=7)
    NAME_MAX_LENGTH = 100

    class Access(models.TextChoices):
        VIEW = "view", "View"
        LOG = "log", "View and log for me"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caregiver_grants"
    )
    caregiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants_as_caregiver",
    )
    email = models.EmailField("their email address")
    patient_name = models.CharField(
        "your name as they know you",
        max_length=NAME_MAX_LENGTH,
        help_text="Shown to them in the invitation and on every page of your diary.",
    )
    access = models.CharField(max_length=8, choices=Access.choices, default=Access.VIEW)
    ends_on = models.DateField(
        "access ends after", null=True, blank=True, help_text="Leave empty for no end date."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_at = models.DateTimeField(default=timezone.now)
    invitation_expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CaregiverGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(caregiver=models.F("patient")),
                name="grant_caregiver_is_not_patient",
            ),
            models.UniqueConstraint(
                fields=["patient", "caregiver"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_one_live_per_caregiver",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(caregiver__isnull=False),
                name="grant_accepted_has_caregiver",
            ),
        ]

    def __str__(self) -> str:
        return f"Caregiver grant {self.pk}"

    def new_token(self) -> str:
        """Gives the grant a fresh invitation token and returns it (for the email only)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        self.invited_at = timezone.now()
        self.invitation_expires_at = self.invited_at + self.INVITATION_LIFETIME
        return token

    @property
    def can_log(self) -> bool:
        return self.access == self.Access.LOG

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def invitation_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.invitation_expires_at

    def is_active(self, now: datetime | None = None) -> bool:
        today = timezone.localdate(now or timezone.now())
        return (
            self.accepted_at is not None
            and self.revoked_at is None
            and (self.ends_on is None or self.ends_on >= today)
        )

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "Stopped"
        if self.accepted_at is None:
            return "Invitation expired" if self.invitation_expired() else "Invited"
        return "Active" if self.is_active() else "Ended"


_PHONE = re.compile(r"\+?[0-9 ()\-]+")


def validate_phone_number(value: str) -> None:
    """Digits, spaces, parentheses and hyphens, a + only in front, and at least 3 digits."""
    if not _PHONE.fullmatch(value) or sum(char.isdigit() for char in value) < 3:
        raise ValidationError(
            "Enter a phone number: digits, spaces, brackets and hyphens, a + only at the "
            "start, and at least 3 digits.",
            code="invalid_phone_number",
        )


def tel_uri(number: str) -> str:
    """The number for a tel: link: its digits, with the leading + of an international one
    (and without the "(0)" that "+44 (0)1632 …" writes for callers inside the country)."""
    number = number.strip()
    if number.startswith("+"):
        number = number.replace("(0)", "")
    digits = "".join(char for char in number if char.isdigit())
    return f"tel:{'+' if number.startswith('+') else ''}{digits}" if digits else ""


class ClinicContacts(models.Model):
    """The clinic's phone numbers, edited by staff in the admin: one row (pk 1), never
    deleted. Every care notice, the summary and each signed-in page's footer show them."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    clinic_name = models.CharField(max_length=200, help_text="As patients know it.")
    acute_oncology_line = models.CharField(
        "24-hour acute oncology line",
        max_length=30,
        validators=[validate_phone_number],
        help_text="The number patients call day or night when unwell on treatment.",
    )
    breast_care_nurse_line = models.CharField(
        "breast care nurse line",
        max_length=30,
        blank=True,
        validators=[validate_phone_number],
        help_text="For questions that can wait for office hours.",
    )
    breast_care_nurse_hours = models.CharField(
        "breast care nurse hours",
        max_length=200,
        blank=True,
        help_text="When the line is answered, e.g. “Monday to Friday, 9am to 5pm”.",
    )
    # No default: the emergency number depends on the country the clinic is in.
    emergency_number = models.CharField(
        max_length=20, validators=[validate_phone_number], help_text="The local emergency number."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic contacts"
        verbose_name_plural = "clinic contacts"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="clinic_contacts_single_row"),
            models.CheckConstraint(
                condition=models.Q(breast_care_nurse_line="")
                | ~models.Q(breast_care_nurse_hours=""),
                name="clinic_contacts_nurse_line_has_hours",
                violation_error_message="Say when the breast care nurse line is answered.",
            ),
        ]

    def __str__(self) -> str:
        return self.clinic_name or "Clinic contacts"

    @classmethod
    def load(cls) -> "ClinicContacts":
        """The saved contacts, or an unsaved empty row on a fresh install."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()

    @property
    def is_set(self) -> bool:
        """Whether the numbers every care notice needs are there."""
        return bool(self.acute_oncology_line and self.emergency_number)

    @property
    def acute_oncology_tel(self) -> str:
        return tel_uri(self.acute_oncology_line)

    @property
    def breast_care_nurse_tel(self) -> str:
        return tel_uri(self.breast_care_nurse_line)

    @property
    def emergency_tel(self) -> str:
        return tel_uri(self.emergency_number)
