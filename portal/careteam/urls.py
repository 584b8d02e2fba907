from django.urls import path

from portal.careteam import views

app_name = "careteam"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
]
