from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from education.web import PortalRequest


@login_not_required
@require_GET
@never_cache  # its messages and a caregiver's banner are for one person
def home(request: PortalRequest) -> HttpResponse:
    """A calm start: "Log a symptom" and the ways in, with no query of its own (the layout
    reads only the session and the user here)."""
    return render(request, "portal/home.html")


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and tools ask for whatever the page says: the icon's
    static file, served (hashed, compressed, cached) by WhiteNoise."""
    response = redirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


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
