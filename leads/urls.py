from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("nieuw/", views.lead_create, name="create"),
    path("nieuw/relatie-bestaat/", views.relation_similar, name="relation_similar"),
    path("verdelen/", views.lead_distribute, name="distribute"),
    path("weergaven/", views.saved_view_save, name="view_save"),
    path("weergaven/<id:pk>/standaard/", views.saved_view_default, name="view_default"),
    path("weergaven/<id:pk>/verwijderen/", views.saved_view_delete, name="view_delete"),
    path("import/", views.lead_import, name="import"),
    path("import/<id:pk>/", views.lead_import_detail, name="import_detail"),
    path("import/<id:pk>/start/", views.lead_import_start, name="import_start"),
]
