"""Forms of the traject detail page: they parse input; the rules live in services.py."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import model_to_dict
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crm.forms import RelationPicker
from crm.models import AppointmentKind, Contact, Relation
from salesmodule.amounts import AmountField, amount_text
from salesmodule.fields import DateField, DateInput, date_text
from salesmodule.ids import parse_id
from settings_app.models import BusinessType, Outcome, Source, Stage, TrajectType, WinLossReason
from settings_app.roles import accountmanagers, person_name
from vacancies.models import Vacancy

from .models import Traject
from .outcomes import outcome_after, stages_of
from .services import EDITABLE_FIELDS
from .tables import TrajectTable

RELATION_MATCHES = 20


class PeopleSelect(forms.Select):
    """A select of users rendered in Python: a few hundred accountmanagers, without a template
    render per option (PERFORMANCE.md: 11 ms for a 100-option dropdown through templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>', self._options(widget["optgroups"])
        )
        attributes = flatatt(widget["attrs"])
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)

    @staticmethod
    def _options(optgroups):
        selected = mark_safe(" selected")  # noqa: S308 -- a constant, no user text
        for _group, options, _index in optgroups:
            for option in options:
                value = "" if option["value"] is None else option["value"]
                yield value, selected if option["selected"] else "", option["label"]


class OutcomeReasonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reason} ({obj.get_outcome_display().lower()})"


def _choices(model, current_pk, **filters):
    """Active entries of a configurable list, plus the current one even if deactivated."""
    return model.objects.filter(Q(active=True, **filters) | Q(pk=current_pk))


def _int_or(value, default):
    number = parse_id(value)
    return default if number is None else number


