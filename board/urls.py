from django.urls import path

from . import moves, views

app_name = "board"
urlpatterns = [
    path("", views.board, name="index"),
    path("kolom/", views.column_more, name="more"),
    path("kop/", views.column_header_view, name="header"),
    path("kaart/<id:pk>/", moves.card_place, name="card"),
    path("kaart/<id:pk>/verplaats/", moves.card_move, name="move"),
    path("ongedaan/", moves.card_move_undo, name="undo"),
]
