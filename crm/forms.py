"""Form fields of the address book that higher apps reuse."""

from django import forms
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from salesmodule.ids import parse_id

from .models import Contact, Relation


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


class RelationPicker(forms.Widget):
    """The one relation picker (issue 14): an ARIA combobox whose listbox htmx fills from
    crm:relation_search, a hidden input with the chosen relation's id, never a select of every
    relation. Keyboard: ArrowDown/ArrowUp move, Enter chooses, Escape closes (static/js/
    combobox.js). Without JavaScript it is a search box, a "Zoeken" button and, after a search,
    the matches as radio buttons of the same name (read after the hidden input).

    The form sets `query` (what was typed) and `options` (the no-JS matches) before rendering;
    `new_relation` adds the "Nieuwe relatie" escape hatch as the listbox's last option: True
    where the page handles it (the lead form switches to "Nieuw"), "page" to open the new
    relation page (crm:relation_create, with the duplicate warning) and come back.
    """

    template_name = "crm/_relation_picker.html"

    def __init__(self, attrs=None, *, new_relation: bool | str = "page", placeholder=None):
        super().__init__(attrs)
        self.new_relation = new_relation
        self.placeholder = placeholder or _("Typ een deel van de naam")
        self.query = None
        self.options = ()
        self.required = False

    def id_for_label(self, id_):
        return f"{id_}_query" if id_ else id_

    def use_required_attribute(self, initial):
        return False  # a hidden input cannot be required; the text box says it

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (the form renderer only knows Django's own widgets).
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))  # noqa: S308

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        pk = parse_id(value)
        relation = Relation.objects.filter(pk=pk).first() if pk else None
        query = self.query if self.query is not None else (relation.name if relation else "")
        element_id = widget["attrs"].get("id") or f"id_{name}"
        autofocus = bool(widget["attrs"].pop("autofocus", False))
        widget.update(
            relation=relation,
            query=query,
            query_name=f"{name}_query",
            query_id=f"{element_id}_query",
            listbox=f"{element_id}-listbox",
            new_relation=bool(self.new_relation),
            new_relation_page=reverse("crm:relation_create") if self.new_relation == "page" else "",
            placeholder=self.placeholder,
            options=self.options,
            required=self.is_required,
            selected=str(relation.pk) if relation else "",
            attrs_html=flatatt(widget["attrs"]),
            autofocus=autofocus,
        )
        return context


def relation_choice_field(**extra) -> forms.ModelChoiceField:
    """The chosen relation, through the relation picker (never a select of every relation);
    a forged or vanished id gets a message, not a 500."""
    error_messages = {"invalid_choice": _("Deze relatie bestaat niet (meer); zoek haar opnieuw.")}
    error_messages.update(extra.pop("error_messages", {}))
    return forms.ModelChoiceField(
        Relation.objects.all(),
        label=_("Relatie"),
        required=False,
        widget=RelationPicker(new_relation=extra.pop("new_relation", "page")),
        error_messages=error_messages,
        **extra,
    )


class RelationForm(forms.ModelForm):
    """The relation's name and address data on its card (the shared address book), and a new
    relation ("Nieuwe relatie" from the picker)."""

    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Relation
        fields = ["name", "address", "postcode", "city", "phone", "website"]


class ContactForm(forms.ModelForm):
    """A contact at the relation, added or changed on the relation's card."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "function"]
