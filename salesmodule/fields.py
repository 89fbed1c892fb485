"""Form fields every app shares: dates in the page's notation with a calendar picker."""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils import formats
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

# How the year is written in a placeholder (dd-mm-jjjj): the language's own letters.
_YEAR_LETTERS = {"nl": "jjjj"}


def date_input_format() -> str:
    """The notation date fields show in the active language: '%d-%m-%Y' (nl), '%d/%m/%Y' (en)."""
    return formats.get_format("DATE_INPUT_FORMATS")[0]


def date_text(value: datetime.date) -> str:
    """A date as a date field shows it: '02-12-2026' (nl)."""
    return value.strftime(date_input_format())


def date_placeholder() -> str:
    """'dd-mm-jjjj' (nl), 'dd/mm/yyyy' (en): the shown notation in words."""
    year = _YEAR_LETTERS.get(get_language(), "yyyy")
    return date_input_format().replace("%d", "dd").replace("%m", "mm").replace("%Y", year)


class DateInput(forms.DateInput):
    """A text box in the page's notation (dd-mm-jjjj in Dutch) with a calendar button.

    Not <input type=date>: that shows the browser's locale, not the page's language. What
    was typed stays visible, also when it is no date. static/js/datepicker.js adds the
    calendar to every such box (also those htmx swaps in); without JavaScript it is a text box.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "data-datepicker": ""}
        super().__init__(attrs={**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date_placeholder())
        widget_attrs["data-datepicker"] = json.dumps(
            {
                "format": date_input_format(),
                "css": static("css/datepicker.css"),
                "firstDay": formats.get_format("FIRST_DAY_OF_WEEK"),
                "months": [str(MONTHS[m]) for m in range(1, 13)],
                "weekdays": [str(WEEKDAYS_ABBR[d]) for d in range(7)],  # Monday first
                "labels": {
                    "open": _gettext("Kies een datum"),
                    "previous": _gettext("Vorige maand"),
                    "next": _gettext("Volgende maand"),
                    "today": _gettext("Vandaag"),
                    "close": _gettext("Sluiten"),
                },
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        # A module script runs once per page however often it appears (also after htmx swaps).
        return format_html(
            '{}<script type="module" src="{}"></script>', field, static("js/datepicker.js")
        )


class DateField(forms.DateField):
    """A date from 1900 to 2100, typed in the page's notation (or ISO). Outside that range a
    date is a typo (0001-01-01), and a moment near year 1 has no local time Python can hold:
    PostgreSQL would keep it and every page that shows it would fail."""

    widget = DateInput
    default_error_messages = {"out_of_range": _("Kies een datum tussen 1900 en 2100.")}

    def validate(self, value):
        super().validate(value)
        if value and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "date" in (getattr(widget, "input_type", ""), widget.attrs.get("type")):
            attrs.update(min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
        return attrs
