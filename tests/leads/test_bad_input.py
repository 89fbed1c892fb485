"""Bad input on the lead pages never gives a 500 (issue 12, points 8 and 9; DESIGN rule 12)."""

import datetime

import pytest

from trajects.models import Traject

from ..factories import RelationFactory
from .test_views import CREATE, errors_of, lead_data

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Kies een datum tussen 1900 en 2100."


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
