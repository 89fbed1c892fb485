"""Price-range statistics (DESIGN rule 5): the reads, all aggregated by the database.

For each price range, overall and per accountmanager: closed trajects, won, lost, win rate,
average value and the average kans the accountmanagers had entered. Closed means a type with
outcome won or lost; deleted trajects and trajects without a value are left out; a shared
traject counts once for each of its accountmanagers and once overall; ranges are half-open on
the unweighted value. The writes (regeneration) live in `services.py`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext_lazy as _

from settings_app.models import Outcome, TrajectType
from settings_app.roles import person_name

from .models import PriceRangeStatistic, StatisticsRegeneration, StatisticsSet, Traject
from .models import TrajectAccountmanager as Link

# An accountmanager's own win rate is used from this many closed trajects in the range on.
MIN_OWN_CLOSED = 20
RATE = DecimalField(max_digits=9, decimal_places=4)
# The steps of a regeneration, as reported to the settings screen.
STEPS = {
    "overall": _("Alle accountmanagers berekenen"),
    "per_accountmanager": _("Per accountmanager berekenen"),
    "write": _("Opslaan"),
    "done": _("Klaar"),
}


def closed_type_ids() -> tuple[list[int], list[int]]:
    """Ids of the traject types that count as won and as lost."""
    types = list(
        TrajectType.objects.filter(outcome__in=[Outcome.WON, Outcome.LOST]).values_list(
            "pk", "outcome"
        )
    )
    won = [pk for pk, outcome in types if outcome == Outcome.WON]
    lost = [pk for pk, outcome in types if outcome == Outcome.LOST]
    return won, lost


def price_range_of(field: str, thresholds) -> Case:
    """The index of the half-open price range the field's value falls in: 0 below the first."""
    return Case(
        *(When(**{f"{field}__lt": int(t)}, then=Value(i)) for i, t in enumerate(thresholds)),
        default=Value(len(thresholds)),
        output_field=IntegerField(),
    )


def _aggregates(prefix: str, won_ids: list[int]) -> dict:
    return {
        "closed": Count("pk"),
        "won": Count("pk", filter=Q(**{f"{prefix}type_id__in": won_ids})),
        "average_value": Avg(f"{prefix}value"),
        # The kans entered while open: closing sets it to 100 or 0 (rule 6).
        "average_probability": Avg(Coalesce(f"{prefix}open_probability", f"{prefix}probability")),
    }


def overall_by_range(thresholds, won_ids: list[int], lost_ids: list[int]) -> QuerySet:
    """One row per price range over all closed trajects: price_range, closed, won, averages."""
    return (
        Traject.objects.filter(
            deleted_at__isnull=True, value__isnull=False, type_id__in=[*won_ids, *lost_ids]
        )
        .annotate(price_range=price_range_of("value", thresholds))
        .values("price_range")
        .annotate(**_aggregates("", won_ids))
        .order_by("price_range")
    )


def per_accountmanager_by_range(thresholds, won_ids: list[int], lost_ids: list[int]) -> QuerySet:
    """One row per accountmanager and price range, a shared traject counting for each of them."""
    return (
        Link.objects.filter(
            traject__deleted_at__isnull=True,
            traject__value__isnull=False,
            traject__type_id__in=[*won_ids, *lost_ids],
        )
        .annotate(price_range=price_range_of("traject__value", thresholds))
        .values("user_id", "price_range")
        .annotate(**_aggregates("traject__", won_ids))
        .order_by("user_id", "price_range")
    )


