"""The vacancy a lead can hang on (Sales Tracker)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Vacancy(models.Model):
    """A job opening; a lead can be started from it when it has a relation."""

    title = models.CharField(_("titel"), max_length=200)
    relation = models.ForeignKey(
        "crm.Relation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vacancies",
        verbose_name=_("relatie"),
    )
    description = models.TextField(_("omschrijving"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("vacature")
        verbose_name_plural = _("vacatures")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title
