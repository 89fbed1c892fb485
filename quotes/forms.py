"""Forms of the quotes app: the quote with its lines, the e-mail and the acceptance."""

from decimal import Decimal

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext_lazy as _

from salesmodule.amounts import AmountField, AmountInput
from salesmodule.fields import DateField, DateInput
from settings_app.models import ClosedOutcome, PaymentTerm, WinLossReason
from trajects.models import Traject

from .amounts import calculate, line_amount
from .models import MAX_LINES, Quote, VatRate

# Django fills in these messages with %-formatting: a literal % is written %%.
DECIMALS_MESSAGE = _("Gebruik hooguit %(max)s decimalen.")


def _decimal(**kwargs) -> forms.DecimalField:
    """A decimal field read by the one amount parser ('12,50', '12.50', '€ 1.250') and rendered
    in the locale."""
    messages = {
        "invalid": _("Vul een getal in, bijvoorbeeld 12,50."),
        "max_decimal_places": DECIMALS_MESSAGE,
        "max_digits": _("Dit getal is te groot."),
        "max_whole_digits": _("Dit getal is te groot."),
        **kwargs.pop("error_messages", {}),
    }
    widget = kwargs.pop("widget", None) or forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off"}
    )
    return AmountField(localize=True, error_messages=messages, widget=widget, **kwargs)


class QuoteForm(forms.ModelForm):
    """The quote's own fields; contacts are limited to the traject's relation."""

    discount_percent = _decimal(
        label=_("Korting %"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        error_messages={
            "min_value": _("De korting ligt tussen 0 en 100%%."),
            "max_value": _("De korting ligt tussen 0 en 100%%."),
        },
    )

    class Meta:
        model = Quote
        fields = [
            "title",
            "contact",
            "payment_term",
            "valid_until",
            "discount_percent",
            "opening_text",
            "closing_text",
        ]
        field_classes = {"valid_until": DateField}
        widgets = {
            "valid_until": DateInput(),
            "opening_text": forms.Textarea(attrs={"rows": 3}),
            "closing_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, traject: Traject, **kwargs):
        super().__init__(*args, **kwargs)
        self.traject = traject
        contact = self.fields["contact"]
        contact.queryset = traject.relation.contacts.all()
        contact.error_messages["invalid_choice"] = _(
            "Kies een contactpersoon van %(relation)s."
        ) % {"relation": traject.relation.name}
        terms = PaymentTerm.objects.active()
        if self.instance.pk and self.instance.payment_term_id:
            terms = terms | PaymentTerm.objects.filter(pk=self.instance.payment_term_id)
        term = self.fields["payment_term"]
        term.queryset = terms.distinct()
        term.error_messages["invalid_choice"] = _("Kies een betaalconditie uit de lijst.")
        term.empty_label = None
        self.fields["valid_until"].error_messages["invalid"] = _(
            "Vul een geldige datum in, bijvoorbeeld 31-12-2026."
        )

    def clean_discount_percent(self):
        return self.cleaned_data["discount_percent"] or Decimal("0")

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("De geldigheidsdatum ligt in het verleden."))
        return value

    def discount_or_zero(self) -> Decimal:
        """The typed (or initial) discount if it is valid, else 0: for the live totals."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("discount_percent"), "")
        else:
            raw = self.initial.get("discount_percent", "")
        try:
            return self.fields["discount_percent"].clean(str(raw or "")) or Decimal("0")
        except forms.ValidationError:
            return Decimal("0")


class QuoteLineForm(forms.Form):
    description = forms.CharField(
        label=_("Omschrijving"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1}),
        error_messages={"required": _("Vul een omschrijving in.")},
    )
    quantity = _decimal(
        label=_("Aantal"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        error_messages={
            "required": _("Vul een aantal in."),
            "min_value": _("Het aantal moet groter dan 0 zijn."),
            "max_value": _("Het aantal is hooguit 100.000."),
        },
    )
    unit = forms.CharField(label=_("Eenheid"), max_length=30, required=False)
    unit_price = _decimal(
        label=_("Prijs per eenheid"),
        widget=AmountInput(),  # money: grouped with cents, as every amount field
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("1000000"),
        error_messages={
            "required": _("Vul een prijs in."),
            "min_value": _("De prijs kan niet negatief zijn."),
            "max_value": _("De prijs is hooguit € 1.000.000."),
        },
    )
    vat_rate = forms.TypedChoiceField(
        label=_("Btw"),
        choices=VatRate.choices,
        coerce=int,
        initial=VatRate.HIGH,
        error_messages={"invalid_choice": _("Kies een btw-tarief: 21%%, 9%% of 0%%.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The row's inputs sit under column headers, without a <label> of their own.
        index = (self.prefix or "").rsplit("-", 1)[-1]
        number = int(index) + 1 if index.isdigit() else ""
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = _("%(label)s, regel %(number)s") % {
                "label": field.label,
                "number": number,
            }

    def amount_and_rate(self) -> tuple[Decimal, int] | None:
        """The line's rounded amount and VAT rate when it is valid (bound) or stored (unbound)."""
        if self.is_bound:
            if self.is_valid() and self.cleaned_data:
                data = self.cleaned_data
                return line_amount(data["quantity"], data["unit_price"]), data["vat_rate"]
            return None
        try:
            quantity = Decimal(self.initial["quantity"])
            price = Decimal(self.initial["unit_price"])
            return line_amount(quantity, price), int(self.initial["vat_rate"])
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return None

    def amount(self) -> Decimal | None:
        """The line's rounded amount, or None (shown as '–')."""
        pair = self.amount_and_rate()
        return pair[0] if pair else None


def _too_many_lines() -> str:
    return _("Een offerte heeft hooguit %(max)d regels.") % {"max": MAX_LINES}


class BaseQuoteLineFormSet(BaseFormSet):
    """Every row is optional while empty: a row removed or left blank in the browser vanishes.

    Rows keep the numbers the browser gave them; a row removed in place simply sends no fields
    and is left out. Bound, the formset has no initial rows (so an unchanged row is never taken
    for an empty one); unbound, it shows the initial rows it was given.
    """

    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_many_forms": lazy(_too_many_lines, str)(),
    }

    def initial_form_count(self):
        return 0

    def total_form_count(self):
        if self.is_bound:
            return super().total_form_count()
        return max(len(self.initial or []), 1)

    @cached_property
    def forms(self):
        indexes = range(self.total_form_count())
        if self.is_bound:
            sent = {key.rsplit("-", 1)[0] for key in self.data if key.startswith(f"{self.prefix}-")}
            indexes = [i for i in indexes if self.add_prefix(i) in sent]
        return [self._construct_form(i, **self.get_form_kwargs(i)) for i in indexes]

    def filled_forms(self) -> list:
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        if len(self.forms) > MAX_LINES:
            raise forms.ValidationError(_too_many_lines(), code="too_many_forms")
        if any(self.errors):
            return
        if not self.filled_forms():
            raise forms.ValidationError(_("Voeg minstens één regel toe."), code="no_lines")

    def lines(self) -> list[dict]:
        """The cleaned lines, in order, for the service."""
        return [form.cleaned_data for form in self.filled_forms()]

    def live_totals(self, discount: Decimal):
        """Totals over the lines that are valid so far (the form updates them while typing)."""
        pairs = [form.amount_and_rate() for form in self.forms]
        return calculate((pair for pair in pairs if pair), discount)


