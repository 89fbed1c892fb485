"""Template filters of the quotes app."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from salesmodule.amounts import euro as amount_euro

register = template.Library()


@register.filter
def money(value) -> str:
    """A Decimal amount in the active locale with the euro sign: '€ 1.234,56' in nl."""
    # The one format (salesmodule.amounts.euro), with a no-break space: a quote's narrow
    # columns and its PDF never split '€' from its amount.
    return amount_euro(value, cents=True).replace(" ", "\u00a0", 1)


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: '3', '1,5', '0,25' in nl."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, places, use_l10n=True, force_grouping=True)


@register.filter
def percent(value) -> str:
    """A percentage without trailing zeros: '10%', '12,5%'."""
    return f"{quantity(value)}%"
