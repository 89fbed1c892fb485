"""The relation search and picker never give a 500 (issue 12, point 9; DESIGN rule 12).

A NUL byte is refused by PostgreSQL in any text; '²' passes str.isdigit() but not int().
"""

import pytest
from django.urls import reverse

from vacancies.models import Vacancy

from ..factories import RelationFactory

pytestmark = pytest.mark.django_db

BIG = str(2**63)
FORGED_IDS = ["²", "١٢", BIG, "-3", "0"]


@pytest.fixture
def hanzebouw(db):
    return RelationFactory(name="Hanzebouw", city="Zwolle")


def test_a_nul_in_the_relations_search_is_left_out(client_for, am, hanzebouw):
    response = client_for(am).get(reverse("crm:relation_list"), {"q": "hanze\x00bouw"})
    assert response.status_code == 200
    assert "Hanzebouw" in response.text


def test_a_nul_in_the_autocomplete_is_left_out(client_for, am, hanzebouw):
    address = reverse("crm:relation_search")
    response = client_for(am).get(address, {"relation_query": "hanze\x00"})
    assert response.status_code == 200
    assert f'data-value="{hanzebouw.pk}"' in response.text


@pytest.mark.parametrize("forged", ["3bad", "<b>", 'a b"', "", "\x00"])
def test_a_forged_field_or_listbox_name_is_ignored(client_for, am, hanzebouw, forged):
    address = reverse("crm:relation_search")
    params = {"field": forged, "listbox": forged, "relation_query": "hanze", "q": "hanze"}
    response = client_for(am).get(address, params)
    assert response.status_code == 200
    assert f'id="relation-listbox-{hanzebouw.pk}"' in response.text


def test_a_huge_search_is_cut_not_refused(client_for, am, hanzebouw):
    response = client_for(am).get(reverse("crm:relation_search"), {"q": "hanze" + "x" * 10_000})
    assert response.status_code == 200 and "Geen relatie gevonden" in response.text


def test_the_chosen_relation_stays_on_the_vacancy_form_while_searching(client_for, am, hanzebouw):
    other = RelationFactory(name="Otys")
    data = {"title": "Monteur", "relation_query": "hanze", "relation": other.pk, "_refresh": "1"}
    response = client_for(am).post(reverse("vacancies:create"), data)
    assert f'name="relation" value="{other.pk}"' in response.text
    assert "Gekozen: Otys" in response.text and "Hanzebouw" in response.text


def test_a_nul_in_the_vacancy_forms_search_keeps_the_form(client_for, am, hanzebouw):
    data = {"title": "Monteur", "relation_query": "hanze\x00", "_refresh": "1"}
    response = client_for(am).post(reverse("vacancies:create"), data)
    assert response.status_code == 200
    assert 'value="Monteur"' in response.text and "Hanzebouw" in response.text
    assert not Vacancy.objects.exists()


def test_a_nul_in_the_search_box_does_not_stop_saving(client_for, am, hanzebouw):
    data = {"title": "Monteur", "relation_query": "hanze\x00", "relation": hanzebouw.pk}
    response = client_for(am).post(reverse("vacancies:create"), data)
    assert response.status_code == 302
    assert Vacancy.objects.get().relation == hanzebouw


@pytest.mark.parametrize("forged", FORGED_IDS)
def test_a_forged_relation_on_the_vacancy_form_gets_a_message(client_for, am, hanzebouw, forged):
    client = client_for(am)
    assert client.get(reverse("vacancies:create"), {"relation": forged}).status_code == 200
    data = {"title": "Monteur", "relation_query": "hanze", "relation": forged}
    response = client.post(reverse("vacancies:create"), data)
    assert response.status_code == 200
    assert "Deze relatie bestaat niet (meer); zoek haar opnieuw." in response.text
    assert 'value="Monteur"' in response.text and "Hanzebouw" in response.text
    assert not Vacancy.objects.exists()
