from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from education.models import Article, Section, parts_of
from education.web import is_partial


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
# title is an h4, the level below it. Inline it is no landmark and has no id: two entries of
# one symptom may show the same section at once.
PAGE_HEADING_LEVEL = 1
INLINE_HEADING_LEVEL = 5


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def section_detail(request: HttpRequest, slug: str, section_slug: str) -> HttpResponse:
    section = get_object_or_404(
        Section.objects.published().select_related("article").defer("body"),
        article__slug=slug,
        slug=section_slug,
    )
    context = {"article": section.article, "section": section}
    if request.user.is_authenticated:
        context.update(_links_for_patients(section))
    if is_partial(request):
        context.update(inline=True, heading_level=INLINE_HEADING_LEVEL)
        return render(request, "education/section_detail.html#section", context)
    context.update(inline=False, heading_level=PAGE_HEADING_LEVEL)
    context["place"] = section.place_in(Section.objects.outline(section.article))
    return render(request, "education/section_detail.html", context)


def _links_for_patients(section: Section) -> dict[str, str]:
    """What the site adds to a section page for a signed-in patient: its URL names come
    from settings, so this app imports none of the site's code or names its URLs."""
    links = {}
    if activity := getattr(settings, "EDUCATION_SECTION_ACTIVITY_URL", ""):
        links["activity_url"] = reverse(activity, args=[section.pk])
    if question := getattr(settings, "EDUCATION_SECTION_QUESTION_URL", ""):
        links["question_url"] = f"{reverse(question)}?section={section.pk}"
    return links
