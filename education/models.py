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


class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, help_text="The anchor in the article's URL; keep it stable once linked."
    )
    body = models.TextField(help_text="Markdown. Raw HTML is removed when shown.")

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
