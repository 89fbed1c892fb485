"""Reading amounts the user's way (Decimal end to end)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from trajects.forms import AmountField, parse_amount


@pytest.mark.parametrize(
    ("typed", "nl", "en"),
    [
        ("1000", "1000", "1000"),
        ("1.000", "1000", "1.000"),
        ("1,000", "1.000", "1000"),
        ("1.000,50", "1000.50", "1000.50"),
        ("1,000.50", "1000.50", "1000.50"),
        ("1.250.000", "1250000", "1250000"),
        ("€ 12,5", "12.5", "12.5"),
        ("12.50", "12.50", "12.50"),
        ("0,1", "0.1", "0.1"),
        ("\u20ac\u00a01.000", "1000", "1.000"),
    ],
)
def test_parse_amount_per_language(typed, nl, en):
    with translation.override("nl"):
        assert parse_amount(typed) == nl
    with translation.override("en"):
        assert parse_amount(typed) == en


@pytest.mark.parametrize("typed", ["abc", "1,2,3,4x", "--1", "1.2.3,4,5"])
def test_garbage_is_refused(typed):
    field = AmountField(required=False, min_value=0, max_digits=14, decimal_places=2)
    with translation.override("nl"), pytest.raises(ValidationError):
        field.clean(typed)


def test_amounts_are_decimal():
    field = AmountField(required=False, max_digits=14, decimal_places=2)
    with translation.override("nl"):
        assert field.clean("1.234,56") == Decimal("1234.56")
        assert field.clean("") is None
