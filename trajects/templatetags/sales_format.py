"""Amounts and percentages in the user's locale: {{ amount|euro }} → '€ 99.303' in Dutch."""

from django import template
from django.utils.formats import localize
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


# How a totals line shows each figure (the keys of TrajectQuerySet.totals()).
_TOTAL_FORMATS = {
    "avg_probability": format_percent,
    "value": format_euro,
    "weighted": format_euro,
    "visits": localize,  # as {{ number }} shows it
}


@register.filter
def total_cell(totals, key):
    """One cell of a totals line under its column (_grid.html's foot): the figure `key` of
    the totals, formatted; an empty cell for a column without one (key "")."""
    render = _TOTAL_FORMATS.get(key)
    if render is None:
        return mark_safe("<td></td>")
    value = totals[key]
    text = "" if value is None else render(value)
    return mark_safe(f'<td class="num" data-total="{esc(key)}">{esc(text)}</td>')  # noqa: S308


@register.filter
def chip_toggles(chips, name):
    """The month or year toggles of the filter panel: a check box and its label per chip, from
    (value, short, long, chosen) or (value, chosen). Written here rather than in the template:
    seventeen chips of a dozen lookups each were a twentieth of the overview's page time."""
    parts = []
    for chip in chips:
        if len(chip) == 2:
            value, on = chip
            short = long = None
        else:
            value, short, long, on = chip
        value = esc(value)
        box = f'<input type="checkbox" name="{esc(name)}" value="{value}" id="{esc(name)}-{value}"'
        box += " checked>" if on else ">"
        if long is None:
            label = f'<label for="{esc(name)}-{value}">{value}</label>'
        else:
            label = (
                f'<label for="{esc(name)}-{value}" title="{esc(long)}">'
                f'<span class="visually-hidden">{esc(long)}</span>'
                f'<span aria-hidden="true">{esc(short)}</span></label>'
            )
        parts.append(f'<span class="chip-toggle">{box}{label}</span>')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped
