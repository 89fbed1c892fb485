"""The project's URLs plus two views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from salesmodule.urls import urlpatterns as project_urlpatterns


def refuses(request):
    raise PermissionDenied("Alleen op maandag.")


def breaks(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/refuses/", refuses),
    path("test/breaks/", breaks),
    *project_urlpatterns,
]
