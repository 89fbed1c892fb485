"""The rule editor's validation: each refusal beside its field (issue 15, point 6)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from settings_app.models import Stage
from settings_app.roles import accountmanagers

from .models import PLACEHOLDER_PATTERN, PLACEHOLDERS, Action, ActionKind, Rule, Trigger


def unknown_placeholders(text: str) -> list[str]:
    """The {words} in a template that are not placeholders."""
    return [word for word in PLACEHOLDER_PATTERN.findall(text or "") if word not in PLACEHOLDERS]


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name",
            "active",
            "trigger",
            "stage",
            "business_types",
            "outcome",
            "reason",
            "on_import",
        ]
        # A handful of business types: tick boxes (the admin's two-box chooser fails axe).
        widgets = {"business_types": forms.CheckboxSelectMultiple}

    def clean(self):
        data = super().clean()
        trigger = data.get("trigger")
        stage = data.get("stage")
        if trigger == Trigger.STAGE:
            if stage is None:
                self.add_error("stage", _("Kies de stage waarop de regel start."))
            elif not stage.active:
                self.add_error("stage", _("Deze stage is niet actief; kies een actieve stage."))
            else:
                named = data.get("business_types") or []
                own = set(stage.business_types.values_list("pk", flat=True))
                outside = [bt.name for bt in named if bt.pk not in own]
                if outside:
                    self.add_error(
                        "business_types",
                        _("Stage “%(stage)s” hoort niet bij: %(names)s.")
                        % {"stage": stage.name, "names": ", ".join(outside)},
                    )
            data["outcome"], data["reason"] = "", None
        elif trigger == Trigger.STATUS:
            outcome, reason = data.get("outcome"), data.get("reason")
            if not outcome:
                self.add_error("outcome", _("Kies gewonnen of verloren."))
            if reason is not None:
                if not reason.active:
                    self.add_error("reason", _("Deze reden is niet actief; kies een actieve."))
                elif outcome and reason.outcome != outcome:
                    self.add_error("reason", _("Deze reden hoort bij de andere status."))
            data["stage"] = None
        return data

    def _save_m2m(self):
        super()._save_m2m()
        if self.instance.trigger != Trigger.STAGE:
            self.instance.business_types.clear()


# What each kind of action needs: field → message when it is missing.
REQUIRED = {
    ActionKind.TASK: {"title": _("Geef de taak een titel."), "days": _("Vul het aantal dagen in.")},
    ActionKind.PROBABILITY: {"probability": _("Vul de kans in (0–100).")},
    ActionKind.MOVE_CLOSE: {"days": _("Vul het aantal dagen in.")},
    ActionKind.EMAIL: {
        "title": _("Een e-mail heeft een onderwerp."),
        "text": _("Een e-mail heeft een tekst (het sjabloon)."),
        "recipients": _("Kies de ontvangers."),
    },
    ActionKind.NOTE: {"text": _("Vul de tekst van de notitie in.")},
    ActionKind.STAGE: {"stage": _("Kies de stage.")},
    ActionKind.ADD_ACCOUNTMANAGER: {"user": _("Kies de accountmanager.")},
    ActionKind.REPLACE_ACCOUNTMANAGERS: {"user": _("Kies de accountmanager.")},
}


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "position",
            "kind",
            "days",
            "title",
            "text",
            "probability",
            "recipients",
            "stage",
            "user",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 40})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = accountmanagers().order_by("first_name", "last_name")
        if "stage" in self.fields:
            self.fields["stage"].queryset = Stage.objects.active().order_by("order", "name")
        self.fields["days"].error_messages["min_value"] = _(
            "Het aantal dagen mag niet negatief zijn."
        )

    def clean_days(self):
        days = self.cleaned_data.get("days")
        if days is not None and days < 0:
            raise ValidationError(_("Het aantal dagen mag niet negatief zijn."))
        return days

    def clean_probability(self):
        probability = self.cleaned_data.get("probability")
        if probability is not None and not 0 <= probability <= 100:
            raise ValidationError(_("De kans ligt tussen 0 en 100."))
        return probability

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for field, message in REQUIRED.get(kind, {}).items():
            if field not in self.errors and data.get(field) in (None, ""):
                self.add_error(field, message)
        if kind in (ActionKind.EMAIL, ActionKind.NOTE):
            for field in ("title", "text"):
                unknown = unknown_placeholders(data.get(field))
                if unknown:
                    self.add_error(
                        field,
                        _("Onbekend veld: %(unknown)s. Toegestaan: %(known)s.")
                        % {
                            "unknown": ", ".join(f"{{{word}}}" for word in unknown),
                            "known": ", ".join(f"{{{word}}}" for word in PLACEHOLDERS),
                        },
                    )
        return data


class ActionFormSet(forms.BaseInlineFormSet):
    """At least one action; a 'set the stage' action within the rule's business types."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        alive = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not alive:
            raise ValidationError(_("Een regel heeft minstens één actie."))
        rule_stage = getattr(self.instance, "stage", None)
        for form in alive:
            stage = form.cleaned_data.get("stage")
            if form.cleaned_data.get("kind") != ActionKind.STAGE or stage is None:
                continue
            if rule_stage is not None and stage.pk == rule_stage.pk:
                form.add_error("stage", _("De regel start al bij deze stage."))
            elif rule_stage is not None:
                shared = set(stage.business_types.values_list("pk", flat=True)) & set(
                    rule_stage.business_types.values_list("pk", flat=True)
                )
                if not shared:
                    form.add_error(
                        "stage",
                        _("Deze stage hoort bij geen enkel business type van “%(stage)s”.")
                        % {"stage": rule_stage.name},
                    )
