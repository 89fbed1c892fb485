"""The overview's cell formats: the fast paths write exactly what Django's formatting would."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import date_format, number_format

from trajects.tables import _date_template, euro, percent, short_date


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("nl", Decimal("99303.00"), "€ 99.303"),
        ("nl", Decimal("10277.50"), "€ 10.278"),  # half up, as the manual rounds
        ("nl", Decimal("0.49"), "€ 0"),
        ("nl", Decimal("1234567.89"), "€ 1.234.568"),
        ("en", Decimal("99303.00"), "€ 99,303"),
        ("en", Decimal("999.50"), "€ 1,000"),
        ("nl", None, ""),
    ],
)
def test_euro_golden(language, amount, shown):
    with translation.override(language):
        assert euro(amount) == shown


@pytest.mark.parametrize("language", ["nl", "en"])
def test_euro_is_number_format_for_any_amount(language):
    amounts = [Decimal(n) / 100 for n in (0, 1, 49, 50, 99_99, 100_000, 123_456_789, 10**14 - 1)]
    with translation.override(language):
        for amount in amounts + [-a for a in amounts]:
            whole = amount.quantize(Decimal(1), rounding="ROUND_HALF_UP")
            assert euro(amount) == "€ " + number_format(whole, 0, force_grouping=True), amount


@pytest.mark.parametrize("language", ["nl", "en"])
def test_short_date_is_date_format(language):
    days = [datetime.date(2026, 1, 5), datetime.date(2026, 11, 24), datetime.date(999, 12, 31)]
    with translation.override(language):
        for day in days:
            assert short_date(day) == date_format(day, "SHORT_DATE_FORMAT")
    with translation.override("nl"):
        assert short_date(datetime.date(2026, 11, 24)) == "24-11-2026"
    assert short_date(None) == ""


def test_date_templates_fall_back_for_what_only_dateformat_knows():
    assert _date_template("d-m-Y") == "{0.day:02}-{0.month:02}-{0.year:04}"
    assert _date_template("n/j/Y") == "{0.month}/{0.day}/{0.year:04}"
    assert _date_template("N j, Y") is None
    assert _date_template("d\\e m") is None
    assert _date_template("{d}") == "{{{0.day:02}}}"


def test_percent_rounds_half_up():
    assert percent(Decimal("43.5")) == "44%" and percent(44) == "44%" and percent(None) == ""
