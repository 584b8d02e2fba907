from django.urls import path

from portal import account_views

app_name = "my_account"

urlpatterns = [
    path("", account_views.overview, name="overview"),
    path("activity/", account_views.activity, name="activity"),
    path("download/", account_views.download, name="download"),
    path("download/csv/", account_views.download_csv, name="download_csv"),
    path("download/fhir/", account_views.download_fhir, name="download_fhir"),
    path("delete/", account_views.delete, name="delete"),
    path("stay-signed-in/", account_views.stay_signed_in, name="stay_signed_in"),
]
