from django.urls import path

from portal.treatments import views

app_name = "treatments"
urlpatterns = [
    path("", views.treatment_list, name="treatment_list"),
    path("new/", views.treatment_create, name="treatment_create"),
    path("<int:pk>/edit/", views.treatment_edit, name="treatment_edit"),
    path("<int:pk>/delete/", views.treatment_delete, name="treatment_delete"),
]
