"""The lead form (new or existing relation), the distribution form and the import upload."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import relation_choice_field, relation_query_field
from crm.models import Contact, Relation
from salesmodule.amounts import AmountField
from salesmodule.fields import DateField, DateInput
from salesmodule.ids import parse_id
from settings_app.models import BusinessType, ClientSettings, Source, Stage
from settings_app.roles import accountmanagers, person_name, roles_of
from vacancies.models import Vacancy

from .services import business_type_default

EXISTING, NEW = "existing", "new"
RELATION_OPTIONS = 20
ID_MAX = 2**63 - 1  # the largest id a bigint holds; SQLite cannot even bind a larger number


def id_number(value) -> int:
    """A posted id as a number; one no id column can hold is no id (ValueError), not a 500."""
    number = int(value)
    if not 0 < number <= ID_MAX:
        raise ValueError(value)
    return number


def lead_by_choices():
    """Who can have brought a lead in: active users with a sales setting."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(sales_settings__is_accountmanager=True) | Q(sales_settings__is_beheerder=True))
        .order_by("first_name", "last_name", "username")
    )


def lead_stages(business_type_id):
    """The stages a new lead of this business type may start in: active, open, its own."""
    if not business_type_id:
        return Stage.objects.none()
    return (
        Stage.objects.active()
        .filter(business_types=business_type_id, outcome_on_entry="")
        .order_by("order", "pk")
    )


class OptionalSelect(forms.Select):
    """A select that is never `required`: Django would otherwise read its first choice to
    decide, a query of its own when there is no empty label."""

    def use_required_attribute(self, initial):
        return False


class UserChoiceField(forms.ModelChoiceField):
    me = None  # the pk of the user filling in the form: his name says "(ikzelf)"

    def label_from_instance(self, obj):
        if obj.pk == self.me:
            return _("%(name)s (ikzelf)") % {"name": person_name(obj)}
        return person_name(obj)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)

    def _check_values(self, value):
        for pk in value:
            try:
                id_number(pk)
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from None
        return super()._check_values(value)


class BusinessTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


