from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from education.models import Article


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published()
    return render(request, "portal/home.html", {"articles": articles})
