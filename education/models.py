from django.db import models
from django.urls import reverse
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
        ]

    def __str__(self) -> str:
        return self.name

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
