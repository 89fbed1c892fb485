from django.urls import path

from . import views

app_name = "trajects"
urlpatterns = [
    path("", views.traject_list, name="list"),
    path("export.csv", views.traject_export_csv, name="export_csv"),
    path("statistisch-verwacht/", views.traject_expected, name="expected"),
    path("export.xlsx", views.traject_export_xlsx, name="export_xlsx"),
    path("exports/<id:pk>/", views.export_job, name="export_job"),
    path("exports/<id:pk>/download/", views.export_job_download, name="export_job_download"),
    path("relaties/", views.relation_options, name="relation_options"),
    path("weergaven/", views.saved_view_save, name="view_save"),
    path("weergaven/<id:pk>/standaard/", views.saved_view_default, name="view_default"),
    path("weergaven/<id:pk>/verwijderen/", views.saved_view_delete, name="view_delete"),
    path("<id:pk>/", views.traject_detail, name="detail"),
    # The detail page's widgets (issue 5).
    path("<id:pk>/informatie/", views.traject_informatie, name="informatie"),
    path(
        "<id:pk>/informatie/velden/",
        views.traject_informatie_fragment,
        name="informatie_fragment",
    ),
    path("<id:pk>/omzet/", views.traject_omzet, name="omzet"),
    path("<id:pk>/accountmanagers/", views.traject_accountmanager_add, name="accountmanager_add"),
    path(
        "<id:pk>/accountmanagers/<id:user_id>/verwijderen/",
        views.traject_accountmanager_remove,
        name="accountmanager_remove",
    ),
    path("<id:pk>/overdragen/", views.traject_hand_over, name="hand_over"),
    path("<id:pk>/notities/", views.traject_note_add, name="note_add"),
    path("<id:pk>/notities/<id:note_id>/", views.traject_note_edit, name="note_edit"),
    path(
        "<id:pk>/notities/<id:note_id>/verwijderen/",
        views.traject_note_delete,
        name="note_delete",
    ),
    path("<id:pk>/afspraken/", views.traject_appointment_add, name="appointment_add"),
    path(
        "<id:pk>/afspraken/<id:appointment_id>/verwijderen/",
        views.traject_appointment_delete,
        name="appointment_delete",
    ),
    path("<id:pk>/verwijderen/", views.traject_delete, name="delete"),
    path("prullenbak/", views.traject_bin, name="bin"),
    path("prullenbak/<id:pk>/herstellen/", views.traject_restore, name="restore"),
    path("statistieken/", views.statistics_overview, name="statistics"),
]