class InformatieForm(forms.Form):
    """The Informatie widget. Each field also renders the value it showed (`initial-<name>`),
    so a save sends only what the user changed, together with what he saw (rule 9)."""

    subject = forms.CharField(label=_("Onderwerp"), max_length=255)
    relation = forms.ModelChoiceField(
        label=_("Relatie"),
        queryset=Relation.objects.all(),
        widget=RelationPicker,
        error_messages={
            "invalid_choice": _("Deze relatie bestaat niet (meer); zoek haar opnieuw."),
        },
    )
    contact = forms.ModelChoiceField(
        label=_("Contactpersoon"), queryset=Contact.objects.none(), required=False
    )
    lead_by = forms.ModelChoiceField(
        label=_("Lead door"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=PeopleSelect,
    )
    business_type = forms.ModelChoiceField(label=_("Business"), queryset=BusinessType.objects)
    type = forms.ModelChoiceField(label=_("Type"), queryset=TrajectType.objects)
    win_loss_reason = OutcomeReasonField(
        label=_("Gewonnen/verloren reden"), queryset=WinLossReason.objects, required=False
    )
    expected_close = DateField(label=_("Sluiting verwacht"), widget=DateInput)
    lead_date = DateField(label=_("Lead datum"), widget=DateInput)
    probability = forms.IntegerField(
        label=_("Kans"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    value = AmountField(
        label=_("Waarde"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    source = forms.ModelChoiceField(label=_("Bron"), queryset=Source.objects, required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects, required=False)
    vacancy = forms.ModelChoiceField(
        label=_("Vacature"), queryset=Vacancy.objects.none(), required=False
    )

    def __init__(
        self,
        data=None,
        *,
        traject: Traject,
        sales_select: bool = False,
        **kwargs,
    ):
        super().__init__(data, initial=model_to_dict(traject, fields=EDITABLE_FIELDS), **kwargs)
        self.traject = traject
        for field in self.fields.values():
            field.show_hidden_initial = True
        relation_id = traject.relation_id
        if self.is_bound:
            relation_id = _int_or(self.data.get("relation"), relation_id)
        f = self.fields
        f["contact"].queryset = Contact.objects.filter(relation_id=relation_id)
        f["vacancy"].queryset = Vacancy.objects.filter(
            Q(relation_id=relation_id) | Q(pk=traject.vacancy_id)
        )
        f["lead_by"].queryset = (
            get_user_model()
            .objects.filter(
                Q(
                    Q(sales_settings__is_accountmanager=True)
                    | Q(sales_settings__is_beheerder=True),
                    is_active=True,
                )
                | Q(pk=traject.lead_by_id)
            )
            .order_by("first_name", "last_name", "username")
        )
        f["lead_by"].label_from_instance = person_name
        f["business_type"].queryset = _choices(BusinessType, traject.business_type_id)
        f["business_type"].label_from_instance = lambda business: business.name
        f["type"].queryset = _choices(TrajectType, traject.type_id)
        f["stage"].queryset = _choices(Stage, traject.stage_id)
        self._offer_stages(traject)
        if traject.type.outcome != Outcome.OPEN:
            f["probability"].disabled = True
            f["probability"].widget.attrs["title"] = _(
                "De kans van een gewonnen of verloren traject ligt vast."
            )
        f["source"].queryset = _choices(Source, traject.source_id)
        f["win_loss_reason"].queryset = _choices(WinLossReason, traject.win_loss_reason_id)
        # Tens of thousands of relations: the picker, never a select of them all.
        if self.is_bound:
            picker = f["relation"].widget
            picker.query = self.relation_query or None
            if self.relation_query:
                picker.options = Relation.objects.picker_options(
                    self.relation_query, self.data.get("relation"), RELATION_MATCHES
                )
        self._ask_reason(sales_select)
        self.enhance()

    @property
    def relation_query(self) -> str:
        """What was typed in the relation picker (without its NUL bytes)."""
        return str(self.data.get("relation_query", ""))[:200].replace("\x00", "")

    def searches_relation(self) -> bool:
        """The picker's "Zoeken" without JavaScript: something typed that is not the chosen
        relation's name (Enter in another field submits through that button too)."""
        if not self.data.get("_refresh") or not self.relation_query.strip():
            return False
        chosen = parse_id(self.data.get("relation"))
        name = Relation.objects.filter(pk=chosen).values_list("name", flat=True).first()
        return self.relation_query != name

    @classmethod
    def with_current(cls, params, traject: Traject) -> dict:
        """Form data for a fragment: the traject's current values, overlaid with the params."""
        current = model_to_dict(traject, fields=EDITABLE_FIELDS)
        data = {}
        for name in cls.base_fields:
            data[name] = data[f"initial-{name}"] = _raw(current.get(name))
        data.update({key: params[key] for key in params if key in data})
        return data

    def enhance(self, focus: str | None = None) -> None:
        """htmx on the widgets: omzet follows kans and waarde, a won or lost type asks for
        the reason, the relation's contacts and vacancies follow the relation, the stages
        offered follow the business type."""
        pk = self.traject.pk
        omzet = {
            "hx-get": reverse("trajects:omzet", args=[pk]),
            "hx-trigger": "input changed delay:150ms, change",
            "hx-target": "#omzet",
            "hx-swap": "outerHTML",
            "hx-include": "#id_probability, #id_value",
        }
        fragment = reverse("trajects:informatie_fragment", args=[pk])
        stages = {
            "hx-get": fragment,
            "hx-trigger": "change",
            "hx-target": "#stageveld",
            "hx-swap": "outerHTML",
            "hx-include": "#stageveld, #id_business_type",
        }
        reason = {
            "hx-get": fragment,
            "hx-trigger": "change",
            "hx-target": "#redenveld",
            "hx-swap": "outerHTML",
            "hx-include": "#redenveld, #id_type, #id_stage",
        }
        relation = {
            "hx-get": fragment,
            "hx-trigger": "change",
            "hx-target": "#relatievelden",
            "hx-swap": "outerHTML",
            "hx-include": "#relatievelden, #id_relation",
        }
        for name, attrs in (
            ("probability", omzet),
            ("value", omzet),
            ("type", reason),
            ("stage", reason),
            ("relation", relation),
            ("business_type", stages),
        ):
            self.fields[name].widget.attrs.update(attrs)
        if focus in self.fields:
            self.fields[focus].widget.attrs["autofocus"] = True

    def loaded(self, names) -> dict:
        """The values the form showed for these fields, as sent back in `initial-<name>`."""
        values = {}
        for name in names:
            bound = self[name]
            raw = self.data.get(bound.html_initial_name)
            try:
                values[name] = bound.field.to_python(raw)
            except ValidationError:
                values[name] = raw  # a forged value: the service reports it on the field
        return values

    def changes(self) -> dict:
        """Only what the user changed: fields he left alone are never sent, so never clash."""
        return {name: self.cleaned_data.get(name) for name in self.changed_data}

    def _offer_stages(self, traject: Traject) -> None:
        """Offer only the stages of the chosen business type (rule 6), and the chosen stage."""
        business_type_id, selected = traject.business_type_id, traject.stage_id
        if self.is_bound:
            business_type_id = _int_or(self.data.get("business_type"), business_type_id)
            selected = _int_or(self.data.get("stage"), None)
        field = self.fields["stage"]
        offered = field.queryset.filter(
            Q(pk__in=stages_of(business_type_id).values("pk")) | Q(pk=selected)
        )
        field.widget.choices = [("", "---------")] + [(s.pk, str(s)) for s in offered]

    def _bound_stage(self, name: str) -> Stage | None:
        stage_id = _int_or(self.data.get(name), None)
        return Stage.objects.filter(pk=stage_id).first() if stage_id else None

    def reason_outcome(self) -> str:
        """The outcome the chosen type and stage lead to (trajects.outcomes decides)."""
        if not self.is_bound:
            return self.traject.type.outcome
        data = self.data
        chosen = TrajectType.objects.filter(pk=_int_or(data.get("type"), 0)).first()
        if chosen is None:
            return Outcome.OPEN
        stage = self._bound_stage("stage") if "stage" in data else self.traject.stage
        old_stage = (
            self._bound_stage("initial-stage") if "initial-stage" in data else self.traject.stage
        )
        return outcome_after(old_stage=old_stage, stage=stage, type=chosen)

    def _ask_reason(self, sales_select: bool) -> None:
        """Offer the reasons of the outcome chosen; Sales Select makes one required (rule 6)."""
        self.outcome = self.reason_outcome()
        self.asks_reason = self.outcome != Outcome.OPEN
        field = self.fields["win_loss_reason"]
        if self.asks_reason:
            selected = _int_or(self.data.get("win_loss_reason"), self.traject.win_loss_reason_id)
            reasons = field.queryset.filter(Q(outcome=self.outcome) | Q(pk=selected))
            field.widget.choices = [("", "---------")] + [
                (r.pk, field.label_from_instance(r)) for r in reasons
            ]
            if sales_select:
                field.widget.attrs["required"] = True

    def refreshed(self, traject: Traject, *, sales_select: bool) -> "InformatieForm":
        """The form after a refused save: what the user changed stays, the rest shows the current
        values, and every `initial-<name>` holds the current value (saving again is a choice)."""
        data = self.data.copy()
        current = model_to_dict(traject, fields=EDITABLE_FIELDS)
        changed = set(self.changed_data)
        for name in self.fields:
            value = _raw(current.get(name))
            data[f"initial-{name}"] = value
            if name not in changed:
                data[name] = value
        form = type(self)(data, traject=traject, sales_select=sales_select)
        form.is_valid()
        return form


def _raw(value) -> str:
    """A model value as the text a browser would send."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return date_text(value)
    if isinstance(value, Decimal):
        return amount_text(value)
    return str(value)


class AccountmanagerForm(forms.Form):
    """Share with, or hand over to, an accountmanager not yet on the traject."""

    accountmanager = forms.ModelChoiceField(
        label=_("Accountmanager"), queryset=get_user_model().objects.none(), widget=PeopleSelect
    )

    def __init__(self, data=None, *, traject: Traject, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["accountmanager"].queryset = accountmanagers().exclude(
            traject_links__traject=traject
        )
        self.fields["accountmanager"].label_from_instance = person_name


class NoteForm(forms.Form):
    """A note: plain text, stored as typed (the service refuses empty or very long ones)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "notitie-%s")
        super().__init__(*args, **kwargs)

    text = forms.CharField(
        label=_("Notitie"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppointmentForm(forms.Form):
    """An appointment with the traject's contact: date, time and kind."""

    date = DateField(label=_("Datum"), widget=DateInput)
    time = forms.TimeField(
        label=_("Tijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    kind = forms.ChoiceField(
        label=_("Soort"), choices=AppointmentKind.choices, initial=AppointmentKind.VISIT
    )
    contact = forms.ModelChoiceField(
        label=_("Contactpersoon"), queryset=Contact.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Onderwerp"), max_length=200, required=False)

    def __init__(self, data=None, *, traject: Traject, **kwargs):
        initial = {"contact": traject.contact_id, "kind": AppointmentKind.VISIT}
        kwargs.setdefault("auto_id", "afspraak-%s")  # ids unique beside the Informatie form
        super().__init__(data, initial=initial, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(relation_id=traject.relation_id)

    def start(self) -> datetime.datetime:
        """The chosen date and time in the agency's time zone."""
        moment = datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(moment)


class SavedViewForm(forms.Form):
    """Name the current columns as a weergave."""

    name = forms.CharField(label=_("Naam"), max_length=80)
    columns = forms.MultipleChoiceField(
        label=_("Kolommen"), choices=TrajectTable.column_choices, error_messages={
            "required": _("Kies minstens één kolom."),
        },
    )  # fmt: skip
    is_default = forms.BooleanField(label=_("Standaard"), required=False)

    def __init__(self, *args, table_class=TrajectTable, **kwargs):
        super().__init__(*args, **kwargs)
        # The columns of the overview the view is of (the leads overview has its own).
        self.fields["columns"].choices = table_class.column_choices()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
