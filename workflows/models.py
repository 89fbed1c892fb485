"""Workflow rules ("Workflowconfiguratie", manual 001) and the record of their execution.

A rule has a trigger (a stage is entered, or the status becomes won or lost) and ordered
actions. Each time a committed change matches a rule, a Run records it; each action of it gets
an ActionRun whose key (change × rule × action) makes a redelivered or retried Celery task skip
what is already done (DESIGN: workflows).
"""

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from settings_app.models import BusinessType, ClosedOutcome, Stage, WinLossReason

DAYS_MAX = 3650
# The words an e-mail template may use, as {onderwerp}; anything else in braces is refused.
PLACEHOLDERS = (
    "onderwerp",
    "relatie",
    "contactpersoon",
    "stage",
    "accountmanagers",
    "waarde",
)
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")


class Trigger(models.TextChoices):
    STAGE = "stage", _("Stage wordt")
    STATUS = "status", _("Status wordt")


class ActionKind(models.TextChoices):
    TASK = "task", _("Taak maken voor de accountmanagers")
    PROBABILITY = "probability", _("Kans zetten")
    MOVE_CLOSE = "move_close", _("Sluiting verwacht verschuiven")
    EMAIL = "email", _("E-mail sturen")
    NOTE = "note", _("Notitie in het dossier")
    STAGE = "stage", _("Stage zetten")
    ADD_ACCOUNTMANAGER = "add_am", _("Accountmanager toevoegen")
    REPLACE_ACCOUNTMANAGERS = "replace_am", _("Accountmanagers vervangen door")


class Recipients(models.TextChoices):
    ACCOUNTMANAGERS = "accountmanagers", _("De accountmanagers")
    CONTACT = "contact", _("De contactpersoon")


class Rule(models.Model):
    """When the stage becomes X (for some business types) or the status becomes won or lost."""

    name = models.CharField(_("naam"), max_length=120)
    active = models.BooleanField(
        _("actief"), default=True, help_text=_("Uit: de regel blijft bewaard maar doet niets.")
    )
    trigger = models.CharField(_("wanneer"), max_length=6, choices=Trigger.choices)
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workflow_rules",
        verbose_name=_("stage"),
    )
    business_types = models.ManyToManyField(
        BusinessType,
        blank=True,
        related_name="workflow_rules",
        verbose_name=_("alleen bij business types"),
        help_text=_("Leeg: bij elk business type van de stage."),
    )
    outcome = models.CharField(_("status"), max_length=4, choices=ClosedOutcome.choices, blank=True)
    reason = models.ForeignKey(
        WinLossReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workflow_rules",
        verbose_name=_("alleen bij reden"),
    )
    on_import = models.BooleanField(
        _("ook bij import"),
        default=False,
        help_text=_("Ook voor leads uit een import (een import van duizenden regels mailt dan)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workflowregel")
        verbose_name_plural = _("workflowregels")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def warning(self) -> str:
        """Why the rule is skipped although it is on: its stage or reason was deactivated."""
        if self.stage_id and not self.stage.active:
            return _("De stage “%(name)s” is niet meer actief: de regel wordt overgeslagen.") % {
                "name": self.stage.name
            }
        if self.reason_id and not self.reason.active:
            return _("De reden “%(name)s” is niet meer actief: de regel wordt overgeslagen.") % {
                "name": self.reason.reason
            }
        return ""


class Action(models.Model):
    """One step of a rule, done in `position` order."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    kind = models.CharField(_("actie"), max_length=12, choices=ActionKind.choices)
    days = models.IntegerField(
        _("dagen"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(DAYS_MAX)],
        help_text=_("Taak: vervalt over zoveel dagen; sluiting: zoveel dagen later."),
    )
    title = models.CharField(_("titel / onderwerp"), max_length=200, blank=True)
    text = models.TextField(_("tekst"), blank=True, max_length=20_000)
    probability = models.IntegerField(
        _("kans"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    recipients = models.CharField(
        _("ontvangers"), max_length=16, choices=Recipients.choices, blank=True
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workflow_actions",
        verbose_name=_("nieuwe stage"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gebruiker"),
    )

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.get_kind_display()


class Run(models.Model):
    """One rule fired by one committed change of one traject."""

    change = models.UUIDField(_("wijziging"))
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    traject = models.ForeignKey("trajects.Traject", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change", "rule"], name="workflow_run_once")]

    def __str__(self):
        return f"{self.rule_id} × {self.change}"


class ActionState(models.TextChoices):
    DONE = "done", _("Uitgevoerd")
    STARTED = "started", _("Verzenden begonnen")
    UNCONFIRMED = "unconfirmed", _("Mogelijk niet verzonden")
    FAILED = "failed", _("Mislukt")
    SKIPPED = "skipped", _("Overgeslagen")


class ActionRun(models.Model):
    """What became of one action of one run; `key` is change × rule × action."""

    key = models.CharField(max_length=80, unique=True)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="action_runs")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(_("status"), max_length=12, choices=ActionState.choices)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    error = models.TextField(_("fout"), blank=True)
    updated_at = models.DateTimeField(_("tijdstip"), auto_now=True)

    class Meta:
        verbose_name = _("workflow-fout")
        verbose_name_plural = _("workflow-fouten")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.key
