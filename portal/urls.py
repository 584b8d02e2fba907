import allauth.urls
from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_http_methods

from portal import views

# allauth's class-based views answer every method Django's View knows (a PUT to the sign-in
# form was a 200); its pages, like ours, use GET, HEAD and POST only: anything else is a 405.
pages_only = require_http_methods(["GET", "HEAD", "POST"])


def _pages_only(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The same URL patterns, every view in them wrapped in pages_only."""
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = _pages_only(pattern.url_patterns)
            wrapped.append(
                URLResolver(
                    pattern.pattern,
                    inner,
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        else:
            view = pages_only(pattern.callback)
            wrapped.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return wrapped


urlpatterns = [
    path("", views.home, name="home"),
    path("ping/", views.ping, name="ping"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("learn/", include("education.urls")),
    path("diary/", include("portal.diary.urls")),
    path("summary/", include("portal.summary.urls")),
    path("appointments/", include("portal.appointments.urls")),
    path("questions/", include("portal.questions.urls")),
    path("treatments/", include("portal.treatments.urls")),
    path("check-in/", include("portal.checkin.urls")),
    path("reminders/", include("portal.reminders.urls")),
    path("calendar/", include("portal.calendar.urls")),
    path("care-team/", include("portal.careteam.urls")),
    # People who help with a patient's diary, and the diaries one helps with.
    path("caregivers/", include("portal.caregivers.urls")),
    # Sign-up, sign-in, email confirmation, passwords and the second step (django-allauth).
    # "login" and "logout" are the names templates used before allauth; kept as aliases.
    path("accounts/login/", pages_only(account_views.login), name="login"),
    path("accounts/logout/", pages_only(account_views.logout), name="logout"),
    path("accounts/", include(_pages_only(allauth.urls.urlpatterns))),
    # My account: download or delete my data, recent sign-ins.
    path("account/", include("portal.account.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler400 = views.bad_request
