from django.urls import path

from portal.account import views

app_name = "my_account"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("details/", views.profile, name="profile"),
    path("activity/", views.activity, name="activity"),
    path("activity/sign-out-elsewhere/", views.sign_out_elsewhere, name="sign_out_elsewhere"),
    path("care-team/", views.care_team, name="care_team"),
    path("download/", views.download, name="download"),
    path("download/csv/", views.download_csv, name="download_csv"),
    path("download/fhir/", views.download_fhir, name="download_fhir"),
    path("delete/", views.delete, name="delete"),
    path("stay-signed-in/", views.stay_signed_in, name="stay_signed_in"),
]
