"""A lead import: the uploaded file, its preview (the bad rows and why) and its outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from settings_app.roles import roles_of


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Voorbeeld")
    QUEUED = "queued", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class LeadImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports are a beheerder's tool: beheerders see them all, nobody else any."""
        return self if roles_of(user).beheerder else self.none()


class LeadImport(models.Model):
    """One uploaded CSV or XLSX of leads; the file is kept in the database for the worker."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("geïmporteerd door"),
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    filename = models.CharField(_("bestand"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    total_rows = models.PositiveIntegerField(_("rijen"), default=0)
    valid_rows = models.PositiveIntegerField(_("geldige rijen"), default=0)
    # [{"row": 17, "errors": ["onbekende accountmanager …"]}], spreadsheet row numbers.
    bad_rows = models.JSONField(default=list, blank=True)
    imported_count = models.PositiveIntegerField(_("geïmporteerd"), default=0)
    relations_created = models.PositiveIntegerField(_("nieuwe relaties"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = LeadImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("leadimport")
        verbose_name_plural = _("leadimports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
