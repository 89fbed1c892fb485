"""Amounts and percentages in the user's locale: {{ amount|euro }} → '€ 99.303' in Dutch."""

from django import template
from django.utils.safestring import mark_safe

from trajects.tables import esc
from trajects.tables import euro as format_euro
from trajects.tables import percent as format_percent

register = template.Library()


@register.filter
def euro(value):
    """Whole euros with the locale's grouping; empty when unknown."""
    return format_euro(value)


@register.filter
def percent(value):
    """A whole percentage: 43.6 → '44%'."""
    return format_percent(value)


@register.filter
def options(choices):
    """<option>s from (value, label, selected) triples, built without a template loop."""
    return mark_safe(  # noqa: S308 -- values and labels are escaped
        "".join(
            f'<option value="{esc(value)}"{" selected" if on else ""}>{esc(label)}</option>'
            for value, label, on in choices
        )
    )


@register.filter
def checkboxes(choices, name):
    """Labelled checkboxes from (value, label, checked) triples for the criterion `name`."""
    name = esc(name)
    return mark_safe(  # noqa: S308 -- values and labels are escaped
        "".join(
            f'<label class="check"><input type="checkbox" name="{name}" value="{esc(value)}"'
            f"{' checked' if on else ''}> {esc(label)}</label>"
            for value, label, on in choices
        )
    )
