from django.urls import path

from . import views

app_name = "vacancies"
urlpatterns = [
    path("", views.vacancy_list, name="list"),
    path("nieuw/", views.vacancy_create, name="create"),
    path("<id:pk>/", views.vacancy_detail, name="detail"),
    path("<id:pk>/wijzigen/", views.vacancy_update, name="update"),
]
