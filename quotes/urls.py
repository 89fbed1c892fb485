from django.urls import path

from . import views

app_name = "quotes"
urlpatterns = [
    path("", views.quote_list, name="list"),
    path("traject/<id:traject_pk>/nieuw/", views.quote_create, name="create"),
    path("<id:pk>/", views.quote_detail, name="detail"),
    path("<id:pk>/wijzigen/", views.quote_edit, name="edit"),
    path("<id:pk>/pdf/", views.quote_pdf, name="pdf"),
    path("<id:pk>/pdf/download/", views.quote_download, name="download"),
    path("<id:pk>/versturen/", views.quote_send, name="send"),
    path("<id:pk>/email/", views.quote_email, name="email"),
    path("<id:pk>/accepteren/", views.quote_accept, name="accept"),
    path("<id:pk>/afwijzen/", views.quote_reject, name="reject"),
    path("<id:pk>/nieuwe-versie/", views.quote_revise, name="revise"),
    path("<id:pk>/verwijderen/", views.quote_delete, name="delete"),
]
