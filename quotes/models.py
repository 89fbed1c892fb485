"""Quotes (Offertes): lines, amounts, per-year numbering at first send, versions and the PDF."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesmodule.visibility import VisibleQuerySet

MAX_LINES = 100


class QuoteStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    SENT = "sent", _("Verzonden")
    ACCEPTED = "accepted", _("Geaccepteerd")
    REJECTED = "rejected", _("Afgewezen")
    SUPERSEDED = "superseded", _("Vervangen")


class VatRate(models.IntegerChoices):
    HIGH = 21, "21%"
    LOW = 9, "9%"
    ZERO = 0, "0%"


class QuoteQuerySet(VisibleQuerySet):
    traject_path = "traject"

    def in_status(self, *statuses: str):
        """Quotes in one of the given statuses."""
        return self.filter(status__in=statuses)

    def numbered(self):
        """Quotes that have been sent at least once (they carry a number)."""
        return self.filter(sequence__isnull=False)

    def versions_of(self, quote: "Quote"):
        """Every version of the quote's number (just the quote itself while it is unnumbered)."""
        if quote.sequence is None:
            return self.filter(pk=quote.pk)
        return self.filter(year=quote.year, sequence=quote.sequence).order_by("version")


class Quote(models.Model):
    """A quote to the traject's relation: frozen once sent; a change makes a new version."""

    traject = models.ForeignKey(
        "trajects.Traject",
        on_delete=models.CASCADE,
        related_name="quotes",
        verbose_name=_("traject"),
    )
    contact = models.ForeignKey(
        "crm.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("contactpersoon"),
    )
    title = models.CharField(_("onderwerp"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.CONCEPT
    )
    # The number: given at first send, per year, gap-free; versions share year and sequence.
    year = models.PositiveSmallIntegerField(_("jaar"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(_("volgnummer"), null=True, blank=True, editable=False)
    version = models.PositiveSmallIntegerField(_("versie"), default=1, editable=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("vorige versie"),
    )
    quote_date = models.DateField(_("offertedatum"), null=True, blank=True, editable=False)
    valid_until = models.DateField(_("geldig tot"))
    payment_term = models.ForeignKey(
        "settings_app.PaymentTerm", on_delete=models.PROTECT, verbose_name=_("betaalconditie")
    )
    discount_percent = models.DecimalField(
        _("korting %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    opening_text = models.TextField(_("openingstekst"), blank=True)
    closing_text = models.TextField(_("slottekst"), blank=True)
    # Stored results of quotes.amounts.calculate: the list and the PDF read these.
    subtotal = models.DecimalField(_("subtotaal"), max_digits=16, decimal_places=2, default=0)
    discount_amount = models.DecimalField(_("korting"), max_digits=16, decimal_places=2, default=0)
    net_total = models.DecimalField(
        _("totaal excl. btw"), max_digits=16, decimal_places=2, default=0
    )
    vat_amount = models.DecimalField(_("btw"), max_digits=16, decimal_places=2, default=0)
    total = models.DecimalField(_("totaal"), max_digits=16, decimal_places=2, default=0)
    pdf = models.FileField(_("pdf"), upload_to="quotes/", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("beslist op"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("offerte")
        verbose_name_plural = _("offertes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["traject", "-created_at"], name="quote_traject_created"),
            models.Index(fields=["status", "-created_at"], name="quote_status_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence", "version"],
                condition=Q(sequence__isnull=False),
                name="unique_quote_number_version",
            ),
            models.CheckConstraint(
                condition=Q(status="concept") | Q(sequence__isnull=False),
                name="quote_sent_has_number",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="quote_discount_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.display_number} {self.title}"

    @property
    def number(self) -> str:
        """'2026-0001', or '2026-0001-2' for a later version; empty before the first send."""
        if self.sequence is None:
            return ""
        base = f"{self.year}-{self.sequence:04d}"
        return base if self.version == 1 else f"{base}-{self.version}"

    @property
    def display_number(self) -> str:
        return self.number or str(_("Concept"))

    @property
    def is_concept(self) -> bool:
        return self.status == QuoteStatus.CONCEPT

    @property
    def is_frozen(self) -> bool:
        """Sent once: its content and PDF never change again."""
        return self.status != QuoteStatus.CONCEPT

    @property
    def can_decide(self) -> bool:
        return self.status == QuoteStatus.SENT

    @property
    def can_revise(self) -> bool:
        return self.status in (QuoteStatus.SENT, QuoteStatus.REJECTED)


class QuoteLineQuerySet(VisibleQuerySet):
    traject_path = "quote__traject"


class QuoteLine(models.Model):
    """One line of a quote; `amount` is quantity × unit price rounded half-up to cents."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("positie"))
    description = models.TextField(_("omschrijving"))
    quantity = models.DecimalField(_("aantal"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("eenheid"), max_length=30, blank=True)
    unit_price = models.DecimalField(_("prijs per eenheid"), max_digits=12, decimal_places=2)
    vat_rate = models.PositiveSmallIntegerField(_("btw"), choices=VatRate.choices)
    amount = models.DecimalField(_("bedrag"), max_digits=16, decimal_places=2)

    objects = QuoteLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("offerteregel")
        verbose_name_plural = _("offerteregels")
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "position"], name="unique_quote_line_position"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="quote_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="quote_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__in=[21, 9, 0]), name="quote_line_vat_rate"
            ),
        ]

    def __str__(self):
        return self.description[:60]


class QuoteCounter(models.Model):
    """The last quote number given in a year; locked while a number is taken (gap-free)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("offertenummering")
        verbose_name_plural = _("offertenummering")

    def __str__(self):
        return f"{self.year}: {self.last}"
