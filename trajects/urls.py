from django.urls import path

from . import views

app_name = "trajects"
urlpatterns = [
    path("", views.traject_list, name="list"),
    path("export.csv", views.traject_export_csv, name="export_csv"),
    path("statistisch-verwacht/", views.traject_expected, name="expected"),
    path("export.xlsx", views.traject_export_xlsx, name="export_xlsx"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("relaties/", views.relation_options, name="relation_options"),
    path("weergaven/", views.saved_view_save, name="view_save"),
    path("weergaven/<int:pk>/standaard/", views.saved_view_default, name="view_default"),
    path("weergaven/<int:pk>/verwijderen/", views.saved_view_delete, name="view_delete"),
    path("<int:pk>/", views.traject_detail, name="detail"),
    # The detail page's widgets (issue 5).
    path("<int:pk>/informatie/", views.traject_informatie, name="informatie"),
    path(
        "<int:pk>/informatie/velden/",
        views.traject_informatie_fragment,
        name="informatie_fragment",
    ),
    path("<int:pk>/omzet/", views.traject_omzet, name="omzet"),
    path("<int:pk>/accountmanagers/", views.traject_accountmanager_add, name="accountmanager_add"),
    path(
        "<int:pk>/accountmanagers/<int:user_id>/verwijderen/",
        views.traject_accountmanager_remove,
        name="accountmanager_remove",
    ),
    path("<int:pk>/overdragen/", views.traject_hand_over, name="hand_over"),
    path("<int:pk>/notities/", views.traject_note_add, name="note_add"),
    path("<int:pk>/notities/<int:note_id>/", views.traject_note_edit, name="note_edit"),
    path(
        "<int:pk>/notities/<int:note_id>/verwijderen/",
        views.traject_note_delete,
        name="note_delete",
    ),
    path("<int:pk>/afspraken/", views.traject_appointment_add, name="appointment_add"),
    path(
        "<int:pk>/afspraken/<int:appointment_id>/verwijderen/",
        views.traject_appointment_delete,
        name="appointment_delete",
    ),
    path("<int:pk>/verwijderen/", views.traject_delete, name="delete"),
    path("prullenbak/", views.traject_bin, name="bin"),
    path("prullenbak/<int:pk>/herstellen/", views.traject_restore, name="restore"),
    path("statistieken/", views.statistics_overview, name="statistics"),
]
