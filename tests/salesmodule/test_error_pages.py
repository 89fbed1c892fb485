"""The error pages: 404 and 403 in the site's look and language, 500 without any context."""

import pytest
from django.urls import reverse

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db


def test_an_invisible_traject_is_a_dutch_404_that_shows_nothing_of_it(client_for, am, other_am):
    traject = TrajectFactory(subject="Geheim project", accountmanagers=[other_am])
    response = client_for(am).get(reverse("trajects:detail", args=[traject.pk]))
    assert response.status_code == 404
    assert "Niet gevonden" in response.text and 'lang="nl"' in response.text
    assert "Geheim project" not in response.text
    assert 'href="/sales/"' in response.text  # the way back


def test_the_404_speaks_english_when_chosen(client_for, am):
    client = client_for(am)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/sales/999999999/")
    assert response.status_code == 404 and "Not found" in response.text


@pytest.mark.urls("tests.salesmodule.error_urls")
def test_a_refusal_no_view_caught_is_a_403_with_its_reason(client_for, am):
    response = client_for(am).get("/test/refuses/")
    assert response.status_code == 403
    assert "Niet toegestaan" in response.text and "Alleen op maandag." in response.text


@pytest.mark.urls("tests.salesmodule.error_urls")
def test_a_server_error_page_renders_without_a_request(client_for, am):
    client = client_for(am)
    client.raise_request_exception = False
    response = client.get("/test/breaks/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Er ging iets mis" in page and "a bug" not in page
