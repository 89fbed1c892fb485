from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("relaties/", views.relation_list, name="relation_list"),
    path("relaties/zoeken/", views.relation_options, name="relation_options"),
]
