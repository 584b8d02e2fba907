from django.urls import path

from education import views

app_name = "education"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("<slug:slug>/", views.article_detail, name="article_detail"),
    path("<slug:slug>/<slug:section_slug>/", views.section_detail, name="section_detail"),
]
