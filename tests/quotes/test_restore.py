"""Rule 10 across apps: a restored traject comes back with its quotes, visible as before."""

import pytest
from django.urls import reverse

from quotes.models import Quote
from trajects import services as traject_services

from .conftest import make_quote

pytestmark = pytest.mark.django_db


def test_deleted_traject_hides_its_quotes_and_restore_brings_them_back(
    client_for, traject, am, beheerder
):
    quote = make_quote(traject, am)
    traject_services.traject_delete(traject=traject, user=am)
    assert not Quote.objects.visible_to(am).filter(pk=quote.pk).exists()
    assert not Quote.objects.visible_to(beheerder).filter(pk=quote.pk).exists()
    assert client_for(am).get(reverse("quotes:detail", args=[quote.pk])).status_code == 404

    traject_services.traject_restore(traject_id=traject.pk, user=beheerder)
    assert Quote.objects.visible_to(am).filter(pk=quote.pk).exists()
    response = client_for(am).get(reverse("quotes:detail", args=[quote.pk]))
    assert response.status_code == 200
    assert quote.title in response.text
