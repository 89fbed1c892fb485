"""Amounts as people type them: the one parser of every money input and of the lead import.

Dutch and English notation, an optional €, spaces anywhere: '10.000', '€ 2.500', '2.500,50',
'2,500.50', '1 000', '12,5'. With both separators the last one is the decimal mark; one kind
used more than once groups thousands; a single one is the decimal mark, except before exactly
three digits where it is the grouping of the language's notation (nl: '10.000' is ten
thousand, '1,234' three decimals and refused as money), so an amount is never misread by a
factor of a thousand. Anything else raises ValueError; the caller says so beside the field.
"""

import re
from decimal import Decimal

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


class AmountInput(forms.TextInput):
    """An amount typed the local way; shown without grouping so it reads back unambiguously."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True)
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
