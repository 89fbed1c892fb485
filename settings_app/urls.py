from django.urls import path

from . import views

app_name = "settings_app"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("dichtheid/", views.density_set, name="density"),
]
