"""Forms of the settings screen: the manuals' labels, and messages beside the field."""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import BusinessType, ClientSettings, Density, Outcome, TrajectType, UserPreferences
from .price_ranges import price_ranges, thresholds_parse, thresholds_text

PREVIEW_ID = "price-range-preview"


def price_ranges_preview(text: str) -> str:
    """HTML of the ranges the thresholds make, or of the reason they are refused."""
    try:
        thresholds = thresholds_parse(text)
    except ValidationError as error:
        return format_html('<span class="errornote">{}</span>', " ".join(error.messages))
    return format_html(
        "{} {}",
        _("Dit geeft de ranges:"),
        format_html_join(
            " · ",
            '<span class="price-range">{}</span>',
            ((r.label,) for r in price_ranges(thresholds)),
        ),
    )


class PriceRangesWidget(forms.TextInput):
    """The thresholds input with the ranges it makes right under it, refreshed while typing."""

    def __init__(self, preview_url: str = "", attrs=None):
        super().__init__(attrs)
        self.preview_url = preview_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.preview_url:
            context["widget"]["attrs"].update(
                {
                    "hx-get": self.preview_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{PREVIEW_ID}",
                    "aria-describedby": PREVIEW_ID,
                }
            )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div id="{}" class="help price-range-preview" aria-live="polite">{}</div>',
            field,
            PREVIEW_ID,
            price_ranges_preview(value or ""),
        )


@dataclass(frozen=True)
class _CurrentLogo:
    name: str
    url: str

    def __str__(self):
        return self.name


class LogoInput(AdminFileWidget):
    """The current logo links to the settings screen's own logo URL: /media/ is not served."""

    logo_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _CurrentLogo(str(value), self.logo_url)
        return context


class ClientSettingsForm(forms.ModelForm):
    class Meta:
        model = ClientSettings
        fields = [
            "price_range_thresholds",
            "default_probability",
            "sales_select_enabled",
            "remaining_days_orange",
            "remaining_days_red",
            "agency_name",
            "agency_address",
            "agency_logo",
        ]
        widgets = {"price_range_thresholds": PriceRangesWidget(), "agency_logo": LogoInput()}
        labels = {
            "price_range_thresholds": _("Drempels"),
            "default_probability": _("Standaard kans voor nieuwe leads (%)"),
            "remaining_days_orange": _("Dagen voordat de indicator oranje wordt"),
            "remaining_days_red": _("Dagen voordat de indicator rood wordt"),
            "sales_select_enabled": _("Verkoop selecteren module inschakelen (SE3573)"),
            "agency_name": _("Naam bureau"),
            "agency_address": _("Adres bureau"),
            "agency_logo": _("Logo"),
        }
        help_texts = {
            "price_range_thresholds": _(
                "Alle drempels komma gescheiden, van laag naar hoog, in hele euro's "
                "(bijvoorbeeld 500,1000,5000). Een traject valt in een range op zijn ongewogen "
                "waarde; de ondergrens hoort erbij, de bovengrens niet. Wijzigen verwijdert de "
                "statistieken van de kansberekening en genereert ze meteen opnieuw."
            ),
            "default_probability": _("0–100. 50 % betekent: we weten nog niets."),
            "remaining_days_orange": _("Moet hoger zijn dan het aantal dagen voor rood."),
            "agency_logo": _("Staat op offertes."),
        }

    def clean_price_range_thresholds(self):
        """Store the thresholds in one form: '500,1000,5000'."""
        return thresholds_text(thresholds_parse(self.cleaned_data["price_range_thresholds"]))


class TrajectTypeForm(forms.ModelForm):
    """GE78: there is always exactly one default type, and it is an open one."""

    class Meta:
        model = TrajectType
        fields = ["name", "outcome", "is_default", "order", "active"]
        help_texts = {
            "is_default": _(
                "Nieuwe leads krijgen dit type. Maakt u dit type standaard, dan is het vorige "
                "standaardtype dat niet meer."
            ),
            "outcome": _("Gewonnen of verloren telt als gesloten in de statistieken."),
        }

    def _get_validation_exclusions(self):
        # A new default takes the default from the old one when saved (traject_type_save), so
        # the one-default constraint is not checked against the old default here; the database
        # still enforces it.
        return {*super()._get_validation_exclusions(), "is_default"}

    def clean(self):
        data = super().clean()
        is_default = data.get("is_default")
        others = TrajectType.objects.filter(is_default=True)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if not is_default and not others.exists():
            self.add_error(
                "is_default",
                _(
                    "Er moet precies één standaardtype zijn. Maak eerst een ander type standaard; "
                    "dit type is het dan vanzelf niet meer."
                ),
            )
        if is_default and data.get("outcome") not in (None, Outcome.OPEN):
            self.add_error(
                "outcome",
                _("Het standaardtype is voor nieuwe leads en moet de uitkomst Open hebben."),
            )
        if is_default and data.get("active") is False:
            self.add_error("active", _("Het standaardtype kan niet worden gedeactiveerd."))
        return data


class BusinessTypeForm(forms.ModelForm):
    """Business types (GE366 'Zakelijk') with a colour picker."""

    class Meta:
        model = BusinessType
        fields = ["name", "code", "colour", "order", "active"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {"colour": _("Een hexadecimale kleur, bijvoorbeeld #1f77b4.")}

    def clean_colour(self):
        return (self.cleaned_data.get("colour") or "").strip().lower()


class PreferencesForm(forms.ModelForm):
    """ "Mijn instellingen": what every user chooses for himself (UserPreferences)."""

    class Meta:
        model = UserPreferences
        fields = ["density", "shortcuts", "task_digest"]
        widgets = {"density": forms.RadioSelect}
        labels = {
            "density": _("Tabellen"),
            "shortcuts": _("Sneltoetsen gebruiken"),
            "task_digest": _("Dagelijkse takenmail"),
        }
        help_texts = {
            "density": _("Compact toont meer rijen per scherm."),
            "shortcuts": _("n nieuwe lead, / zoeken, g t trajecten, g l leads, ? overzicht."),
            "task_digest": _(
                "Elke ochtend om 07:00 een e-mail met uw verlopen taken en die van vandaag "
                "(alleen als die er zijn)."
            ),
        }


class DensityForm(forms.Form):
    """The density switch above a table: one field of the preferences."""

    density = forms.ChoiceField(choices=Density.choices)
