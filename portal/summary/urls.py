from django.urls import path

from portal.summary import views

app_name = "summary"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("printed/", views.summary_printed, name="summary_printed"),
    path("entries.csv", views.summary_csv, name="summary_csv"),
]
