"""Bad input on the lead pages never gives a 500 (issue 12, points 8 and 9; DESIGN rule 12)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import LeadImport
from trajects.models import Traject

from ..factories import RelationFactory, TrajectFactory, VacancyFactory
from .test_views import CREATE, LIST, errors_of, lead_data

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Kies een datum tussen 1900 en 2100."
BIG = str(2**63)


@pytest.mark.parametrize("field", ["lead_date", "expected_close"])
@pytest.mark.parametrize("typed", ["01-01-0001", "31-12-1899", "01-01-2101"])
def test_a_lead_date_out_of_range_comes_back_beside_the_field(client_for, am, field, typed):
    response = client_for(am).post(CREATE, lead_data(RelationFactory(), **{field: typed}))
    assert response.status_code == 200
    assert errors_of(response.text, field) == [OUT_OF_RANGE]
    assert f'value="{typed}"' in response.text
    assert not Traject.objects.exists()


def test_the_ends_of_the_range_make_a_lead(client_for, am):
    data = lead_data(RelationFactory(), lead_date="01-01-1900", expected_close="31-12-2100")
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 302
    lead = Traject.objects.get()
    assert (lead.lead_date, lead.expected_close) == (
        datetime.date(1900, 1, 1),
        datetime.date(2100, 12, 31),
    )


@pytest.mark.parametrize("forged", ["²", "١٢", BIG, "-1"])
def test_a_forged_vacancy_id_is_404(client_for, am, forged):
    VacancyFactory()
    client = client_for(am)
    assert client.get(CREATE, {"vacancy": forged}).status_code == 404
    assert client.post(CREATE, {"vacancy": forged}).status_code == 404


@pytest.mark.parametrize("forged", ["²", "١", BIG])
def test_a_forged_relation_choice_on_refresh_shows_the_form(client_for, am, forged):
    relation = RelationFactory(name="Hanzebouw")
    client = client_for(am)
    for data in (
        {"use_relation": forged, "subject": "Deuren"},
        {"_refresh": "1", "relation": forged, "relation_query": "hanze", "subject": "Deuren"},
    ):
        response = client.post(CREATE, data)
        assert response.status_code == 200
        assert 'value="Deuren"' in response.text
    assert "Hanzebouw" in response.text and str(relation.pk) in response.text


def test_ids_past_a_bigint_get_a_message(client_for, beheerder):
    data = lead_data(RelationFactory(), relation=BIG, accountmanagers=[BIG], lead_by=BIG)
    data |= {"business_type": BIG, "source": BIG}
    response = client_for(beheerder).post(CREATE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["relation"] == ["Deze relatie bestaat niet (meer); zoek haar opnieuw."]
    assert "Deze relatie bestaat niet (meer); zoek haar opnieuw." in response.text
    assert set(errors) == {"relation", "accountmanagers", "lead_by", "business_type", "source"}
    assert not Traject.objects.exists()


def test_a_nul_in_the_relation_search_shows_the_form(client_for, am):
    RelationFactory(name="Hanzebouw")
    response = client_for(am).post(
        CREATE, {"_refresh": "1", "relation_query": "hanze\x00", "subject": "Deuren"}
    )
    assert response.status_code == 200
    assert "Hanzebouw" in response.text and 'value="Deuren"' in response.text


@pytest.mark.parametrize("back", ["foo", "trajects:list", "", "//evil.example/"])
def test_distribution_goes_back_to_the_list_for_anything_but_a_local_path(
    client_for, beheerder, am, back
):
    lead = TrajectFactory(converted_at=None)
    response = client_for(beheerder).post(
        reverse("leads:distribute"), {"leads": [lead.pk], "accountmanagers": [am.pk], "next": back}
    )
    assert response.status_code == 302 and response.url == LIST
    assert list(lead.accountmanagers.all()) == [am]


def test_distributing_ids_past_a_bigint_says_why(client_for, beheerder, am):
    lead = TrajectFactory(converted_at=None)
    client = client_for(beheerder)
    for data in (
        {"leads": [BIG], "accountmanagers": [am.pk]},
        {"leads": [lead.pk], "accountmanagers": [BIG]},
    ):
        response = client.post(reverse("leads:distribute"), data, follow=True)
        assert response.status_code == 200
        assert 'class="error"' in response.text
    assert lead.accountmanagers.count() == 0


def test_a_nul_in_an_import_file_is_left_out(client_for, beheerder):
    lines = [
        "subject,relation,value",
        "Glazen\x00 deuren,OTYS,12\x00x",
        "Kozijnen,Bouw\x00 B.V.,1500",
    ]
    upload = SimpleUploadedFile("leads\x00.csv", "\n".join(lines).encode(), "text/csv")
    response = client_for(beheerder).post(reverse("leads:import"), {"file": upload})
    assert response.status_code == 302
    lead_import = LeadImport.objects.get()
    assert lead_import.bad_rows == [{"row": 2, "errors": ['waarde "12x" is geen bedrag']}]
    assert (lead_import.filename, lead_import.valid_rows) == ("leads.csv", 1)
    assert client_for(beheerder).get(response.url).status_code == 200
