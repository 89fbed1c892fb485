"""Form fields of the address book that higher apps reuse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Relation


class SearchField(forms.CharField):
    """A search box: a NUL byte (refused by PostgreSQL, typed by nobody) is left out rather
    than made an error the form shows nowhere."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


def relation_query_field() -> forms.CharField:
    """The search box of the relation picker (the htmx autocomplete fills the choices)."""
    return SearchField(
        label=_("Relatie zoeken"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Typ een deel van de naam"),
            }
        ),
    )


def relation_choice_field(**extra) -> forms.ModelChoiceField:
    """The chosen relation: rendered by hand as at most 20 radio buttons, never a select of
    every relation; a forged or vanished id gets a message, not a 500."""
    error_messages = {"invalid_choice": _("Deze relatie bestaat niet (meer); zoek haar opnieuw.")}
    error_messages.update(extra.pop("error_messages", {}))
    return forms.ModelChoiceField(
        Relation.objects.all(),
        label=_("Relatie"),
        required=False,
        widget=forms.RadioSelect,
        error_messages=error_messages,
        **extra,
    )
