"""Showing traject values the user's way: amounts, percentages, dossier old → new."""

import datetime
from contextlib import suppress
from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from salesmodule.amounts import euro as amount_euro
from settings_app.roles import person_name

from ..dossier import summary
from ..models import Traject

register = template.Library()

AMOUNT_FIELDS = {"value"}
DATE_FIELDS = {"expected_close", "lead_date", "first_visit_on"}


@register.filter
def euro(value, decimals=2):
    """Cents on the detail page ('€ 4.200,00'), whole euros with :0 ('€ 4.200'); '–' when
    unknown. The format is salesmodule.amounts.euro, the same everywhere."""
    if value is None or value == "":
        return "–"
    return amount_euro(value, cents=int(decimals) > 0)


@register.filter
def short_date(value):
    """A date in the locale's short form; '–' when empty."""
    if not value:
        return "–"
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def field_value(field: str, value) -> str:
    """A field's value as the Informatie widget shows it."""
    if value is None or value == "":
        return "–"
    if field in AMOUNT_FIELDS:
        return euro(value)
    if field == "probability":
        return f"{value}%"
    if isinstance(value, datetime.date):
        return short_date(value)
    if hasattr(value, "get_full_name"):
        return person_name(value)
    return str(value)


@register.filter
def field_label(field: str) -> str:
    """The Dutch label of a traject field ('probability' -> 'Kans')."""
    try:
        return capfirst(Traject._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return capfirst(str(field).replace("_", " "))


@register.filter
def dossier_value(text, field: str) -> str:
    """An old or new value kept in the dossier (stored as text), shown in the locale."""
    if text in (None, "", "–"):
        return "–"
    try:
        if field in AMOUNT_FIELDS:
            return euro(Decimal(text))
        if field in DATE_FIELDS:
            day = parse_date(str(text))
            return short_date(day) if day else text
    except (InvalidOperation, ValueError):
        return text
    if field == "probability":
        return f"{text}%"
    return text


@register.filter
def dossier_summary(entry) -> str:
    """What the system says about a dossier entry, in the reader's language (trajects.dossier)."""
    return summary(entry)


@register.filter
def moment(text):
    """An ISO datetime kept in the dossier, in local time: '04-05-2026 10:00'."""
    value = parse_datetime(str(text or ""))
    if value is None:
        return text or ""
    # A moment near year 1 has no local time Python can hold: it is shown as it was kept.
    with suppress(OverflowError, ValueError):
        value = localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


@register.filter
def appointment_kind(value) -> str:
    """'visit' -> 'Bezoek'."""
    from crm.models import AppointmentKind

    try:
        return AppointmentKind(value).label
    except ValueError:
        return value or ""


@register.filter
def person(user, empty="–") -> str:
    """A user by full name, else login name; `empty` when there is nobody."""
    return person_name(user, empty)


@register.filter
def dossier_author(entry, empty="–") -> str:
    """Who wrote a dossier line: the workflow rule for a workflow's action, else the user."""
    workflow = (entry.data or {}).get("workflow")
    if workflow:
        return _("Workflow ‘%(name)s’") % {"name": workflow}
    return person_name(entry.author, empty)
