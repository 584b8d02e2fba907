from django.urls import path

from portal.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.feed_page, name="feed_page"),
    path("appointments/<int:pk>.ics", views.appointment_ics, name="appointment_ics"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/stop/", views.feed_stop, name="feed_stop"),
    # No sign-in: the token is the secret (calendar apps cannot sign in).
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
