from django.urls import path

from portal.diary import views

app_name = "diary"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("suggestions/", views.symptom_suggestions, name="symptom_suggestions"),
    path("questions/", views.entry_grading, name="entry_grading"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/unmatch/", views.entry_unmatch, name="entry_unmatch"),
    path("sections/<int:pk>/activity/", views.section_activity, name="section_activity"),
]