def statistic_from(row: dict, ranges, statistics_set, accountmanager_id=None):
    """An unsaved PriceRangeStatistic from one aggregate row."""
    price_range = ranges[row["price_range"]]
    closed, won = row["closed"], row["won"]
    return PriceRangeStatistic(
        statistics_set=statistics_set,
        accountmanager_id=accountmanager_id,
        price_range=price_range.index,
        lower=price_range.lower,
        upper=price_range.upper,
        closed=closed,
        won=won,
        lost=closed - won,
        win_rate=(Decimal(won * 100) / closed).quantize(Decimal("0.01")),
        average_value=Decimal(str(row["average_value"])).quantize(Decimal("0.01")),
        average_probability=Decimal(str(row["average_probability"])).quantize(Decimal("0.01")),
    )


def statistical_probability(statistics_set: StatisticsSet | None = None) -> tuple | None:
    """Expressions for a traject's historical win rate in its price range: (own, overall).

    `own` pools the traject's accountmanagers that have at least MIN_OWN_CLOSED closed
    trajects in the range (won / closed summed over them); None when none has. `overall` is
    the rate of all accountmanagers; both None for a traject without a value. None instead of
    the pair when there are no statistics for the current price ranges.
    """
    statistics_set = statistics_set or StatisticsSet.objects.current()
    if statistics_set is None:
        return None
    in_range = PriceRangeStatistic.objects.filter(
        Q(upper__gt=OuterRef("value")) | Q(upper__isnull=True),
        statistics_set=statistics_set,
        lower__lte=OuterRef("value"),
    )
    overall = in_range.filter(accountmanager__isnull=True).values("win_rate")[:1]
    its_accountmanagers = Link.objects.filter(traject=OuterRef(OuterRef("pk"))).values("user_id")
    own = (
        in_range.filter(closed__gte=MIN_OWN_CLOSED, accountmanager__in=its_accountmanagers)
        .values("statistics_set")
        .annotate(
            rate=Round(
                ExpressionWrapper(
                    Sum("won") * Value(Decimal(100)) / Sum("closed"), output_field=RATE
                ),
                2,
            )
        )
        .values("rate")
    )
    return Subquery(own, output_field=RATE), Subquery(overall, output_field=RATE)


def with_statistical_probability(trajects: QuerySet) -> QuerySet:
    """Annotate statistical_probability_own and statistical_probability (own, else overall)."""
    expressions = statistical_probability()
    if expressions is None:
        nothing = Value(None, output_field=RATE)
        return trajects.annotate(
            statistical_probability_own=nothing, statistical_probability=nothing
        )
    own, overall = expressions
    return trajects.annotate(
        statistical_probability_own=own, statistical_probability=Coalesce(own, overall)
    )


