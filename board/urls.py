from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("", views.board, name="index"),
    path("kolom/", views.column_more, name="more"),
    path("kop/", views.column_header_view, name="header"),
]