class LeadForm(forms.Form):
    """Everything a new lead needs; which relation fields count depends on 'Type relatie'."""

    type_relation = forms.ChoiceField(
        label=_("Type relatie"),
        choices=[(EXISTING, _("Bestaand")), (NEW, _("Nieuw"))],
        widget=forms.RadioSelect,
        initial=EXISTING,
    )
    relation_query = relation_query_field()
    relation = relation_choice_field(
        new_relation=True,
        error_messages={
            "required": _("Kies een relatie: typ een deel van de naam en kies uit de lijst."),
        },
    )
    new_relation_name = forms.CharField(label=_("Naam relatie"), max_length=200, required=False)
    new_relation_city = forms.CharField(label=_("Plaats"), max_length=100, required=False)
    new_relation_phone = forms.CharField(label=_("Telefoon"), max_length=40, required=False)
    confirm_new_relation = forms.BooleanField(
        label=_("Nee, maak een nieuwe relatie aan"), required=False
    )
    contact_first_name = forms.CharField(label=_("Voornaam"), max_length=100, required=False)
    contact_last_name = forms.CharField(label=_("Achternaam"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_phone = forms.CharField(label=_("Telefoon"), max_length=40, required=False)
    contact = forms.ModelChoiceField(
        Contact.objects.none(), label=_("Contactpersoon"), required=False
    )
    subject = forms.CharField(
        label=_("Onderwerp"),
        max_length=255,
        help_text=_(
            "Het onderwerp staat in elk overzicht voorop. Maak het precies, zodat iedereen "
            "meteen weet waar de lead over gaat: niet 'Nieuwe deuren' maar 'Nieuwe glazen "
            "deuren in gehele pand OTYS'."
        ),
    )
    business_type = BusinessTypeChoiceField(
        BusinessType.objects.active(), label=_("Business"), empty_label=None
    )
    # Sales Select only (removed otherwise): the stages of the chosen business type.
    stage = forms.ModelChoiceField(
        Stage.objects.none(),
        label=_("Stage"),
        required=False,
        empty_label=_("(geen stage)"),
        error_messages={
            "invalid_choice": _(
                "Deze stage hoort niet bij de gekozen business: kies een stage van die business."
            )
        },
    )
    source = forms.ModelChoiceField(Source.objects.active(), label=_("Bron"), required=False)
    probability = forms.IntegerField(
        label=_("Kans (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    value = AmountField(
        label=_("Waarde (€)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Mag leeg blijven als u het bedrag nog niet weet."),
    )
    lead_date = DateField(label=_("Lead datum"), widget=DateInput())
    expected_close = DateField(
        label=_("Sluiting verwacht"),
        required=False,
        widget=DateInput(),
        help_text=_("Leeg: de lead datum."),
    )
    lead_by = UserChoiceField(
        lead_by_choices(),
        label=_("Lead door"),
        required=False,
        widget=OptionalSelect,
        help_text=_("Wie de lead binnenbracht."),
    )
    accountmanagers = UsersChoiceField(
        accountmanagers(),
        label=_("Accountmanager(s)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    vacancy = forms.ModelChoiceField(
        Vacancy.objects.all(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, vacancy: Vacancy | None = None, preset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.roles = roles_of(user)
        self.similar: list[Relation] = []
        self.vacancy = vacancy
        today = timezone.localdate()
        self.kind = EXISTING if vacancy else self._value("type_relation", EXISTING)
        if self.kind not in (EXISTING, NEW):
            self.kind = EXISTING
        default_business = business_type_default(new_relation=self.kind == NEW)
        self.initial.update(
            {
                "type_relation": self.kind,
                "business_type": default_business.pk if default_business else None,
                "probability": ClientSettings.load().default_probability,
                "lead_date": today,
                "expected_close": today,
                "lead_by": user.pk,
            }
        )
        if vacancy is not None:
            self.initial.update(
                {
                    "vacancy": vacancy.pk,
                    "relation": vacancy.relation_id,
                    "subject": vacancy.title[:255],
                }
            )
        self._preset(preset or {})
        self._stage_field()
        # The user is offered once, by name and "(ikzelf)", chosen from the start (issue 14).
        lead_by = self.fields["lead_by"]
        lead_by.queryset = lead_by_choices() | get_user_model().objects.filter(pk=user.pk)
        lead_by.empty_label = None
        lead_by.me = user.pk
        if self.roles.beheerder:
            self.fields["accountmanagers"].help_text = _(
                "Leeg: de lead gaat naar de marketing pot en wordt later verdeeld."
            )
            if self.roles.accountmanager:
                self.initial["accountmanagers"] = [user.pk]
        else:
            # An accountmanager's own lead is his: the only choice is himself.
            self.fields["accountmanagers"].queryset = accountmanagers().filter(pk=user.pk)
            self.fields["accountmanagers"].help_text = _(
                "Een lead die u aanmaakt komt direct op uw naam."
            )
            self.initial["accountmanagers"] = [user.pk]
        if self.kind == EXISTING:
            self.fields["relation"].required = True
            picker = self.fields["relation"].widget
            picker.is_required = True
            picker.query = self._value("relation_query", "") or None
            picker.options = self.relation_options if self.is_bound else ()
            # A chosen relation reloads the contacts it has (the picker fires "change").
            picker.attrs.update(
                {
                    "hx-post": reverse("leads:create"),
                    "hx-trigger": "change",
                    "hx-vals": '{"_refresh": "1"}',
                    "hx-target": "#contact-field",
                    "hx-select": "#contact-field",
                    "hx-swap": "outerHTML",
                }
            )
            relation_id = self._value("relation", self.initial.get("relation"))
            contacts = Contact.objects.none()
            if relation_pk := parse_id(relation_id):
                contacts = Contact.objects.filter(relation_id=relation_pk)
            self.fields["contact"].queryset = contacts
        else:
            self.fields["new_relation_name"].required = True
            self.fields["contact_last_name"].required = True

    def _preset(self, preset) -> None:
        """Business and stage chosen before the form opened (the board's "+" on a column);
        anything that is not an active business type or one of its stages is ignored."""
        business = parse_id(preset.get("business_type"))
        if business and BusinessType.objects.active().filter(pk=business).exists():
            self.initial["business_type"] = business
            stage = parse_id(preset.get("stage"))
            if stage and lead_stages(business).filter(pk=stage).exists():
                self.initial["stage"] = stage

    def _stage_field(self) -> None:
        """With Sales Select the stages of the chosen business type; a change of business
        reloads the form to offer that one's stages. Without Sales Select no stage field."""
        if not self.roles.sales_select:
            del self.fields["stage"]
            return
        business = parse_id(self._value("business_type", self.initial.get("business_type")))
        self.fields["stage"].queryset = lead_stages(business)
        self.fields["business_type"].widget.attrs.update(
            {
                "hx-post": reverse("leads:create"),
                "hx-trigger": "change",
                "hx-vals": '{"_refresh": "business"}',
                "hx-target": "#lead-form",
                "hx-swap": "outerHTML",
            }
        )

    def _value(self, name, default=None):
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or default
        return self.initial.get(name, default)

    # -- what the template shows -------------------------------------------------------------
    @property
    def relation_options(self) -> list[Relation]:
        """The chosen relation and up to 20 matches of what was typed in the search box."""
        return Relation.objects.picker_options(
            self._value("relation_query", ""), self.selected_relation_id, RELATION_OPTIONS
        )

    @property
    def selected_relation_id(self) -> str:
        return str(self._value("relation", self.initial.get("relation")) or "")

    def without_errors(self) -> "LeadForm":
        """Show what was typed without judging it (a refresh after switching Type relatie)."""
        self._errors = ErrorDict()
        return self

    # -- validation -------------------------------------------------------------------------
    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Vul een onderwerp in."))
        return subject

    def clean(self):
        data = super().clean()
        if self.vacancy is not None and self.vacancy.relation_id is None:
            raise forms.ValidationError(
                _("Deze vacature heeft geen relatie; koppel er eerst een aan de vacature.")
            )
        if self.kind == NEW:
            name = data.get("new_relation_name", "").strip()
            if name and not data.get("confirm_new_relation"):
                self.similar = Relation.objects.similar_to(name)
                if self.similar:
                    self.add_error(
                        "new_relation_name",
                        _(
                            "Bestaat deze relatie al? Kies hieronder de bestaande relatie, "
                            "of bevestig dat het een nieuwe is."
                        ),
                    )
        elif data.get("contact") and (data.get("contact_last_name") or "").strip():
            self.add_error(
                "contact_last_name",
                _("Kies een bestaande contactpersoon of voeg een nieuwe toe, niet allebei."),
            )
        elif self.vacancy is not None and data.get("relation") != self.vacancy.relation:
            self.add_error(
                "relation", _("Een lead uit een vacature hoort bij de relatie van de vacature.")
            )
        if data.get("lead_date") and not data.get("expected_close"):
            data["expected_close"] = data["lead_date"]
        return data

    def service_arguments(self) -> dict:
        """The cleaned form as keyword arguments of `lead_create`."""
        data = self.cleaned_data
        arguments = {
            "subject": data["subject"],
            "business_type": data["business_type"],
            "source": data.get("source"),
            "probability": data["probability"],
            "value": data.get("value"),
            "lead_date": data["lead_date"],
            "expected_close": data.get("expected_close"),
            "lead_by": data.get("lead_by") or self.user,
            "accountmanagers": list(data.get("accountmanagers") or []),
            "vacancy": self.vacancy,
            "stage": data.get("stage"),
        }
        if self.kind == NEW:
            arguments["new_relation"] = {
                "name": data["new_relation_name"].strip(),
                "city": data.get("new_relation_city", ""),
                "phone": data.get("new_relation_phone", ""),
            }
            arguments["new_contact"] = {
                "first_name": data.get("contact_first_name", ""),
                "last_name": data["contact_last_name"],
                "email": data.get("contact_email", ""),
                "phone": data.get("contact_phone", ""),
            }
        else:
            arguments["relation"] = data["relation"]
            arguments["contact"] = data.get("contact")
            if not data.get("contact") and (data.get("contact_last_name") or "").strip():
                # A new contact at the existing relation, added from the lead dialog.
                arguments["new_contact"] = {
                    "first_name": data.get("contact_first_name", ""),
                    "last_name": data["contact_last_name"].strip(),
                    "email": data.get("contact_email", ""),
                    "phone": data.get("contact_phone", ""),
                }
        return arguments

    @property
    def adds_contact(self) -> bool:
        """The existing-relation form shows its "new contact" fields open (something typed)."""
        return bool(self._value("contact_last_name") or self._value("contact_first_name"))


def refreshed_data(data, *, use_relation: Relation | None = None):
    """The posted data after a switch of Type relatie or a 'use this relation' choice.

    Business follows the switch (NB for new, EB for existing) unless the user chose another type.
    """
    data = data.copy()
    if use_relation is not None:
        data["type_relation"] = EXISTING
        data["relation"] = str(use_relation.pk)
        data["relation_query"] = use_relation.name
    kind = data.get("type_relation")
    if kind == NEW and not data.get("new_relation_name", "").strip():
        # "Nieuwe relatie" from the picker: what was searched becomes the new name.
        data["new_relation_name"] = data.get("relation_query", "")[:200]
    defaults = {
        kind_: business_type_default(new_relation=kind_ == NEW) for kind_ in (EXISTING, NEW)
    }
    other = defaults[NEW if kind == EXISTING else EXISTING]
    if kind in defaults and (
        not data.get("business_type") or (other and data.get("business_type") == str(other.pk))
    ):
        data["business_type"] = str(defaults[kind].pk) if defaults[kind] else ""
    return data


class DistributeForm(forms.Form):
    """Leads (checkboxes in the overview) and the accountmanagers to give them to."""

    leads = forms.TypedMultipleChoiceField(coerce=id_number, choices=(), required=False)
    accountmanagers = UsersChoiceField(
        accountmanagers(),
        label=_("Toewijzen aan"),
        # hx-preserve: the choice survives the results reloading under it (a search).
        widget=forms.SelectMultiple(attrs={"size": 4, "hx-preserve": True}),
        error_messages={"required": _("Kies minstens één accountmanager.")},
    )

    def clean_leads(self):
        leads = self.cleaned_data["leads"]
        if not leads:
            raise forms.ValidationError(_("Vink minstens één lead aan."))
        return leads

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Which ids exist is the service's question; here only 'is it a number'.
        self.fields["leads"].valid_value = lambda value: True


class LeadImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand (CSV of XLSX)"),
        help_text=_(
            "Kolommen: onderwerp, relatie, contactpersoon, e-mail, waarde, bron, "
            "accountmanager e-mail. De eerste rij bevat de kolomnamen."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
