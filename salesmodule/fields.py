"""Form fields every app shares."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)


class DateField(forms.DateField):
    """A date from 1900 to 2100. Outside it a date is a typo (0001-01-01), and a moment near
    year 1 has no local time Python can hold: PostgreSQL would keep it and every page that
    shows it would fail."""

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
