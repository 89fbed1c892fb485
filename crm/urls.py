from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("relaties/", views.relation_list, name="relation_list"),
    path("relaties/zoeken/", views.relation_search, name="relation_search"),
    path("relaties/nieuw/", views.relation_create, name="relation_create"),
    path("relaties/<id:pk>/", views.relation_detail, name="relation_detail"),
    path("relaties/<id:pk>/adres/", views.relation_edit, name="relation_edit"),
    path("relaties/<id:pk>/contactpersonen/", views.contact_add, name="contact_add"),
    path(
        "relaties/<id:pk>/contactpersonen/<id:contact_id>/",
        views.contact_edit,
        name="contact_edit",
    ),
]
