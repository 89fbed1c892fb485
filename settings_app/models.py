"""Client settings, user settings and the configurable lists key-users maintain."""

from decimal import Decimal

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .price_ranges import thresholds_validate

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    _("%(value)s is geen geldige kleur: gebruik een hexadecimale kleur als #1f77b4."),
)


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Gewonnen")
    LOST = "lost", _("Verloren")


class ClosedOutcome(models.TextChoices):
    WON = "won", _("Gewonnen")
    LOST = "lost", _("Verloren")


class ActiveQuerySet(models.QuerySet):
    def active(self):
        """Only entries that may still be chosen."""
        return self.filter(active=True)


class ListEntry(models.Model):
    """Shared shape of a configurable list entry: ordered, deactivated rather than deleted."""

    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def usage(self) -> list[tuple[str, int]]:
        """What refers to this entry: (plural name, count) per kind, e.g. ('trajecten', 12).

        Read from the model's reverse relations, so a list entry used by an app above this one
        (a quote's payment term) counts without this app knowing that app.
        """
        if self.pk is None:
            return []
        found = []
        for relation in self._meta.related_objects:
            related = relation.related_model
            if relation.many_to_many:
                count = getattr(self, relation.get_accessor_name()).count()
            else:
                count = related._base_manager.filter(**{relation.field.name: self}).count()
            if count:
                found.append((str(related._meta.verbose_name_plural), count))
        return found


class TrajectType(ListEntry):
    """Salestrajecten types (GE78): Prospect, Order, Lost, and whatever key-users add."""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=4, choices=Outcome.choices, default=Outcome.OPEN
    )
    is_default = models.BooleanField(_("standaard"), default=False)

    class Meta(ListEntry.Meta):
        verbose_name = _("salestraject type")
        verbose_name_plural = _("salestrajecten types (GE78)")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_traject_type"
            ),
        ]

    def __str__(self):
        return self.name


class BusinessType(ListEntry):
    """Business (NB / EB and more): a Sales Select list with a colour."""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    code = models.CharField(_("afkorting"), max_length=8, blank=True)
    colour = models.CharField(_("kleur"), max_length=7, default="#1f77b4", validators=[hex_colour])

    class Meta(ListEntry.Meta):
        verbose_name = _("business type")
        verbose_name_plural = _("business types")

    def __str__(self):
        return self.code or self.name

    @property
    def text_colour(self) -> str:
        """White or near-black, whichever reads better on the colour (WCAG contrast)."""
        return readable_text_colour(self.colour)


def readable_text_colour(background: str) -> str:
    """'#fff' or '#111827': the one with the higher WCAG contrast ratio on `background`
    ('#rrggbb'); white when the colour cannot be read."""
    try:
        channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, TypeError):
        return "#fff"

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in channels)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    dark = 0.0091  # relative luminance of #111827
    on_white = 1.05 / (luminance + 0.05)
    on_dark = (luminance + 0.05) / (dark + 0.05)
    return "#fff" if on_white >= on_dark else "#111827"


STALE_AFTER_DAYS_MAX = 365


class Stage(ListEntry):
    """A step of the sales process; entering it may set the outcome won or lost."""

    name = models.CharField(_("naam"), max_length=80)
    business_types = models.ManyToManyField(
        BusinessType, related_name="stages", verbose_name=_("business types")
    )
    outcome_on_entry = models.CharField(
        _("automatisch selecteren wanneer"),
        max_length=4,
        choices=ClosedOutcome.choices,
        blank=True,
        default="",
    )
    # Pipedrive's "rotting": a card longer than this in the stage is marked stilstaand.
    stale_after_days = models.PositiveSmallIntegerField(
        _("dagen tot stilstand"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(STALE_AFTER_DAYS_MAX)],
        help_text=_(
            "Een traject dat langer dan dit aantal dagen in deze stage staat, heet "
            "stilstaand op het bord. Leeg: nooit stilstaand."
        ),
    )

    class Meta(ListEntry.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(stale_after_days__isnull=True)
                | Q(stale_after_days__gte=1, stale_after_days__lte=STALE_AFTER_DAYS_MAX),
                name="stage_stale_after_days_range",
            ),
        ]

    def __str__(self):
        return self.name


class Source(ListEntry):
    """Bron: where a lead came from (HubSpot, Google, ...)."""

    name = models.CharField(_("naam"), max_length=80, unique=True)

    class Meta(ListEntry.Meta):
        verbose_name = _("bron")
        verbose_name_plural = _("bronnen")

    def __str__(self):
        return self.name


class WinLossReason(ListEntry):
    """Why a traject was won or lost."""

    reason = models.CharField(_("reden"), max_length=120)
    outcome = models.CharField(_("status"), max_length=4, choices=ClosedOutcome.choices)

    class Meta(ListEntry.Meta):
        verbose_name = _("gewonnen/verloren reden")
        verbose_name_plural = _("gewonnen/verloren redenen")
        constraints = [
            models.UniqueConstraint(fields=["reason", "outcome"], name="unique_reason_per_outcome")
        ]

    def __str__(self):
        return self.reason


