import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from education.models import Article, Section, parts_of
from education.web import PortalRequest, is_partial


def _get_published_article(slug: str) -> Article:
    return get_object_or_404(Article.objects.published(), slug=slug)


@login_not_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published()
    return render(request, "education/article_list.html", {"articles": articles})


@login_not_required
@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_published_article(slug)
    # The page shows each body as stored at save time; the Markdown is not read.
    sections = article.sections.defer("body")
    return render(
        request, "education/article_detail.html", {"article": article, "parts": parts_of(sections)}
    )


# A section's heading: the page's own h1, or, fetched by htmx into a diary entry card whose
# title is an h4, the level below it.
PAGE_HEADING_LEVEL = 1
INLINE_HEADING_LEVEL = 5
ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,80}")


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def section_detail(request: PortalRequest, slug: str, section_slug: str) -> HttpResponse:
    section = get_object_or_404(
        Section.objects.published().select_related("article").defer("body"),
        article__slug=slug,
        slug=section_slug,
    )
    context = {"article": section.article, "section": section}
    if request.user.is_authenticated:
        context.update(_links_for_patients(section))
    if is_partial(request):
        context["heading_level"] = INLINE_HEADING_LEVEL
        context["heading_id"] = _inline_heading_id(request, section)
        return render(request, "education/section_detail.html#section", context)
    context["heading_level"] = PAGE_HEADING_LEVEL
    context["heading_id"] = f"section-{section.slug}-title"
    context["place"] = section.place_in(Section.objects.outline(section.article))
    return render(request, "education/section_detail.html", context)


def _inline_heading_id(request: PortalRequest, section: Section) -> str:
    """The inline heading's id, named after the element htmx puts it in: two entries of one
    symptom may show the same section at once, and ids must stay unique on the page."""
    target = request.htmx.target or ""
    if ELEMENT_ID.fullmatch(target):
        return f"{target}-title"
    return f"section-{section.slug}-title"


def _links_for_patients(section: Section) -> dict[str, str]:
    """What the site adds to a section page for a signed-in patient: its URL names come
    from settings, so this app imports none of the site's code or names its URLs."""
    links = {}
    if activity := getattr(settings, "EDUCATION_SECTION_ACTIVITY_URL", ""):
        links["activity_url"] = reverse(activity, args=[section.pk])
    if question := getattr(settings, "EDUCATION_SECTION_QUESTION_URL", ""):
        links["question_url"] = f"{reverse(question)}?section={section.pk}"
    return links
