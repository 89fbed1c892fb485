"""The Traject record: a lead until its accountmanager's first saved edit, then a traject."""

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesmodule.ahead import aggregate_ahead
from salesmodule.visibility import VisibleQuerySet
from settings_app.models import ClientSettings
from settings_app.price_ranges import price_ranges, thresholds_text
from settings_app.roles import person_name

MONEY = DecimalField(max_digits=16, decimal_places=2)
LIST_CAP = 500


def close_ranges(months: Iterable[int], years: Iterable[int]) -> list[tuple[date, date]]:
    """Half-open [start, end) date ranges for months × years, adjacent months merged."""
    ranges: list[tuple[date, date]] = []
    for year in sorted(set(years)):
        for month in sorted(set(months)) or range(1, 13):
            start = date(year, month, 1)
            end = date(year + month // 12, month % 12 + 1, 1)
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges


class Cents(Func):
    """A traject's value in whole cents (its omzet with `probability`: value × kans / 100, half
    up), or with `count` and `position` one link's part of it (DESIGN rule 4): cents // count,
    and one cent more for the links before position cents mod count (largest remainder: the
    parts are equal, so the fixed order decides). Integer arithmetic, exact on SQLite too.

    Written as one SQL template that uses each column several times: built from expression
    objects, the same SQL took ten times longer to compile than the query took to run.
    """

    output_field = BigIntegerField()
    _total = "CAST(ROUND({value} * 100) AS BIGINT)"
    _weighted = "((" + _total + " * {probability} + 50) / 100)"

    def __init__(self, value, *, probability=None, count=None, position=None):
        named = {"value": value, "probability": probability, "count": count, "position": position}
        self.parts = [name for name, expression in named.items() if expression is not None]
        super().__init__(*(named[name] for name in self.parts))

    def as_sql(self, compiler, connection, **extra_context):
        expressions = self.get_source_expressions()
        compiled = {
            name: compiler.compile(e) for name, e in zip(self.parts, expressions, strict=True)
        }
        total = self._weighted if "probability" in compiled else self._total
        template = total
        if "position" in compiled:
            even = "({total} / NULLIF({count}, 0))"
            template = (
                f"(CASE WHEN {{position}} < {total} - {even} * {{count}} "
                f"THEN {even} + 1 ELSE {even} END)"
            ).replace("{total}", total)
        sql, params = [], []
        for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
            sql.append(literal)
            if name:
                part_sql, part_params = compiled[name]
                sql.append(part_sql)
                params.extend(part_params)
        return "".join(sql), params


class Money(Func):
    """Whole cents as a Decimal amount (100.0 is numeric on PostgreSQL, real on SQLite)."""

    template = "ROUND(%(expressions)s / 100.0, 2)"
    output_field = MONEY


def contact_full_name() -> Func:
    """first_name || ' ' || last_name: the expression the contact trigram index is built on."""
    return Func(
        F("first_name"),
        Value(" "),
        F("last_name"),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=CharField(),
    )


def share_cents(user_ids: tuple[int, ...]) -> tuple:
    """(value, weighted) in whole cents as expressions over a traject row (DESIGN rule 4): with
    users, their part of the row's cents, value / N per chosen accountmanager, the remainder
    cents to the first links by position, summed in a subquery (no subquery for a traject with
    one accountmanager: his whole); without, the whole amounts."""
    value, weighted = Cents(F("value")), Cents(F("value"), probability=F("probability"))
    if not user_ids:
        return value, weighted

    def chosen(probability=None):
        """The chosen links' parts of the outer traject's cents, summed in a subquery."""
        part = Cents(
            OuterRef("value"),
            probability=probability,
            count=OuterRef("accountmanager_count"),
            position=F("position"),
        )
        parts = (
            TrajectAccountmanager.objects.filter(traject_id=OuterRef("pk"), user_id__in=user_ids)
            .values("traject_id")
            .annotate(cents=Sum(part))
            .values("cents")
        )
        return Subquery(parts, output_field=BigIntegerField())

    alone = Q(accountmanager_count=1)
    return (
        Case(When(alone, then=value), default=chosen(), output_field=BigIntegerField()),
        Case(
            When(alone, then=weighted),
            default=chosen(OuterRef("probability")),
            output_field=BigIntegerField(),
        ),
    )


# How long a deleted traject stays in the beheerder's recycle bin before it may be purged.
RECYCLE_BIN_RETENTION = datetime.timedelta(days=30)


class TrajectQuerySet(VisibleQuerySet):
    traject_path = ""
    # What the overview's methods tell each other through the chain (see _clone).
    _close_ranges: list[tuple[date, date]] | None = None
    _share_users: tuple[int, ...] = ()

    def _clone(self):
        clone = super()._clone()
        clone._close_ranges = self._close_ranges
        clone._share_users = self._share_users
        return clone

    def leads(self):
        """Not yet picked up by an accountmanager (the leads overview)."""
        return self.filter(converted_at__isnull=True)

    def trajects(self):
        """Picked up: converted by an assigned accountmanager's first edit."""
        return self.filter(converted_at__isnull=False)

    def unassigned(self):
        """The marketing pot: leads nobody is assigned to yet."""
        return self.filter(accountmanager_count=0)

    def assigned_to(self, user):
        """Trajects the user is one of the accountmanagers of."""
        return self.filter(accountmanager_links__user=user)

    def with_statistical_probability(self):
        """Annotate each traject's "statistische kans" (trajects.statistics explains it)."""
        from .statistics import with_statistical_probability

        return with_statistical_probability(self)

    def statistically_expected(self, statistics_set=None) -> Decimal | None:
        """ "Statistisch verwacht": the sum of value (or share) × historical win rate, by the
        database."""
        from .statistics import statistically_expected

        return statistically_expected(self, statistics_set)

    def in_months(
        self,
        months: Sequence[int] = (),
        years: Sequence[int] = (),
        *,
        field: str = "expected_close",
    ):
        """Expected close (or another date `field`: the leads overview's lead date) in the
        chosen months × years (DESIGN rule 2).

        No month = whole years, no year = every year, neither = every date. The months become
        OR'd date ranges inside one enclosing range, so the (field, id) index is used.
        """
        months, years = sorted(set(months)), sorted(set(years))
        if not months and not years:
            return self
        if not years:
            bounds = self.model._default_manager.aggregate(first=Min(field), last=Max(field))
            if bounds["first"] is None:
                return self.none()
            years = list(range(bounds["first"].year, bounds["last"].year + 1))
        ranges = close_ranges(months, years)
        if not ranges:
            return self.none()
        clone = self.filter(self._ranges_q(ranges, field))
        if field == "expected_close":
            # with_share_for filters the links by their copy of the expected close.
            clone._close_ranges = ranges
        return clone

    @staticmethod
    def _ranges_q(ranges, field: str = "expected_close") -> Q:
        within = Q()
        for start, end in ranges:
            within |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        if len(ranges) == 1:
            return within
        enclosing = Q(**{f"{field}__gte": ranges[0][0], f"{field}__lt": ranges[-1][1]})
        return enclosing & within

    def with_share_for(self, users: Iterable = (), *, only_theirs: bool = True):
        """Annotate share_value and share_weighted (DESIGN rule 4).

        With users: only their trajects, and each amount is their share, value / N per chosen
        accountmanager in cents, summed over the chosen ones; the shares of one traject add up
        exactly to its value and its weighted value (the remainder cents go to the first links
        by position). Without: the whole amounts.
        Call it after in_months: the month then reads the link table's copy of expected close.
        only_theirs=False skips the "only their trajects" filter for rows already chosen by it
        (the overview's page, fetched by id).
        """
        user_ids = tuple(sorted({getattr(user, "pk", user) for user in users}))
        value, weighted = share_cents(user_ids)
        if not user_ids:
            clone = self.annotate(share_value=F("value"), share_weighted=Money(weighted))
            clone._share_users = user_ids
            return clone
        links = TrajectAccountmanager.objects.filter(user_id__in=user_ids)
        if self._close_ranges is not None:
            links = links.filter(self._ranges_q(self._close_ranges))
        clone = self.filter(pk__in=links.values("traject_id")) if only_theirs else self
        # A traject with one accountmanager (most) is his whole: no subquery for it.
        alone = Q(accountmanager_count=1)
        clone = clone.annotate(
            share_value=Case(
                When(alone, then=F("value")), default=Money(value), output_field=MONEY
            ),
            share_weighted=Money(weighted),
        )
        clone._share_users = user_ids
        return clone

    def share_cents(self) -> tuple:
        """(value, weighted) of each row in whole cents, as expressions: the shares of the users
        with_share_for chose (the whole amounts without). Sums of these are exact and, on
        PostgreSQL, several times cheaper than sums of the amounts (integer, not numeric)."""
        return share_cents(self._share_users)

    def in_price_range(self, low: Decimal | None, high: Decimal | None):
        """Unweighted value in [low, high) (DESIGN rule 5); no value = in no range."""
        clone = self.filter(value__isnull=False)
        if low is not None:
            clone = clone.filter(value__gte=low)
        if high is not None:
            clone = clone.filter(value__lt=high)
        return clone

    def matching(self, keyword: str):
        """Keyword in the subject, the relation's name or the contact's name."""
        from crm.models import Contact, Relation

        keyword = " ".join((keyword or "").split())
        if not keyword:
            return self
        contacts_matching = Contact.objects.annotate(full_name=contact_full_name()).filter(
            full_name__icontains=keyword
        )
        relations = list(Relation.objects.matching(keyword).values_list("pk", flat=True)[:LIST_CAP])
        contacts = list(contacts_matching.values_list("pk", flat=True)[:LIST_CAP])
        # Literal id lists keep the OR index-friendly (a bitmap OR of three indexes); past the
        # cap the keyword is too broad for that to matter and a subquery is as good.
        if len(relations) == LIST_CAP:
            relations = Relation.objects.matching(keyword).values("pk")
        if len(contacts) == LIST_CAP:
            contacts = contacts_matching.values("pk")
        return self.filter(
            Q(subject__icontains=keyword)
            | Q(relation_id__in=relations)
            | Q(contact_id__in=contacts)
        )

    def totals(self, *, ahead: bool = False) -> Mapping:
        """Count, average and maximum kans, value, weighted value and visits, in one aggregate.

        Over whatever the queryset holds (the whole filtered result, or one page's ids); the
        amounts are the shares when with_share_for chose accountmanagers (DESIGN rules 3, 4).
        ahead=True sends it now and reads it when first used, where it can (salesmodule.ahead).
        """
        if "share_value" not in self.query.annotations:
            return self.with_share_for().totals(ahead=ahead)
        if ahead:
            return aggregate_ahead(self, _totals())
        return self.aggregate(**_totals())

    def with_page_totals(self):
        """Annotate every row with the totals over all rows of the result (DESIGN rule 3).

        The "Pagina" line: one page's rows are fetched by id, and the same figures as totals()
        as window aggregates over those rows; the database adds them up. Read them with
        page_totals_of(the rows).
        """
        if "share_value" not in self.query.annotations:
            return self.with_share_for().with_page_totals()
        return self.annotate(
            **{PAGE_TOTAL + name: figure for name, figure in _totals(per_row=True).items()}
        )

    def with_accountmanager_names(self):
        """Each row's accountmanagers in name order, for showing them (the overview, exports).

        On PostgreSQL their names come as one array column (`accountmanager_names`) of the rows'
        own query; elsewhere the users are prefetched in a second query, as a plain list per row
        (`accountmanager_list`). accountmanager_names_of(row) reads either.
        """
        from settings_app.roles import person_label

        if connections[self.db].vendor == "postgresql":
            names = (
                TrajectAccountmanager.objects.filter(traject_id=OuterRef("pk"))
                .order_by("user__first_name", "user__last_name", "user__username")
                .values(label=person_label("user__"))
            )
            return self.annotate(**{ACCOUNTMANAGER_NAMES: ArraySubquery(names)})
        from django.contrib.auth import get_user_model

        people = get_user_model().objects.only("first_name", "last_name", "username")
        people = people.order_by("first_name", "last_name", "username")
        return self.prefetch_related(
            Prefetch("accountmanagers", queryset=people, to_attr=ACCOUNTMANAGER_LIST)
        )

    def alive(self):
        """Not deleted (the Geschiedenis widget's whole-relation history starts here)."""
        return self.filter(deleted_at__isnull=True)

    def in_recycle_bin(self, now=None):
        """Deleted within the retention: what a beheerder may still restore."""
        since = (now or timezone.now()) - RECYCLE_BIN_RETENTION
        return self.filter(deleted_at__gte=since)

    def stale(self, today: date, limits: Mapping[int, int] | None = None):
        """Stilstaand (issue 13): open, and longer in its stage than the stage's "dagen tot
        stilstand" — stage_changed_at before the agency's midnight of today − limit days.

        `limits` maps stage ids to their limit (the board has them); without it they are read
        in one query. Each stage becomes one range on stage_changed_at, OR'ed: no per-row
        date arithmetic, the same on every database and exact across daylight saving time.
        trajects.indicators.is_stale is the same rule for one row.
        """
        if limits is None:
            from settings_app.models import Stage

            limits = dict(
                Stage.objects.filter(stale_after_days__isnull=False).values_list(
                    "pk", "stale_after_days"
                )
            )
        limits = {pk: days for pk, days in limits.items() if days is not None}
        if not limits:
            return self.none()
        tz = timezone.get_current_timezone()
        past = Q()
        for stage_id, days in sorted(limits.items()):
            midnight = datetime.datetime.combine(
                today - datetime.timedelta(days=days), datetime.time.min
            )
            past |= Q(stage_id=stage_id, stage_changed_at__lt=timezone.make_aware(midnight, tz))
        return self.filter(past, closed_at__isnull=True)

    def with_can_open(self, user):
        """Annotate `can_open`: whether the user may open the row (visible_to, written once)."""
        visible = Traject.objects.visible_to(user).filter(pk=OuterRef("pk"))
        return self.annotate(can_open=Exists(visible))


# What with_page_totals prefixes its annotations with.
PAGE_TOTAL = "page_total_"
# Where with_accountmanager_names puts the names (PostgreSQL) or the users (elsewhere).
ACCOUNTMANAGER_NAMES = "accountmanager_names"
ACCOUNTMANAGER_LIST = "accountmanager_list"


def _totals(*, per_row: bool = False) -> dict:
    """The totals row's figures (DESIGN rule 3) as aggregates, or per_row as window aggregates
    over the whole result; no amount and no visits are 0, not NULL. Every figure says its
    output field: aggregate_ahead converts the raw values by it."""

    def figure(aggregate, empty=None):
        output_field = aggregate.output_field
        expression = Window(aggregate, output_field=output_field) if per_row else aggregate
        if empty is None:
            return expression
        return Coalesce(expression, Value(empty), output_field=output_field)

    return {
        "count": figure(Count("pk", output_field=IntegerField())),
        "avg_probability": figure(Avg("probability", output_field=FloatField())),
        "value": figure(Sum("share_value", output_field=MONEY), Decimal(0)),
        "weighted": figure(Sum("share_weighted", output_field=MONEY), Decimal(0)),
        "visits": figure(Sum("visit_count", output_field=IntegerField()), 0),
        "max_probability": figure(Max("probability", output_field=IntegerField())),
    }


def page_totals_of(rows) -> dict:
    """The totals with_page_totals annotated on the rows; those of nothing when there are none
    (no query)."""
    if not rows:
        return Traject.objects.none().totals()
    return {name: getattr(rows[0], PAGE_TOTAL + name) for name in _totals()}


def accountmanager_names_of(traject) -> list[str]:
    """The names with_accountmanager_names gave the row, or else read from its accountmanagers."""
    names = getattr(traject, ACCOUNTMANAGER_NAMES, None)
    if names is not None:
        return names
    people = getattr(traject, ACCOUNTMANAGER_LIST, None)
    if people is None:
        people = traject.accountmanagers.order_by("first_name", "last_name", "username")
    return [person_name(user) for user in people]


class Traject(models.Model):
    """A potential sale (lead) or a sale in progress (traject)."""

    subject = models.CharField(_("onderwerp"), max_length=255)
    relation = models.ForeignKey(
        "crm.Relation", on_delete=models.PROTECT, related_name="trajects", verbose_name=_("relatie")
    )
    contact = models.ForeignKey(
        "crm.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trajects",
        verbose_name=_("contactpersoon"),
    )
    vacancy = models.ForeignKey(
        "vacancies.Vacancy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trajects",
        verbose_name=_("vacature"),
    )
    business_type = models.ForeignKey(
        "settings_app.BusinessType", on_delete=models.PROTECT, verbose_name=_("business")
    )
    type = models.ForeignKey(
        "settings_app.TrajectType", on_delete=models.PROTECT, verbose_name=_("type")
    )
    stage = models.ForeignKey(
        "settings_app.Stage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("stage"),
    )
    source = models.ForeignKey(
        "settings_app.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("bron"),
    )
    # When the stage last changed (days in stage, issue 13): every write that changes the stage
    # sets it in the same save (trajects.services.traject_update); a new record starts its
    # count at its creation. The database default covers rows written without the model (COPY).
    stage_changed_at = models.DateTimeField(
        _("stage gewijzigd op"), default=timezone.now, db_default=Now(), editable=False
    )
    win_loss_reason = models.ForeignKey(
        "settings_app.WinLossReason",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("gewonnen/verloren reden"),
    )
    probability = models.PositiveSmallIntegerField(
        _("kans"), default=50, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # Closing (rule 6) keeps what the reports need: when, the kans it had while open, and
    # the stage it closed from ("lost in Voorstel"); reopening puts the open kans back.
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True, editable=False)
    open_probability = models.PositiveSmallIntegerField(
        _("laatste open kans"), null=True, blank=True, editable=False
    )
    closed_from_stage = models.ForeignKey(
        "settings_app.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("gesloten vanuit stage"),
    )
    value = models.DecimalField(
        _("waarde"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    expected_close = models.DateField(_("sluiting verwacht"))
    lead_date = models.DateField(_("lead datum"))
    converted_at = models.DateTimeField(_("conversie datum"), null=True, blank=True)
    first_visit_on = models.DateField(_("datum 1e bezoek"), null=True, blank=True)
    lead_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead door"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    accountmanagers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TrajectAccountmanager",
        through_fields=("traject", "user"),
        related_name="sales_trajects",
        verbose_name=_("accountmanagers"),
    )
    # Stored counts, kept up to date by the services, so totals read one row per traject.
    accountmanager_count = models.PositiveSmallIntegerField(default=0, editable=False)
    visit_count = models.PositiveIntegerField(default=0, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    objects = TrajectQuerySet.as_manager()

    class Meta:
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        ordering = ["-expected_close", "-pk"]
        indexes = [
            models.Index(fields=["expected_close", "id"], name="traject_close_id"),
            models.Index(
                fields=["relation", "expected_close", "id"], name="traject_relation_close"
            ),
            models.Index(fields=["lead_date", "id"], name="traject_lead_date_id"),
            # The trajects overview (issue 4): covering, so its totals read the index only.
            models.Index(
                fields=["expected_close", "id"],
                include=["probability", "value", "visit_count", "accountmanager_count", "type"],
                condition=Q(converted_at__isnull=False, deleted_at__isnull=True),
                name="traject_overview_close",
            ),
            models.Index(
                fields=["type", "expected_close", "id"],
                include=["probability", "value", "visit_count", "accountmanager_count"],
                condition=Q(converted_at__isnull=False, deleted_at__isnull=True),
                name="traject_overview_type",
            ),
            # The leads overview: leads nobody converted yet, newest lead date first.
            models.Index(
                fields=["lead_date", "id"],
                name="traject_open_lead_date",
                condition=Q(converted_at__isnull=True, deleted_at__isnull=True),
            ),
            # The Sales Select board (issue 13) reads only open trajects: per column (business
            # type and stage) its cards by expected close, and the headers' sums from the index
            # alone; the "Geen stage" column (no stage, or one not on the board) by expected
            # close over the business type. Both carry what a share needs (value, kans, number
            # of accountmanagers), so the headers of an accountmanager's board are index-only.
            models.Index(
                fields=["business_type", "stage", "expected_close", "id"],
                include=["type", "value", "probability", "accountmanager_count"],
                condition=Q(closed_at__isnull=True, deleted_at__isnull=True),
                name="traject_board_column",
            ),
            models.Index(
                fields=["business_type", "expected_close", "id"],
                # An accountmanager's own board reads his rows and their shares from it alone.
                include=["type", "stage", "value", "probability", "accountmanager_count"],
                condition=Q(closed_at__isnull=True, deleted_at__isnull=True),
                name="traject_board_close",
            ),
            # Its outcome columns: how many closed into each stage lately, by closed_at.
            models.Index(
                fields=["business_type", "stage", "closed_at", "id"],
                include=["type"],
                condition=Q(closed_at__isnull=False, deleted_at__isnull=True),
                name="traject_board_closed",
            ),
            # "Stilstaand" (issue 13): TrajectQuerySet.stale is one range per stage on this.
            models.Index(
                fields=["stage", "stage_changed_at"],
                condition=Q(closed_at__isnull=True, deleted_at__isnull=True),
                name="traject_open_stage_changed",
            ),
            # The recycle bin and the purge read only the few deleted rows (issue 5).
            models.Index(
                fields=["deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="traject_deleted_at",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=100),
                name="traject_probability_0_100",
                violation_error_message=_("De kans ligt tussen 0 en 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="traject_value_not_negative",
                violation_error_message=_("De waarde kan niet negatief zijn."),
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_lead(self) -> bool:
        return self.converted_at is None

    @property
    def weighted_value(self) -> Decimal | None:
        """Omzet: value × kans / 100, in cents half-up (as the database has it); None when the
        value is unknown."""
        if self.value is None:
            return None
        weighted = self.value * self.probability / Decimal(100)
        return weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TrajectAccountmanager(models.Model):
    """One accountmanager on one traject; the value is split evenly over the links."""

    traject = models.ForeignKey(
        Traject, on_delete=models.CASCADE, related_name="accountmanager_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="traject_links"
    )
    # A copy of the traject's expected close: one accountmanager's month reads this table alone.
    expected_close = models.DateField()
    # This link's place among the traject's links in the order they were added (0 first): the
    # first links get the remainder cents when the value is split (DESIGN rule 4). Kept by
    # traject_counts_refresh, with the traject's accountmanager count.
    position = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("accountmanager van traject")
        verbose_name_plural = _("accountmanagers van trajecten")
        constraints = [
            models.UniqueConstraint(
                fields=["traject", "user"], name="unique_traject_accountmanager"
            )
        ]
        indexes = [
            models.Index(fields=["user", "expected_close", "traject"], name="link_user_close"),
        ]

    def __str__(self):
        return f"{self.traject_id} – {self.user}"


class DossierKind(models.TextChoices):
    NOTE = "note", _("Notitie")
    NOTE_EDITED = "note_edited", _("Notitie gewijzigd")
    NOTE_DELETED = "note_deleted", _("Notitie verwijderd")
    APPOINTMENT = "appointment", _("Afspraak")
    QUOTE = "quote", _("Offerte")
    EMAIL = "email", _("E-mail")
    CREATED = "created", _("Aangemaakt")
    CONVERSION = "conversion", _("Conversie")
    TYPE_CHANGE = "type", _("Type gewijzigd")
    STAGE_CHANGE = "stage", _("Stage gewijzigd")
    FIELD_CHANGE = "field", _("Veld gewijzigd")
    SHARE = "share", _("Accountmanagers gewijzigd")
    DELETED = "deleted", _("Verwijderd")
    RESTORED = "restored", _("Hersteld")
    TASK = "task", _("Taak")
    WORKFLOW = "workflow", _("Workflow")


class DossierEntryQuerySet(VisibleQuerySet):
    traject_path = "traject"

    def notes(self):
        """Only the notes (the Notities widget)."""
        return self.filter(kind=DossierKind.NOTE)


class DossierEntry(models.Model):
    """One line of a traject's timeline: a note, an e-mail, a quote, a change."""

    traject = models.ForeignKey(Traject, on_delete=models.CASCADE, related_name="dossier_entries")
    kind = models.CharField(_("soort"), max_length=12, choices=DossierKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("tekst"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("datum"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossieritem")
        verbose_name_plural = _("dossier")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["traject", "-created_at"], name="dossier_traject_created")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class PurgedTrajectQuerySet(models.QuerySet):
    def matching(self, keyword: str):
        """Subject or relation name containing the keyword (the Prullenbak's search)."""
        keyword = " ".join((keyword or "").split())
        if not keyword:
            return self
        return self.filter(Q(subject__icontains=keyword) | Q(relation_name__icontains=keyword))


class PurgedTraject(models.Model):
    """What the 30-day purge removed for good: the traject's row is gone, this line stays.

    Names are copied, not linked: the relation or the user may go later too.
    """

    traject_id = models.PositiveBigIntegerField(_("traject"), db_index=True)
    subject = models.CharField(_("onderwerp"), max_length=255)
    relation_name = models.CharField(_("relatie"), max_length=255, blank=True)
    was_lead = models.BooleanField(_("lead"), default=False)
    deleted_at = models.DateTimeField(_("verwijderd op"))
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verwijderd door"),
    )
    deleted_by_name = models.CharField(_("verwijderd door"), max_length=255, blank=True)
    purged_at = models.DateTimeField(_("opgeruimd op"))
    # What went with it: the number of records per model label, and the stored files.
    removed = models.JSONField(default=dict, blank=True)

    objects = PurgedTrajectQuerySet.as_manager()

    class Meta:
        verbose_name = _("opgeruimd traject")
        verbose_name_plural = _("opgeruimde trajecten")
        ordering = ["-purged_at", "-pk"]

    def __str__(self):
        return f"{self.traject_id} {self.subject}"


class SavedViewQuerySet(models.QuerySet):
    def of(self, user, overview: str = "trajects"):
        """The user's own saved views (weergaven) of one overview, default first."""
        return self.filter(user=user, overview=overview).order_by("-is_default", "name", "pk")


class SavedView(models.Model):
    """A weergave: a user's named choice and order of an overview's columns (the trajects
    overview's and the leads overview's are kept apart)."""

    class Overview(models.TextChoices):
        TRAJECTS = "trajects", _("Trajecten")
        LEADS = "leads", _("Leads")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    overview = models.CharField(
        _("overzicht"), max_length=16, choices=Overview.choices, default=Overview.TRAJECTS
    )
    name = models.CharField(_("naam"), max_length=80)
    columns = models.JSONField(_("kolommen"), default=list)
    is_default = models.BooleanField(_("standaard"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("weergave")
        verbose_name_plural = _("weergaven")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "overview", "name"], name="unique_saved_view_name_per_overview"
            ),
            models.UniqueConstraint(
                fields=["user", "overview"],
                condition=Q(is_default=True),
                name="one_default_saved_view_per_overview",
            ),
        ]

    def __str__(self):
        return self.name


class StatisticsSetQuerySet(models.QuerySet):
    def for_thresholds(self, thresholds):
        """Sets made with these price-range thresholds."""
        return self.filter(thresholds=thresholds_text(thresholds))

    def current(self, thresholds: Sequence[Decimal] | None = None) -> "StatisticsSet | None":
        """The newest set made with the client's current price ranges (pass them when the
        request has read them already); None before the first."""
        if thresholds is None:
            thresholds = ClientSettings.load().thresholds
        return self.for_thresholds(thresholds).order_by("-generated_at", "-pk").first()


class StatisticsSet(models.Model):
    """One complete generation of the price-range statistics (DESIGN rule 5), written at once.

    A set is created, filled and the previous one deleted in a single transaction, so a reader
    sees the old set or the new one, never half of one.
    """

    thresholds = models.CharField(_("prijs ranges"), max_length=200)
    # The regeneration requests (StatisticsRegeneration.requested) this set already includes.
    request_number = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(_("gestart"))
    generated_at = models.DateTimeField(_("gegenereerd"))

    objects = StatisticsSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("statistieken kansberekening")
        verbose_name_plural = _("statistieken kansberekening")
        ordering = ["-generated_at", "-pk"]

    def __str__(self):
        return f"{self.thresholds} ({self.generated_at:%Y-%m-%d %H:%M})"

    @property
    def ranges(self):
        """The price ranges this set was made with."""
        return price_ranges(int(t) for t in self.thresholds.split(","))


class PriceRangeStatistic(models.Model):
    """Closed trajects in one price range: overall (no accountmanager) or for one accountmanager.

    A shared traject counts once for each of its accountmanagers and once overall.
    """

    statistics_set = models.ForeignKey(StatisticsSet, on_delete=models.CASCADE, related_name="rows")
    accountmanager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accountmanager"),
    )
    price_range = models.PositiveSmallIntegerField(_("prijs range"))
    lower = models.DecimalField(_("vanaf"), max_digits=14, decimal_places=2)
    upper = models.DecimalField(_("tot"), max_digits=14, decimal_places=2, null=True, blank=True)
    closed = models.PositiveIntegerField(_("gesloten"))
    won = models.PositiveIntegerField(_("gewonnen"))
    lost = models.PositiveIntegerField(_("verloren"))
    win_rate = models.DecimalField(_("winstkans"), max_digits=5, decimal_places=2)
    average_value = models.DecimalField(_("gemiddelde waarde"), max_digits=14, decimal_places=2)
    average_probability = models.DecimalField(
        _("gemiddelde ingevulde kans"), max_digits=5, decimal_places=2
    )

    class Meta:
        verbose_name = _("statistiek per prijs range")
        verbose_name_plural = _("statistieken per prijs range")
        ordering = ["statistics_set", "accountmanager", "price_range"]
        constraints = [
            models.UniqueConstraint(
                fields=["statistics_set", "price_range"],
                condition=Q(accountmanager__isnull=True),
                name="statistic_one_overall_per_range",
            ),
            models.UniqueConstraint(
                fields=["statistics_set", "accountmanager", "price_range"],
                condition=Q(accountmanager__isnull=False),
                name="statistic_one_per_accountmanager_range",
            ),
        ]

    def __str__(self):
        return f"{self.price_range}: {self.won}/{self.closed}"


class StatisticsRegeneration(models.Model):
    """The regenerations asked for (the button, new price ranges): one row, pk 1.

    `requested` counts the requests; a set records the count it has read, so a request that a
    newer set already covers does no work twice.
    """

    requested = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("regeneratie van de statistieken")
        verbose_name_plural = _("regeneraties van de statistieken")

    def __str__(self):
        return f"#{self.requested}"


EXPORT_LIFETIME = datetime.timedelta(days=1)


class ExportJobQuerySet(models.QuerySet):
    def of(self, user):
        """The user's own export jobs: nobody else sees or downloads them, not even a beheerder."""
        return self.filter(user=user)

    def unfinished(self):
        """Jobs still queued or running."""
        return self.filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])

    def expired(self, now: datetime.datetime | None = None):
        """Jobs past their expiry, whose files may go."""
        return self.filter(expires_at__lte=now or timezone.now())


class ExportJob(models.Model):
    """An export of the trajects overview too large for the request: written by a Celery task,
    downloaded by the user who asked for it until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    query = models.TextField(blank=True)  # the overview's query string: filters, columns, sort
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=10, default="nl")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.CharField(max_length=200)  # under MEDIA_ROOT; an unguessable name
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["expires_at"], name="export_job_expires")]

    def __str__(self):
        return f"{self.format} #{self.pk}"

    @property
    def path(self):
        """Where the file is (or will be) on disk."""
        return Path(settings.MEDIA_ROOT) / self.file

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    def is_ready(self, now: datetime.datetime | None = None) -> bool:
        """Done, not expired, and its file is there."""
        return (
            self.status == self.Status.DONE
            and self.expires_at > (now or timezone.now())
            and self.path.is_file()
        )
