from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from education.models import Article
from portal.models import Appointment


@login_not_required
@require_GET
@never_cache  # a signed-in patient's next appointment shows here
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published()
    next_appointment = None
    if request.user.is_authenticated:
        next_appointment = Appointment.objects.for_patient(request.user).upcoming().first()
    context = {"articles": articles, "next_appointment": next_appointment}
    return render(request, "portal/home.html", context)


@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """bench/run.py's floor: a signed-in request that loads only the session and the user."""
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain; charset=utf-8")
