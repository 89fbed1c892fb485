"""Issue 12, point 14 over HTTP on the detail page: the Informatie form's Waarde and the Omzet
preview read Dutch and English amounts with an optional € and spaces, as the new-lead form and
the import do (one parser)."""

from decimal import Decimal

import pytest

from trajects.models import Traject

from .conftest import loaded_form, url

pytestmark = pytest.mark.django_db

TYPED = [
    ("10.000", Decimal("10000")),
    ("€ 2.500", Decimal("2500")),
    ("€2.500,50", Decimal("2500.50")),
    ("2,500.50", Decimal("2500.50")),
    ("1 000", Decimal("1000")),
    ("12,5", Decimal("12.50")),
]


@pytest.mark.parametrize(("typed", "value"), TYPED)
def test_the_informatie_form_saves_the_typed_amount(client_for, am, traject, typed, value):
    client = client_for(am)
    data = loaded_form(client, traject) | {"value": typed}
    response = client.post(url("informatie", traject.pk), data)
    assert response.status_code == 302, response.context["info_form"].errors
    assert Traject.objects.get(pk=traject.pk).value == value


def test_the_omzet_preview_reads_the_same_notation(client_for, am, traject):
    client = client_for(am)
    response = client.get(url("omzet", traject.pk), {"value": "€ 2.500", "probability": "50"})
    assert response.status_code == 200
    assert ">€ 1.250" in response.text
    response = client.get(url("omzet", traject.pk), {"value": "10.000", "probability": "10"})
    assert ">€ 1.000" in response.text
