from django.urls import path

from portal.questions import views

app_name = "questions"
urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("new/", views.question_create, name="question_create"),
    path("<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("<int:pk>/asked/", views.question_asked, name="question_asked"),
    path("<int:pk>/delete/", views.question_delete, name="question_delete"),
]
