"""Rule 6 (issue 12, points 3 and 4): what tests/trajects/test_outcomes.py leaves to show.

- Point 3: a business type changed on the detail page under a stage that does not fit it gets
  a message beside the field and saves nothing (the service refusal, over HTTP).
- Point 4: with several active lost types the one with the lowest order is used (the won case
  is in test_outcomes.py).
"""

import pytest

from settings_app.models import BusinessType, Stage, TrajectType
from trajects import services
from trajects.models import Traject

from ..factories import TrajectFactory
from .conftest import loaded_form, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def nb_only(db):
    only = Stage.objects.create(name="Pitch NB", order=2)
    only.business_types.add(BusinessType.objects.get(code="NB"))
    return only


def test_a_business_type_that_does_not_fit_the_stage_comes_back_with_a_message(
    client_for, am, nb_only
):
    nb = BusinessType.objects.get(code="NB")
    eb = BusinessType.objects.get(code="EB")
    traject = TrajectFactory(
        subject="Glazen deuren", accountmanagers=[am], business_type=nb, stage=nb_only
    )
    client = client_for(am)
    data = loaded_form(client, traject) | {"business_type": str(eb.pk), "subject": "Nieuw"}
    response = client.post(url("informatie", traject.pk), data)
    assert response.status_code == 200
    assert "hoort niet bij business" in response.text
    assert "Pitch NB" in response.context["info_form"].errors.as_text()
    fresh = Traject.objects.get(pk=traject.pk)
    assert (fresh.business_type, fresh.stage, fresh.subject) == (nb, nb_only, "Glazen deuren")


def test_the_lost_type_with_the_lowest_order_is_used(am):
    TrajectType.objects.create(name="Lost vervallen", outcome="lost", order=0, active=False)
    first = TrajectType.objects.create(name="Lost afgehaakt", outcome="lost", order=0)
    traject = TrajectFactory(accountmanagers=[am])
    services.traject_update(
        traject=traject, user=am, changes={"stage": Stage.objects.get(name="Verloren").pk}
    )
    traject = Traject.objects.get(pk=traject.pk)
    assert (traject.type, traject.probability) == (first, 0)