# Row numbers only grow while lines are added and removed in place, so the hard cap on row
# numbers is generous; the real limit (MAX_LINES) counts the rows actually sent.
QuoteLineFormSet = formset_factory(
    QuoteLineForm,
    formset=BaseQuoteLineFormSet,
    extra=0,
    max_num=MAX_LINES * 10,
    absolute_max=MAX_LINES * 10,
)
LINES_PREFIX = "lines"


class QuoteEmailForm(forms.Form):
    to = forms.EmailField(
        label=_("Aan"), error_messages={"invalid": _("Vul een geldig e-mailadres in.")}
    )
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    message = forms.CharField(
        label=_("Bericht"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def clean_subject(self):
        return " ".join(self.cleaned_data["subject"].split())


class QuoteAcceptForm(forms.Form):
    set_order = forms.BooleanField(required=False, initial=True)
    win_loss_reason = forms.ModelChoiceField(
        label=_("Gewonnen reden"),
        queryset=WinLossReason.objects.active().filter(outcome=ClosedOutcome.WON),
        required=False,
        error_messages={"invalid_choice": _("Kies een gewonnen reden uit de lijst.")},
    )
    # What the page showed of the traject: a change by someone else since then is a conflict.
    loaded_type = forms.IntegerField(required=False, widget=forms.HiddenInput)
    loaded_value = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, widget=forms.HiddenInput
    )

    def loaded(self) -> dict:
        data = self.cleaned_data
        loaded = {}
        if data.get("loaded_type"):
            loaded["type"] = data["loaded_type"]
        if "loaded_value" in self.data:
            loaded["value"] = data.get("loaded_value")
        return loaded
