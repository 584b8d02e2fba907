from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html import unescape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from education import pro_ctcae
from education.rendering import render_markdown


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    source = models.TextField(help_text="Where the text comes from, shown under the article.")
    last_reviewed = models.DateField(help_text="When a person last checked the content.")
    published = models.BooleanField(default=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("education:article_detail", args=[self.slug])


class SectionQuerySet(models.QuerySet):
    def published(self):
        """Sections of published articles: the only ones a patient may be shown."""
        return self.filter(article__published=True)


# The most a section page's meta description holds.
DESCRIPTION_LENGTH = 160


class Section(models.Model):
    class Level(models.IntegerChoices):
        PART = 1, "A part of the article"
        SUBSECTION = 2, "A sub-section of the part above it"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    level = models.PositiveSmallIntegerField(
        choices=Level,
        default=Level.PART,
        help_text="A part has its own heading in the contents; a sub-section is listed under "
        "the part before it.",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, help_text="The anchor in the article's URL; keep it stable once linked."
    )
    body = models.TextField(help_text="Markdown. Raw HTML is removed when shown.")
    # The body as sanitised HTML, made on every save (and fixture load), so that no page
    # renders Markdown while a patient waits.
    rendered_body = models.TextField(editable=False, default="")

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "slug"], name="section_slug_unique_in_article"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=[1, 2]), name="section_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.title}: {self.title}"

    def save(self, *args, **kwargs):
        self.render()
        if (update_fields := kwargs.get("update_fields")) is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "rendered_body"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("education:section_detail", args=[self.article.slug, self.slug])

    def get_anchor_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.slug}"

    def render(self) -> None:
        self.rendered_body = render_markdown(self.body)

    @property
    def body_html(self) -> SafeString:
        return mark_safe(self.rendered_body)  # noqa: S308 - sanitised by render_markdown on save

    @property
    def description(self) -> str:
        """The body's first words as plain text, for the page's meta description."""
        text = " ".join(unescape(strip_tags(self.rendered_body)).split())
        return Truncator(text).chars(DESCRIPTION_LENGTH)

    @property
    def is_subsection(self) -> bool:
        return self.level == self.Level.SUBSECTION

    def place_in(self, outline: list["Section"]) -> "Place":
        """Where this section sits among its article's sections, `outline`, in order."""
        index = next(i for i, other in enumerate(outline) if other.pk == self.pk)
        part = None
        if self.is_subsection:
            part = next((s for s in reversed(outline[:index]) if not s.is_subsection), None)
        return Place(
            previous=outline[index - 1] if index > 0 else None,
            next=outline[index + 1] if index + 1 < len(outline) else None,
            part=part,
        )


@receiver(pre_save, sender=Section)
def render_loaded_section(sender, instance: Section, raw: bool, **kwargs) -> None:
    # loaddata saves each row as given (raw), past Section.save(): render those too, so that
    # fixtures carry only the Markdown and a loaded article shows at once.
    if raw:
        instance.render()


@dataclass
class Part:
    """A part of an article: its section and the sub-sections listed under it."""

    section: Section
    subsections: list[Section] = field(default_factory=list)


def parts_of(sections: Iterable[Section]) -> list[Part]:
    """Sections in order, grouped into parts; a sub-section before any part is a part."""
    parts: list[Part] = []
    for section in sections:
        if section.is_subsection and parts:
            parts[-1].subsections.append(section)
        else:
            parts.append(Part(section))
    return parts


@dataclass(frozen=True)
class Place:
    """A section's neighbours in reading order, and the part it is in if it is a sub-section."""

    previous: Section | None
    next: Section | None
    part: Section | None


class BodySite(models.TextChoices):
    BONE = "bone", "Bone"
    BRAIN = "brain", "Brain"
    LIVER = "liver", "Liver"
    LUNG = "lung", "Lung"
    GENERAL = "general", "General"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine: note it for your next appointment"
    CONTACT = "contact", "Contact your care team"
    EMERGENCY = "emergency", "Emergency"