class PaymentTerm(ListEntry):
    """Betaalcondities (GE65): payment terms for quotes."""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    days = models.PositiveSmallIntegerField(_("dagen"), validators=[MaxValueValidator(365)])

    class Meta(ListEntry.Meta):
        verbose_name = _("betaalconditie")
        verbose_name_plural = _("betaalcondities (GE65)")

    def __str__(self):
        return self.name


class ClientSettings(models.Model):
    """The client's settings: exactly one row (pk 1), got with ClientSettings.load()."""

    price_range_thresholds = models.CharField(
        _("prijs ranges (SE1894)"),
        max_length=200,
        default="500,1000,5000",
        validators=[thresholds_validate],
    )
    default_probability = models.PositiveSmallIntegerField(
        _("standaard kans voor nieuwe leads"), default=50, validators=[MaxValueValidator(100)]
    )
    remaining_days_orange = models.PositiveSmallIntegerField(
        _("dagen voordat de indicator oranje wordt"), default=14
    )
    remaining_days_red = models.PositiveSmallIntegerField(
        _("dagen voordat de indicator rood wordt"), default=3
    )
    sales_select_enabled = models.BooleanField(_("Sales Select (SE3573)"), default=False)
    agency_name = models.CharField(_("naam bureau"), max_length=200, blank=True)
    agency_address = models.TextField(_("adres bureau"), blank=True)
    agency_logo = models.ImageField(_("logo"), upload_to="agency/", blank=True)

    class Meta:
        verbose_name = _("klantinstellingen")
        verbose_name_plural = _("klantinstellingen")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="client_settings_single_row"),
            models.CheckConstraint(
                condition=Q(default_probability__lte=100), name="client_default_probability_0_100"
            ),
            models.CheckConstraint(
                condition=Q(remaining_days_orange__gt=F("remaining_days_red")),
                name="client_orange_after_red",
            ),
        ]

    def __str__(self):
        return str(_("Klantinstellingen"))

    def clean(self):
        """Orange comes before red: more days before the expected close (Sales Select manual)."""
        orange, red = self.remaining_days_orange, self.remaining_days_red
        if orange is not None and red is not None and orange <= red:
            raise ValidationError(
                {
                    "remaining_days_orange": _(
                        "Oranje moet eerder komen dan rood: vul hier meer dagen in dan bij rood "
                        "(nu %(orange)s, rood %(red)s)."
                    )
                    % {"orange": orange, "red": red}
                }
            )

    @classmethod
    def load(cls) -> "ClientSettings":
        """The one row, created with the defaults when missing."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def thresholds(self) -> list[Decimal]:
        """The price-range thresholds as Decimals (the stored text is validated on input)."""
        return [Decimal(part) for part in self.price_range_thresholds.split(",") if part.strip()]


class UserSettingsQuerySet(models.QuerySet):
    def with_login_locked(self):
        """Annotate login_locked: too many failed logins lock the account at some address now."""
        locks = AccessAttempt.objects.filter(
            username=OuterRef("user__username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        return self.annotate(login_locked=Exists(locks))


class UserSettings(models.Model):
    """A user's Sales Module settings: the roles DB79 and SE818, and Sales Select SE3573."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_settings"
    )
    is_accountmanager = models.BooleanField(
        _("Sales Manager – Accountmanager (DB79)"), default=False
    )
    is_beheerder = models.BooleanField(_("Sales Manager – Beheerder (SE818)"), default=False)
    sales_select_enabled = models.BooleanField(_("Sales Select (SE3573)"), default=False)

    objects = UserSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("gebruikersinstellingen")
        verbose_name_plural = _("gebruikersinstellingen")

    def __str__(self):
        return str(self.user)


class Density(models.TextChoices):
    COMPACT = "compact", _("Compact")
    COMFORTABLE = "comfortable", _("Ruim")


class UserPreferences(models.Model):
    """What a user chooses for himself in "Mijn instellingen" (issues 14 and 15): how tables
    look, whether the keyboard shortcuts are on, whether his tasks are e-mailed each morning.
    Made on demand; a user without a row has the defaults. A new preference is a field here
    and a field in PreferencesForm: roles_of reads every field with the roles
    (settings_app.roles.preferences_of)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    density = models.CharField(
        _("tabeldichtheid"), max_length=12, choices=Density.choices, default=Density.COMFORTABLE
    )
    shortcuts = models.BooleanField(_("sneltoetsen"), default=True)
    # The 07:00 e-mail of overdue and today's tasks (followups, issue 15).
    task_digest = models.BooleanField(_("dagelijkse takenmail"), default=True)

    class Meta:
        verbose_name = _("persoonlijke voorkeuren")
        verbose_name_plural = _("persoonlijke voorkeuren")

    def __str__(self):
        return str(self.user)

    @classmethod
    def preference_fields(cls) -> list[str]:
        """The fields a user chooses (everything but the keys)."""
        return [f.name for f in cls._meta.concrete_fields if f.name not in ("id", "user")]
