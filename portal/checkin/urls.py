from django.urls import path

from portal.checkin import views

app_name = "checkin"

# Step numbers only: no symptom or answer is ever in a check-in's address.
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.resume, name="resume"),
    path("<int:pk>/questions/<int:number>/", views.step, name="step"),
    path("<int:pk>/anything-else/", views.anything_else, name="anything_else"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/done/", views.done, name="done"),
]