def statistically_expected(trajects: QuerySet, statistics_set=None) -> Decimal | None:
    """ "Statistisch verwacht": the sum of amount × statistische kans / 100 over the trajects.

    The amount is the share when `with_share_for` chose accountmanagers, else the value. The
    kans is the one `with_statistical_probability` gives each traject (its accountmanagers'
    pooled rate where they have enough closed trajects in the range, else the overall rate),
    but joined and grouped once over the whole set instead of two subqueries per row: the
    overview asks for it over up to a million trajects (PERFORMANCE.md, shape 2). One query;
    0 for trajects without a rate; None when there are no statistics for the current price
    ranges (pass the current set to spare its lookup).
    """
    statistics_set = statistics_set or StatisticsSet.objects.current()
    if statistics_set is None:
        return None
    amount = "share_value" if "share_value" in trajects.query.annotations else "value"
    thresholds = [int(t) for t in statistics_set.thresholds.split(",")]
    rows = (
        trajects.filter(value__isnull=False)
        .order_by()
        .values("pk", expected_amount=F(amount), expected_range=price_range_of("value", thresholds))
    )
    try:
        rows_sql, rows_params = rows.query.sql_with_params()
    except EmptyResultSet:  # .none(): a user who sees no trajects
        return Decimal("0.00")
    q = connection.ops.quote_name
    statistic, link = q(PriceRangeStatistic._meta.db_table), q(Link._meta.db_table)
    # Equality joins on (accountmanager, range) so the planner can hash them.
    sql = f"""
        WITH t (id, amount, price_range) AS ({rows_sql}),
        own AS (
            SELECT l.traject_id, ROUND(SUM(s.won) * 100.0 / SUM(s.closed), 2) AS rate
            FROM t
            JOIN {link} l ON l.traject_id = t.id
            JOIN {statistic} s ON s.accountmanager_id = l.user_id
                AND s.price_range = t.price_range
            WHERE s.statistics_set_id = %s AND s.closed >= %s
            GROUP BY l.traject_id
        )
        SELECT SUM(t.amount * COALESCE(own.rate, s.win_rate) / 100)
        FROM t
        LEFT JOIN own ON own.traject_id = t.id
        LEFT JOIN {statistic} s ON s.price_range = t.price_range
            AND s.statistics_set_id = %s AND s.accountmanager_id IS NULL
    """  # noqa: S608 -- names from _meta, values as parameters
    params = (*rows_params, statistics_set.pk, MIN_OWN_CLOSED, statistics_set.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (total,) = cursor.fetchone()
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


@dataclass
class Table:
    """A set's figures for the screen: overall and per accountmanager, one cell per range."""

    statistics_set: StatisticsSet
    ranges: list
    overall: list  # [(PriceRange, PriceRangeStatistic | None)]
    per_accountmanager: list  # [(user, [PriceRangeStatistic | None per range])]


def statistics_table(statistics_set: StatisticsSet, accountmanager=None, all_accountmanagers=True):
    """The set's rows per range: every accountmanager's, or only `accountmanager`'s."""
    ranges = statistics_set.ranges
    rows = statistics_set.rows.select_related("accountmanager")
    if not all_accountmanagers:
        rows = rows.filter(Q(accountmanager__isnull=True) | Q(accountmanager=accountmanager))
    overall = [None] * len(ranges)
    people: dict[int, tuple] = {}
    for row in rows:
        if row.accountmanager_id is None:
            overall[row.price_range] = row
            continue
        user, cells = people.setdefault(
            row.accountmanager_id, (row.accountmanager, [None] * len(ranges))
        )
        cells[row.price_range] = row
    per_accountmanager = sorted(
        people.values(),
        key=lambda item: person_name(item[0]).lower(),
    )
    return Table(
        statistics_set, ranges, list(zip(ranges, overall, strict=True)), per_accountmanager
    )


@dataclass
class Progress:
    """Where the last requested regeneration stands, for the settings screen."""

    state: str  # none | done | queued | running | retrying | failed
    done: int = 0
    total: int = 0
    label: str = ""
    current: StatisticsSet | None = None

    @property
    def step(self) -> str:
        return str(STEPS.get(self.label, ""))

    @property
    def polling(self) -> bool:
        return self.state in ("queued", "running", "retrying")

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


def regeneration_progress() -> Progress:
    """Done when the current set covers the last request; else the Celery task's own report."""
    from .tasks import statistics_regenerate_task  # the task module imports the services

    current = StatisticsSet.objects.current()
    regeneration = StatisticsRegeneration.objects.filter(pk=1).first()
    waiting = regeneration is not None and regeneration.requested > 0
    if not waiting or (current is not None and current.request_number >= regeneration.requested):
        return Progress("done" if current else "none", current=current)
    conf = statistics_regenerate_task.app.conf
    if not regeneration.task_id or conf.task_always_eager or not settings.CELERY_RESULT_BACKEND:
        return Progress("queued", current=current)  # no result backend to ask
    result = statistics_regenerate_task.AsyncResult(regeneration.task_id)
    info = result.info if isinstance(result.info, dict) else {}
    if result.state == "PROGRESS":
        return Progress(
            "running", info.get("done", 0), info.get("total", 0), info.get("label", ""), current
        )
    if result.state == "RETRY":
        return Progress("retrying", current=current)
    if result.state == "FAILURE":
        return Progress("failed", current=current)
    return Progress("queued", current=current)