# Editing any of these needs a clinician to sign the guidance off again.
GUIDANCE_FIELDS = ("urgency", "guidance_text", "guidance_source")
SIGN_OFF_FIELDS = (
    "guidance_signed_off_by",
    "guidance_signed_off_by_name",
    "guidance_signed_off_at",
)


class SignOffMixin:
    """A clinician's sign-off of some fields of a row, cleared when any of them is edited.

    The account says who is accountable; the name is what patients read, kept as it was when
    they signed (no join on every care notice, and it survives the account being renamed or
    removed). Subclasses name the reviewed fields and the three sign-off fields.
    """

    REVIEWED_FIELDS: tuple[str, ...] = ()
    SIGN_OFF_FIELDS: tuple[str, str, str] = ("", "", "")  # by, by_name, at

    def save(self, *args, **kwargs):
        if self.is_signed_off and self._reviewed_edited():
            self.clear_sign_off()
            if (update_fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*update_fields, *self.SIGN_OFF_FIELDS}
        super().save(*args, **kwargs)
        self._loaded_reviewed = self._reviewed()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        row = super().from_db(db, field_names, values, **kwargs)
        # The reviewed fields as loaded, so that save() can tell whether someone edited them.
        row._loaded_reviewed = row._reviewed()
        return row

    def _reviewed(self) -> dict:
        return {name: self.__dict__[name] for name in self.REVIEWED_FIELDS if name in self.__dict__}

    def _reviewed_edited(self) -> bool:
        loaded = getattr(self, "_loaded_reviewed", None)
        if loaded is None:  # a new row: nothing signed off yet to protect
            return False
        current = self._reviewed()
        return any(current.get(name, value) != value for name, value in loaded.items())

    @property
    def signed_off_at(self) -> datetime | None:
        return getattr(self, self.SIGN_OFF_FIELDS[2])

    @property
    def signed_off_name(self) -> str:
        return getattr(self, self.SIGN_OFF_FIELDS[1])

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    def sign_off(self, user) -> None:
        """Records that `user`, a clinician, approved the reviewed fields as they stand now."""
        by, by_name, at = self.SIGN_OFF_FIELDS
        setattr(self, by, user)
        setattr(self, by_name, user.get_full_name() or user.get_username())
        setattr(self, at, timezone.now())

    def clear_sign_off(self) -> None:
        by, by_name, at = self.SIGN_OFF_FIELDS
        setattr(self, by, None)
        setattr(self, by_name, "")
        setattr(self, at, None)


def sign_off_constraint(prefix: str, name: str) -> models.CheckConstraint:
    """A sign-off has both a name and a time, or neither."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{prefix}_at__isnull": True, f"{prefix}_by_name": ""})
        | (models.Q(**{f"{prefix}_at__isnull": False}) & ~models.Q(**{f"{prefix}_by_name": ""})),
        name=name,
    )


def account_field() -> models.ForeignKey:
    """An account a row names but does not belong to (who signed it off, who entered it for
    the patient): kept as None when the account is removed, not editable in forms."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


# What a thermometer can read of a living person, and a count 24 hours can hold: the bounds
# of an entry's measurements and of a red-flag rule's thresholds.
TEMPERATURE_RANGE = (Decimal("30.0"), Decimal("45.0"))
TIMES_IN_24H_MAX = 50


class Measurement(models.TextChoices):
    """A number an entry of the symptom takes, for the red-flag rules that need one."""

    NONE = "", "None"
    TEMPERATURE = "temperature", "Temperature in °C"
    TIMES = "times", "How many times in the last 24 hours"


class SymptomQuerySet(models.QuerySet):
    def with_main_section(self):
        return self.prefetch_related("symptom_sections__section__article")


