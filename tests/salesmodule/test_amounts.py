"""The one amount parser of every money input and of the import (issue 12, point 14)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from salesmodule.amounts import AmountField, parse_amount

HAND_CASES = [
    ("10.000", Decimal("10000")),
    ("€ 2.500", Decimal("2500")),
    ("2.500,50", Decimal("2500.50")),
    ("2,500.50", Decimal("2500.50")),
    ("1 000", Decimal("1000")),
    ("12,5", Decimal("12.50")),
    ("1.250.000", Decimal("1250000")),
    ("€\u00a01.000", Decimal("1000")),
    ("12.50", Decimal("12.50")),
    ("0,1", Decimal("0.10")),
    ("1000", Decimal("1000")),
]


def clean(typed, language="nl"):
    field = AmountField(required=False, min_value=0, max_digits=14, decimal_places=2)
    with translation.override(language):
        return field.clean(typed)


@pytest.mark.parametrize(("typed", "amount"), HAND_CASES)
def test_hand_cases_in_dutch(typed, amount):
    with translation.override("nl"):
        assert parse_amount(typed) == amount
    cleaned = clean(typed)
    assert cleaned == amount and isinstance(cleaned, Decimal)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("10,000", Decimal("10000")),
        ("€ 2,500", Decimal("2500")),
        ("2,500.50", Decimal("2500.50")),
        ("2.500,50", Decimal("2500.50")),
        ("1 000", Decimal("1000")),
        ("12.5", Decimal("12.50")),
        ("12,5", Decimal("12.50")),
        ("1,250,000", Decimal("1250000")),
    ],
)
def test_english_notation_in_english(typed, amount):
    assert clean(typed, "en") == amount


@pytest.mark.parametrize(("typed", "language"), [("1,234", "nl"), ("1.234", "en")])
def test_a_decimal_mark_before_three_digits_is_refused_never_misread(typed, language):
    # In the user's own notation this is 1 with three decimals: not money, and not 1234.
    with pytest.raises(ValidationError) as caught:
        clean(typed, language)
    assert [error.code for error in caught.value.error_list] == ["max_decimal_places"]


def test_the_import_reads_dutch_whatever_the_language():
    with translation.override("en"):
        assert parse_amount("2.500", decimal_mark=",") == Decimal("2500")


@pytest.mark.parametrize("typed", ["", "  ", "€"])
def test_nothing_typed_is_no_amount(typed):
    assert parse_amount(typed) is None
    assert AmountField(required=False).clean(typed) is None


@pytest.mark.parametrize(
    "typed", ["abc", "tien euro", "1,2,3,4x", "--1", "1.2.3,4,5", "1e30", "1.00.000", "12.3456.789"]
)
def test_garbage_is_refused_with_a_message(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)
    with pytest.raises(ValidationError) as caught:
        clean(typed)
    assert caught.value.messages == ["Voer een getal in."]


def test_three_decimals_are_not_money():
    with pytest.raises(ValidationError):
        clean("0,125")
