"""Issue 12, point 14 on the quote form: a line's price reads Dutch and English amounts with an
optional € and spaces (the one amount parser), as the lead and detail forms do."""

import datetime
from decimal import Decimal

import pytest

from quotes.models import Quote

from .test_views import create_url, form_data

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("typed", "price"),
    [
        ("10.000", Decimal("10000")),
        ("€ 2.500", Decimal("2500")),
        ("€ 2.500,50", Decimal("2500.50")),
        ("2,500.50", Decimal("2500.50")),
        ("1 000", Decimal("1000")),
        ("12,5", Decimal("12.50")),
    ],
)
def test_a_line_price_in_either_notation_is_saved(
    client_for, am, traject, time_machine, typed, price
):
    time_machine.move_to(TODAY, tick=False)
    data = form_data(traject, lines=[("Werving", "1", "stuk", typed, "21")], discount_percent="0")
    response = client_for(am).post(create_url(traject), data)
    assert response.status_code == 302
    line = Quote.objects.get().lines.get()
    assert line.unit_price == price
