from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from education.models import Article, Section
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
    sections = list(article.sections.all())
    return render(
        request, "education/article_detail.html", {"article": article, "sections": sections}
    )


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def section_detail(request: HttpRequest, slug: str, section_slug: str) -> HttpResponse:
    section = get_object_or_404(
        Section.objects.published().select_related("article"),
        article__slug=slug,
        slug=section_slug,
    )
    template = "education/section_detail.html"
    if is_partial(request):
        template += "#section"
    return render(request, template, {"article": section.article, "section": section})
