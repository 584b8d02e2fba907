from django.urls import path

from portal.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.appointment_list, name="appointment_list"),
    path("new/", views.appointment_create, name="appointment_create"),
    path("<int:pk>/edit/", views.appointment_edit, name="appointment_edit"),
    path("<int:pk>/delete/", views.appointment_delete, name="appointment_delete"),
]