class Symptom(SignOffMixin, models.Model):
    """A symptom patients report: a PRO-CTCAE term or one the article names, with the lay words
    patients use for it and the questions an entry of it asks."""

    REVIEWED_FIELDS = GUIDANCE_FIELDS
    SIGN_OFF_FIELDS = SIGN_OFF_FIELDS

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    body_site = models.CharField(max_length=20, choices=BodySite.choices)
    sections = models.ManyToManyField(Section, through="SymptomSection", related_name="symptoms")
    synonyms = models.TextField(
        blank=True, help_text="Lay words and phrases patients use, one per line."
    )
    pro_ctcae_term = models.CharField(
        "PRO-CTCAE term",
        max_length=100,
        blank=True,
        help_text="NCI's term exactly as the PRO-CTCAE item library v1.0 words it; empty when "
        "the symptom is not in the library.",
    )
    asks_frequency = models.BooleanField("asks how often", default=False)
    asks_severity = models.BooleanField("asks how bad", default=True)
    asks_interference = models.BooleanField("asks how much it got in the way", default=False)
    asks_amount = models.BooleanField("asks how much", default=False)
    asks_presence = models.BooleanField("asks yes or no", default=False)
    measurement = models.CharField(
        max_length=20,
        choices=Measurement.choices,
        default=Measurement.NONE,
        blank=True,
        help_text="A number an entry takes, for the red-flag rules that need one.",
    )
    outside_page_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a symptom no article section explains: the name of a page that does.",
    )
    outside_page_url = models.URLField(
        blank=True, help_text="That page's address (linked, never copied)."
    )
    snomed_code = models.CharField(
        "SNOMED CT code", max_length=20, blank=True, help_text="Only a code that was verified."
    )
    snomed_source = models.CharField(
        "SNOMED CT source", max_length=300, blank=True, help_text="Where the code was verified."
    )
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    guidance_text = models.TextField(
        blank=True, help_text="What the patient is told when they log this symptom."
    )
    guidance_source = models.CharField(
        max_length=300, blank=True, help_text="Who wrote or approved the guidance, and from what."
    )
    # A clinician's sign-off of the three guidance fields above (SignOffMixin).
    guidance_signed_off_by = account_field()
    guidance_signed_off_by_name = models.CharField(
        "guidance signed off by", max_length=300, blank=True, editable=False
    )
    guidance_signed_off_at = models.DateTimeField(
        "guidance signed off at", null=True, blank=True, editable=False
    )
    # Lets every worker notice an edit made in the admin and rebuild its matching vocabulary.
    # Null for rows loaded from fixtures (loaddata saves raw values).
    updated_at = models.DateTimeField(auto_now=True, null=True, editable=False)

    objects = SymptomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body_site__in=BodySite.values), name="symptom_body_site_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__in=Urgency.values), name="symptom_urgency_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(urgency=Urgency.ROUTINE)
                | (~models.Q(guidance_text="") & ~models.Q(guidance_source="")),
                name="symptom_guidance_has_text_and_source",
            ),
            models.CheckConstraint(
                condition=models.Q(snomed_code="") | ~models.Q(snomed_source=""),
                name="symptom_snomed_code_has_source",
            ),
            sign_off_constraint("guidance_signed_off", "symptom_sign_off_has_name_and_time"),
            models.UniqueConstraint(
                fields=["pro_ctcae_term"],
                condition=~models.Q(pro_ctcae_term=""),
                name="symptom_pro_ctcae_term_once",
            ),
            # PRO-CTCAE asks yes-or-no terms nothing else; every symptom asks something.
            models.CheckConstraint(
                condition=models.Q(asks_presence=False)
                | models.Q(
                    asks_frequency=False,
                    asks_severity=False,
                    asks_interference=False,
                    asks_amount=False,
                ),
                name="symptom_presence_asked_alone",
            ),
            models.CheckConstraint(
                condition=models.Q(asks_frequency=True)
                | models.Q(asks_severity=True)
                | models.Q(asks_interference=True)
                | models.Q(asks_amount=True)
                | models.Q(asks_presence=True)
                | ~models.Q(measurement=""),
                name="symptom_asks_something",
            ),
            models.CheckConstraint(
                condition=models.Q(measurement__in=Measurement.values),
                name="symptom_measurement_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outside_page_url="") | ~models.Q(outside_page_name=""),
                name="symptom_outside_page_has_name",
            ),
        ]
        permissions = [("sign_off_guidance", "Can sign off symptom guidance")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pro_ctcae_term:
            expected = pro_ctcae.ATTRIBUTES_BY_TERM.get(self.pro_ctcae_term)
            if expected is None:
                raise ValidationError(
                    {"pro_ctcae_term": "Not a PRO-CTCAE v1.0 term: copy it as NCI words it."}
                )
            if tuple(self.attributes) != expected:
                words = ", ".join(pro_ctcae.Attribute(a).label.lower() for a in expected)
                raise ValidationError(
                    f"PRO-CTCAE asks {self.pro_ctcae_term!r} these and only these: {words}."
                )

    @property
    def attributes(self) -> list[str]:
        """The PRO-CTCAE attributes an entry of this symptom records, in NCI's order."""
        return [
            attribute
            for attribute in pro_ctcae.Attribute.values
            if getattr(self, f"asks_{attribute}")
        ]

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]

    @property
    def main_section(self) -> Section | None:
        """The first linked section (uses the prefetch from with_main_section when present)."""
        links = sorted(self.symptom_sections.all(), key=lambda link: (link.order, link.pk))
        return links[0].section if links else None


