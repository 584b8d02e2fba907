from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
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
    sections = (
        Section.objects.published()
        .filter(article__slug=slug)
        .select_related("article")
        .defer("body")  # pages show the HTML stored at save time
    )
    if is_partial(request):
        section = get_object_or_404(sections, slug=section_slug)
        context = {"inline": True, "heading_level": INLINE_HEADING_LEVEL}
        template = "education/section_detail.html#section"
    else:
        # The page links to its neighbours: the article's sections in the one query.
        outline = list(sections)
        section = next((s for s in outline if s.slug == section_slug), None)
        if section is None:
            raise Http404("No such section.")
        context = {
            "inline": False,
            "heading_level": PAGE_HEADING_LEVEL,
            "place": section.place_in(outline),
        }
        template = "education/section_detail.html"
    context.update(article=section.article, section=section)
    if request.user.is_authenticated:
        context.update(_links_for_patients(section))
    return render(request, template, context)


def _links_for_patients(section: Section) -> dict[str, str]:
    """What the site adds to a section page for a signed-in patient: its URL names come
    from settings, so this app imports none of the site's code or names its URLs."""
    links = {}
    if activity := getattr(settings, "EDUCATION_SECTION_ACTIVITY_URL", ""):
        links["activity_url"] = reverse(activity, args=[section.pk])
    if question := getattr(settings, "EDUCATION_SECTION_QUESTION_URL", ""):
        links["question_url"] = f"{reverse(question)}?section={section.pk}"
    return links
