from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

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


class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, help_text="The anchor in the article's URL; keep it stable once linked."
    )
    body = models.TextField(help_text="Markdown. Raw HTML is removed when shown.")

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "slug"], name="section_slug_unique_in_article"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.title}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("education:section_detail", args=[self.article.slug, self.slug])

    def get_anchor_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.slug}"

    @property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)


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


class SymptomQuerySet(models.QuerySet):
    def with_main_section(self):
        return self.prefetch_related("symptom_sections__section__article")


class Symptom(models.Model):
    """A symptom the education content names, with the lay words patients use for it."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    body_site = models.CharField(max_length=20, choices=BodySite.choices)
    sections = models.ManyToManyField(Section, through="SymptomSection", related_name="symptoms")
    synonyms = models.TextField(
        blank=True, help_text="Lay words and phrases patients use, one per line."
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
    # A clinician's sign-off of the three guidance fields above. The account says who is
    # accountable; the name is what patients read, kept as it was when they signed (no join
    # on every care notice, and it survives the account being renamed or removed).
    guidance_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
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
            models.CheckConstraint(
                condition=models.Q(
                    guidance_signed_off_at__isnull=True, guidance_signed_off_by_name=""
                )
                | (
                    models.Q(guidance_signed_off_at__isnull=False)
                    & ~models.Q(guidance_signed_off_by_name="")
                ),
                name="symptom_sign_off_has_name_and_time",
            ),
        ]
        permissions = [("sign_off_guidance", "Can sign off symptom guidance")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.is_signed_off and self._guidance_edited():
            self.clear_sign_off()
            if (update_fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*update_fields, *SIGN_OFF_FIELDS}
        super().save(*args, **kwargs)
        self._loaded_guidance = self._guidance()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        symptom = super().from_db(db, field_names, values, **kwargs)
        # The guidance as loaded, so that save() can tell whether someone edited it.
        symptom._loaded_guidance = symptom._guidance()
        return symptom

    def _guidance(self) -> dict:
        return {name: self.__dict__[name] for name in GUIDANCE_FIELDS if name in self.__dict__}

    def _guidance_edited(self) -> bool:
        loaded = getattr(self, "_loaded_guidance", None)
        if loaded is None:  # a new row: nothing signed off yet to protect
            return False
        current = self._guidance()
        return any(current.get(name, value) != value for name, value in loaded.items())

    @property
    def is_signed_off(self) -> bool:
        return self.guidance_signed_off_at is not None

    def sign_off(self, user) -> None:
        """Records that `user`, a clinician, approved the guidance as it stands now."""
        self.guidance_signed_off_by = user
        self.guidance_signed_off_by_name = user.get_full_name() or user.get_username()
        self.guidance_signed_off_at = timezone.now()

    def clear_sign_off(self) -> None:
        self.guidance_signed_off_by = None
        self.guidance_signed_off_by_name = ""
        self.guidance_signed_off_at = None

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
