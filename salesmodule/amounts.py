"""Amounts as people type them: the one parser of every money input and of the lead import.

Dutch and English notation, an optional €, spaces anywhere: '10.000', '€ 2.500', '2.500,50',
'2,500.50', '1 000', '12,5'. With both separators the last one is the decimal mark; one kind
used more than once groups thousands; a single one is the decimal mark, except before exactly
three digits where it is the grouping of the language's notation (nl: '10.000' is ten
thousand, '1,234' three decimals and refused as money), so an amount is never misread by a
factor of a thousand. Anything else raises ValueError; the caller says so beside the field.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats

_SPACES = re.compile(r"[€\s\u00a0\u202f]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# Whole euros grouped by thousands: '1', '12', '123', then groups of three.
_GROUPED = re.compile(r"-?[1-9]\d{0,2}(?:X\d{3})+")


def _ungroup(whole: str, mark: str) -> str:
    """The whole part without its thousands marks; ValueError when they are not in threes."""
    if not _GROUPED.fullmatch(whole.replace(mark, "X")):
        raise ValueError(whole)
    return whole.replace(mark, "")


def parse_amount(text, *, decimal_mark: str | None = None) -> Decimal | None:
    """The amount typed in `text` as a Decimal; None when empty; ValueError when not an amount.

    decimal_mark says how to read '1.000' and '1,000' (default: the active language's)."""
    cleaned = _SPACES.sub("", str(text))
    if not cleaned:
        return None
    if "." in cleaned and "," in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        whole, _mark, fraction = cleaned.rpartition(decimal)
        cleaned = f"{_ungroup(whole, grouping)}.{fraction}"
    elif "." in cleaned or "," in cleaned:
        mark = "." if "." in cleaned else ","
        whole, _mark, fraction = cleaned.rpartition(mark)
        if decimal_mark is None:
            decimal_mark = formats.get_format("DECIMAL_SEPARATOR")
        grouped = _GROUPED.fullmatch(cleaned.replace(mark, "X")) and len(fraction) == 3
        if cleaned.count(mark) > 1 or (grouped and mark != decimal_mark):
            cleaned = _ungroup(cleaned, mark)
        else:
            cleaned = f"{whole or '0'}.{fraction or '0'}"
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    return Decimal(cleaned)


def euro(amount, *, cents: bool = False) -> str:
    """The one money format (DESIGN rule 11): whole euros in lists and totals ('€ 20.000'),
    cents on a detail page and in edit fields ('€ 20.000,00'); '' when unknown."""
    if amount is None or amount == "":
        return ""
    if cents:
        return "€ " + amount_text(amount)
    return whole_euros()(amount)


def whole_euros():
    """euro(amount) in whole euros for the active language, as a function to call many times:
    the language's grouping is read once (a board page formats 700 amounts)."""
    if formats.get_format("NUMBER_GROUPING") != 3:
        return lambda amount: _whole_euros_slow(amount)
    separator = formats.get_format("THOUSAND_SEPARATOR")

    def format_whole(amount) -> str:
        if amount is None or amount == "":
            return ""
        whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        # What number_format(whole, 0, force_grouping=True) gives, a tenth of the work.
        return "€ " + f"{int(whole):,}".replace(",", separator)

    return format_whole


def _whole_euros_slow(amount) -> str:
    if amount is None or amount == "":
        return ""
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return "€ " + formats.number_format(whole, 0, force_grouping=True)


def amount_text(amount) -> str:
    """An amount with cents, grouped the language's way: '20.000,00' (nl), '20,000.00' (en).
    What an edit field shows; parse_amount reads it back exactly."""
    return formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)


class AmountInput(forms.TextInput):
    """An amount typed the local way; shown grouped with cents ('20.000,00'), which
    parse_amount reads back unambiguously (both marks present: the last is the decimal one)."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return amount_text(value)
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """Euros (or any decimal) as Decimal, never float, read by parse_amount."""

    widget = AmountInput

    def to_python(self, value):
        if isinstance(value, str):
            try:
                value = parse_amount(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        # A Decimal passes DecimalField's own checks untouched (no locale re-reading).
        return super().to_python(value)


CENT = Decimal("0.01")


def cents_to_euros(cents: int) -> Decimal:
    """Whole cents as an amount with two decimals: 123456 → Decimal('1234.56')."""
    return (Decimal(int(cents)) / 100).quantize(CENT)
