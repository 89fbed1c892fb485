"""The HTML of the remaining-days and days-in-stage badges, written once.

The templates' tags and includes (trajects.templatetags.indicator_tags) and the overview's
table (tables.py renders its cells in Python) both call these, so the badge is the same
everywhere: an icon and words beside the colour, and the full text as its accessible name.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .indicators import Indicator, StageAge


def remaining_days_html(indicator: Indicator | None) -> SafeString:
    """The remaining-days badge; nothing for None (won or lost)."""
    if indicator is None:
        return mark_safe("")  # noqa: S308
    return format_html(
        '<span class="remaining remaining-{level}" data-remaining-level="{level}" '
        'data-remaining-days="{days}" title="{label}"><span aria-hidden="true">'
        '<span class="remaining-icon">{icon}</span> {text}</span>'
        '<span class="visually-hidden">{label}</span></span>',
        level=indicator.level.value,
        days=indicator.days,
        label=indicator.label,
        icon=indicator.icon,
        text=indicator.text,
    )


def days_in_stage_html(age: StageAge | None) -> SafeString:
    """ "N dagen in stage", with a "stilstaand" badge past the stage's limit; nothing for None."""
    if age is None:
        return mark_safe("")  # noqa: S308
    stale = ""
    if age.stale:
        stale = format_html(
            ' <span class="stale-badge" aria-hidden="true"><span class="stale-icon">⏸</span> '
            "{}</span>",
            _("stilstaand"),
        )
    return format_html(
        '<span class="stage-age{css}" data-days-in-stage="{days}"{flag} title="{label}">'
        '<span aria-hidden="true">{text}</span>{stale}'
        '<span class="visually-hidden">{label}</span></span>',
        css=" stage-age-stale" if age.stale else "",
        flag=mark_safe(" data-stale") if age.stale else "",  # noqa: S308
        days=age.days,
        label=age.label,
        text=age.text,
        stale=stale,
    )
