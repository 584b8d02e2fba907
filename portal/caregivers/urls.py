from django.urls import path

from portal.caregivers import views

app_name = "caregivers"
urlpatterns = [
    path("", views.caregiver_list, name="caregiver_list"),
    path("invite/", views.invite, name="invite"),
    path("accept/<str:token>/", views.accept, name="accept"),
    path("switch/", views.switch, name="switch"),
    path("switch/own/", views.switch_back, name="switch_back"),
    path("<int:pk>/edit/", views.grant_edit, name="grant_edit"),
    path("<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
