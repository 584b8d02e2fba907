from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("ping/", views.ping, name="ping"),
    path("learn/", include("education.urls")),
    path("diary/", include("portal.diary_urls")),
    path("summary/", include("portal.summary_views")),
    path("appointments/", include("portal.appointments")),
    path("questions/", include("portal.questions")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