class SymptomSection(models.Model):
    symptom = models.ForeignKey(Symptom, on_delete=models.CASCADE, related_name="symptom_sections")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="symptom_links")
    order = models.PositiveIntegerField(default=0, help_text="The lowest is the main section.")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["symptom", "section"], name="symptom_section_unique")
        ]

    def __str__(self) -> str:
        return f"{self.symptom} → {self.section.title}"


class RedFlagCondition(models.TextChoices):
    REPORTED = "reported", "The symptom is reported at all"
    TEMPERATURE_AT_LEAST = "temperature", "A temperature at or above the threshold (°C)"
    TEMPERATURE_BELOW = "temperature_below", "A temperature below the threshold (°C)"
    TIMES_AT_LEAST = "times", "The symptom this many times or more in 24 hours"
    TOP_LEVEL = "top_level", "Any PRO-CTCAE answer at its top level"
    WITH_COMPANION = "companion", "The symptom together with one of the companions"


class RedFlagLevel(models.TextChoices):
    # No "now" or "today": each rule's own wording, from its source, says how soon.
    CONTACT = Urgency.CONTACT.value, "Call the 24-hour acute oncology line"
    EMERGENCY = Urgency.EMERGENCY.value, "Call the emergency number"


class RedFlagQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).prefetch_related("companions")


