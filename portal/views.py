from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from education.models import Article


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published()
    return render(request, "portal/home.html", {"articles": articles})


@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor: a signed-in request that loads only the session and the user.

    Every page costs at least this much; bench/run.py reports each page as a multiple of it.
    """
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain; charset=utf-8")
