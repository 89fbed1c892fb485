"""Weergaven: a user's named column choices, one of them his default."""

import re

import pytest

from trajects.models import SavedView

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db
URL = "/sales/"


def headers(response) -> list[str]:
    head = response.text.split('id="traject-table"', 1)[1].split("</thead>", 1)[0]
    return [
        re.sub(r"<[^>]+>|[↑↓]", "", cell).strip()
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]


def test_choosing_and_ordering_columns_through_the_url(client_for, am):
    TrajectFactory(accountmanagers=[am])
    response = client_for(am).get(URL, {"cols": ["value", "subject", "lead_date"]})
    assert headers(response) == ["Waarde", "Onderwerp", "Lead datum"]


def test_column_links_show_hide_and_move(client_for, am):
    response = client_for(am).get(URL, {"cols": ["subject", "value"]})
    links = response.text.split('class="column-list"')[1].split("</ol>")[0]
    assert "cols=value&amp;cols=subject" in links  # move "Waarde" left
    assert "cols=subject&amp;cols=value&amp;cols=relation" in links  # add "Relatie"


def test_save_a_view_make_it_default_and_it_opens_with_it(client_for, am):
    client = client_for(am)
    response = client.post(
        "/sales/weergaven/",
        {"name": "Geld", "columns": ["subject", "value", "weighted"], "is_default": "on",
         "next": "month=11&year=2026"},
    )  # fmt: skip
    view = SavedView.objects.get(user=am)
    assert response.status_code == 302
    assert f"view={view.pk}" in response["Location"] and "month=11" in response["Location"]
    assert view.is_default and view.columns == ["subject", "value", "weighted"]
    assert headers(client.get(URL)) == ["Onderwerp", "Waarde", "Gewogen"]


def test_only_one_default_per_user(client_for, am):
    client = client_for(am)
    for name in ("Een", "Twee"):
        client.post("/sales/weergaven/", {"name": name, "columns": ["subject"], "is_default": "on"})
    assert list(
        SavedView.objects.filter(user=am, is_default=True).values_list("name", flat=True)
    ) == ["Twee"]
    een = SavedView.objects.get(user=am, name="Een")
    client.post(f"/sales/weergaven/{een.pk}/standaard/", {"next": ""})
    assert SavedView.objects.get(user=am, is_default=True).name == "Een"


def test_views_are_per_user(client_for, am, other_am):
    theirs = SavedView.objects.create(
        user=other_am, name="Van Bob", columns=["value"], is_default=True
    )
    client = client_for(am)
    response = client.get(URL, {"view": theirs.pk})
    assert "Weergave “" in response.text and "Van Bob" not in response.text
    assert "Onderwerp" in headers(response)
    assert client.post(f"/sales/weergaven/{theirs.pk}/verwijderen/").status_code == 404
    assert client.post(f"/sales/weergaven/{theirs.pk}/standaard/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_delete_a_view(client_for, am):
    view = SavedView.objects.create(user=am, name="Weg", columns=["value"], is_default=True)
    response = client_for(am).post(
        f"/sales/weergaven/{view.pk}/verwijderen/", {"next": f"view={view.pk}"}
    )
    assert response.status_code == 302 and f"view={view.pk}" not in response["Location"]
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_bad_view_name_comes_back_beside_the_field_keeping_the_rest(client_for, am):
    response = client_for(am).post(
        "/sales/weergaven/",
        {"name": "", "columns": ["subject", "value"], "next": "cols=subject&cols=value"},
    )
    assert response.status_code == 200
    assert 'id="view-name-error"' in response.text
    assert headers(response) == ["Onderwerp", "Waarde"]
    assert not SavedView.objects.exists()
    long_name = client_for(am).post(
        "/sales/weergaven/", {"name": "x" * 300, "columns": ["subject"]}
    )
    assert long_name.status_code == 200 and 'id="view-name-error"' in long_name.text
    assert 'value="' + "x" * 300 + '"' in long_name.text


def test_unknown_columns_in_a_post_are_refused(client_for, am):
    response = client_for(am).post("/sales/weergaven/", {"name": "Raar", "columns": ["bogus"]})
    assert response.status_code == 200
    assert not SavedView.objects.exists()
