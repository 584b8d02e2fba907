from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from education.models import Article
from education.web import PortalRequest
from portal.models import Appointment


@login_not_required
@require_GET
@never_cache  # a signed-in patient's next appointment shows here
def home(request: PortalRequest) -> HttpResponse:
    articles = Article.objects.published()
    next_appointment = None
    if request.user.is_authenticated:
        next_appointment = Appointment.objects.for_patient(request.patient).upcoming().first()
    context = {"articles": articles, "next_appointment": next_appointment}
    return render(request, "portal/home.html", context)


@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """bench/run.py's floor: a signed-in request that loads only the session and the user."""
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django's own is wrapped in requires_csrf_token, which runs the CSRF check
    again and so reads request.POST again. A body Django refused to decode (a form that
    declares a charset other than UTF-8) raises again there, and the 400 ended as a bare 500
    without our headers. CsrfViewMiddleware is always installed, so the token is there."""
    return render(request, "400.html", status=400)
