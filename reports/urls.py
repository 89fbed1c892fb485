from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("forecast/", views.forecast_report, name="forecast"),
    path("forecast/export.csv", views.forecast_csv, name="forecast_csv"),
    path("win-verlies/", views.winloss_report, name="winloss"),
    path("win-verlies/export.csv", views.winloss_csv, name="winloss_csv"),
]
