from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("ping/", views.ping, name="ping"),
    path("learn/", include("education.urls")),
    path("diary/", include("portal.diary.urls")),
    path("summary/", include("portal.summary.urls")),
    path("appointments/", include("portal.appointments.urls")),
    path("questions/", include("portal.questions.urls")),
    # Sign-up, sign-in, email confirmation, passwords and the second step (django-allauth).
    # "login" and "logout" are the names templates used before allauth; kept as aliases.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    # My account: download or delete my data, recent sign-ins.
    path("account/", include("portal.account.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler400 = views.bad_request
