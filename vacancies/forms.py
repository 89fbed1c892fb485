"""The vacancy form: a title and, optionally, the relation (found by typing its name)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import relation_choice_field, relation_query_field
from crm.models import Relation

from .models import Vacancy


class VacancyForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    relation_query = relation_query_field()
    relation = relation_choice_field(
        help_text=_("Zonder relatie kunt u van deze vacature geen lead maken.")
    )
    description = forms.CharField(
        label=_("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, instance: Vacancy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            self.initial.update(
                {
                    "title": instance.title,
                    "relation": instance.relation_id,
                    "description": instance.description,
                }
            )
        picker = self.fields["relation"].widget
        picker.query = self._value("relation_query") or None
        picker.options = self.relation_options if self.is_bound else ()

    def _value(self, name):
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    @property
    def selected_relation_id(self) -> str:
        return str(self._value("relation") or "")

    @property
    def relation_options(self) -> list[Relation]:
        """The chosen relation and up to 20 matches of what was typed."""
        return Relation.objects.picker_options(
            self._value("relation_query"), self.selected_relation_id
        )