class RedFlagRule(SignOffMixin, models.Model):
    """A report that needs a call now, with its threshold and wording from a cited source.

    Staff edit these in the admin; a clinician signs each off. Thresholds (which temperature,
    how many times a day) are the cited source's; the source's document and version are part
    of the rule, and a change to the rule clears its sign-off.
    """

    Condition = RedFlagCondition
    Level = RedFlagLevel

    REVIEWED_FIELDS = (
        "symptom_id",
        "condition",
        "threshold",
        "level",
        "patient_wording",
        "source_document",
        "source_version",
        "source_url",
        "active",
    )
    SIGN_OFF_FIELDS = ("signed_off_by", "signed_off_by_name", "signed_off_at")

    name = models.CharField(max_length=200, unique=True, help_text="For staff.")
    symptom = models.ForeignKey(
        Symptom,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="red_flag_rules",
        help_text="Empty only for a temperature or top-level rule that holds for any symptom.",
    )
    condition = models.CharField(max_length=20, choices=Condition.choices)
    threshold = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="°C for a temperature rule, a count for a times-today rule; else empty.",
    )
    companions = models.ManyToManyField(
        Symptom,
        blank=True,
        related_name="+",
        help_text="For a companion rule: any of these in the same words or within a day.",
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    patient_wording = models.TextField(help_text="What the patient is told, in the source's terms.")
    source_document = models.CharField(
        max_length=300, help_text="The document the threshold and wording come from."
    )
    source_version = models.CharField(
        max_length=200, help_text="Its version or date, as the document gives it."
    )
    source_url = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    signed_off_by = account_field()
    signed_off_by_name = models.CharField(
        "signed off by", max_length=300, blank=True, editable=False
    )
    signed_off_at = models.DateTimeField("signed off at", null=True, blank=True, editable=False)

    objects = RedFlagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "red-flag rule"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    condition__in=RedFlagCondition.values,
                ),
                name="red_flag_condition_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=RedFlagLevel.values), name="red_flag_level_valid"
            ),
            # A threshold exactly where the condition needs one.
            models.CheckConstraint(
                condition=models.Q(
                    condition__in=["temperature", "temperature_below", "times"],
                    threshold__isnull=False,
                )
                | (
                    ~models.Q(condition__in=["temperature", "temperature_below", "times"])
                    & models.Q(threshold__isnull=True)
                ),
                name="red_flag_threshold_where_needed",
            ),
            models.CheckConstraint(
                condition=models.Q(symptom__isnull=False)
                | models.Q(condition__in=["temperature", "temperature_below", "top_level"]),
                name="red_flag_symptom_where_needed",
            ),
            models.CheckConstraint(
                condition=~models.Q(patient_wording="") & ~models.Q(source_document=""),
                name="red_flag_has_wording_and_source",
            ),
            sign_off_constraint("signed_off", "red_flag_sign_off_has_name_and_time"),
        ]
        permissions = [("sign_off_red_flag", "Can sign off red-flag rules")]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        return f"{self.source_document} ({self.source_version})"

    def fires(self, entry, nearby: frozenset[int]) -> bool:
        """Whether `entry` (a portal DiaryEntry) raises this flag. `nearby` holds the ids of
        the symptoms in its own words and in the patient's entries of the 24 hours before."""
        own_symptom_only = self.condition != RedFlagCondition.WITH_COMPANION
        if own_symptom_only and self.symptom_id is not None and entry.symptom_id != self.symptom_id:
            return False
        match self.condition:
            case RedFlagCondition.REPORTED:
                # "Chest pain: None" or "Chills: Never" reports that she does not have it.
                return entry.reports_symptom
            case RedFlagCondition.TEMPERATURE_AT_LEAST:
                return entry.temperature_c is not None and entry.temperature_c >= self.threshold
            case RedFlagCondition.TEMPERATURE_BELOW:
                return entry.temperature_c is not None and entry.temperature_c < self.threshold
            case RedFlagCondition.TIMES_AT_LEAST:
                return entry.times_in_24h is not None and entry.times_in_24h >= self.threshold
            case RedFlagCondition.TOP_LEVEL:
                # The graded scales only: a yes-or-no term's "Yes" is every report of it.
                return any(
                    getattr(entry, attribute) == pro_ctcae.top_level(attribute)
                    for attribute in GRADED_ATTRIBUTES
                )
            case RedFlagCondition.WITH_COMPANION:
                if not entry.reports_symptom:
                    return False
                companions = {symptom.pk for symptom in self.companions.all()}
                if entry.symptom_id == self.symptom_id:
                    return bool(companions & nearby)
                return entry.symptom_id in companions and self.symptom_id in nearby
        return False


GRADED_ATTRIBUTES = (
    pro_ctcae.Attribute.FREQUENCY,
    pro_ctcae.Attribute.SEVERITY,
    pro_ctcae.Attribute.INTERFERENCE,
    pro_ctcae.Attribute.AMOUNT,
)


class CheckInItem(models.Model):
    """A PRO-CTCAE term the clinic asks in the weekly check-in, in its order. The seed set is
    a published one (fixtures/check_in.json names it); staff change it in the admin."""

    symptom = models.OneToOneField(Symptom, on_delete=models.CASCADE, related_name="check_in_item")
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "check-in question"

    def __str__(self) -> str:
        return str(self.symptom)

    def clean(self) -> None:
        super().clean()
        if self.symptom_id and not self.symptom.pro_ctcae_term:
            raise ValidationError(
                {"symptom": "Choose a PRO-CTCAE term: the check-in asks NCI's items."}
            )
