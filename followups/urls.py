from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.my_tasks, name="mine"),
    path("meer/", views.my_tasks_more, name="more"),
    path("traject/<id:pk>/", views.traject_tasks, name="traject"),
    path("<id:task_id>/klaar/", views.task_complete, name="complete"),
    path("<id:task_id>/heropenen/", views.task_reopen, name="reopen"),
    path("<id:task_id>/verwijderen/", views.task_delete, name="delete"),
]
