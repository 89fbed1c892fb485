from django.urls import path

from . import views

app_name = "quotes"
urlpatterns = [
    path("", views.quote_list, name="list"),
    path("traject/<int:traject_pk>/nieuw/", views.quote_create, name="create"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/wijzigen/", views.quote_edit, name="edit"),
    path("<int:pk>/pdf/", views.quote_pdf, name="pdf"),
    path("<int:pk>/pdf/download/", views.quote_download, name="download"),
    path("<int:pk>/versturen/", views.quote_send, name="send"),
    path("<int:pk>/email/", views.quote_email, name="email"),
    path("<int:pk>/accepteren/", views.quote_accept, name="accept"),
    path("<int:pk>/afwijzen/", views.quote_reject, name="reject"),
    path("<int:pk>/nieuwe-versie/", views.quote_revise, name="revise"),
    path("<int:pk>/verwijderen/", views.quote_delete, name="delete"),
]
