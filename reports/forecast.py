"""Report 1, "Forecast per maand": the next 12 months by expected close (the open trajects'
waarde and omzet), the past 12 months by closing date (won and lost value).

Every figure is summed per accountmanager link in whole cents: a shared traject counts 1/N,
its remainder cents to the first links by position (DESIGN rule 4, trajects.models.Cents), so
the team row is the sum of the accountmanagers' rows by construction, to the cent. The team
view of the whole team sums each traject whole instead (the same figure: its links' parts add
up to it), without the join. At most two queries (open and closed), whatever the number of
accountmanagers or months.

"Statistisch verwacht" (value × the historical win rate of its price range) is left out of
this slice: per accountmanager and month it needs the statistics join per link, which the
overview computes for one selection at a time (trajects.statistics); a later slice adds it.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from settings_app.models import Outcome
from trajects.models import Cents, Traject

from .filters import ReportFilter, local_midnight, month_start

MONTHS = 12


@dataclass
class Figures:
    """One month of one row, in whole cents."""

    value: int = 0  # open: waarde
    weighted: int = 0  # open: omzet
    won: int = 0
    lost: int = 0

    def add(self, other: "Figures") -> None:
        self.value += other.value
        self.weighted += other.weighted
        self.won += other.won
        self.lost += other.lost


@dataclass
class Row:
    user_id: int
    months: dict[datetime.date, Figures] = field(default_factory=dict)


@dataclass
class Forecast:
    future: list[datetime.date]  # the first day of each of the next 12 months
    past: list[datetime.date]  # the first day of each of the 12 months before
    rows: dict[int, Row]  # per accountmanager (user id)
    team: dict[datetime.date, Figures]


def _bucket(lookup: str, starts: list, ends: list) -> Case:
    """The index of the month a date (or moment) falls in: one range per month, the same SQL
    on every database and exact across daylight saving time."""
    return Case(
        *(
            When(Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end}), then=Value(index))
            for index, (start, end) in enumerate(zip(starts, ends, strict=True))
        ),
        output_field=IntegerField(),
    )


def _links_of(queryset, f: ReportFilter, **conditions):
    """The rows' accountmanager links, one filter() so that every reference below is the same
    join: only the share users' links when shares are asked for. The business types too."""
    if f.share_user_ids:
        conditions["accountmanager_links__user__in"] = f.share_user_ids
    else:
        # Every link (an inner join), named here so that values() below reuses this join.
        conditions["accountmanager_links__position__gte"] = 0
    if f.business_type_ids:
        conditions["business_type__in"] = f.business_type_ids
    return queryset.filter(**conditions)


def _part(probability=None):
    """One link's part of the traject's value (or omzet) in cents."""
    return Cents(
        F("value"),
        probability=probability,
        count=F("accountmanager_count"),
        position=F("accountmanager_links__position"),
    )


def forecast_build(f: ReportFilter) -> Forecast:
    """The forecast for the filter's user, pivot month and choices (two queries)."""
    pivot = f.period.start
    future = [month_start(pivot, i) for i in range(MONTHS + 1)]
    past = [month_start(pivot, i) for i in range(-MONTHS, 1)]
    moments = [local_midnight(day) for day in past]
    visible = Traject.objects.visible_to(f.user).trajects()
    # Per link only where a row per accountmanager or a share is asked for: the team view of
    # a beheerder sums each traject whole (the sum of its links' parts, DESIGN rule 4),
    # without the join. The view per accountmanager reads only the months of its measure.
    per_link = f.per == "accountmanager" or bool(f.share_user_ids)
    wanted = {"open", "closed"}
    if f.per == "accountmanager":
        wanted = {"open"} if f.measure in ("waarde", "omzet") else {"closed"}
    rows: dict[int, Row] = {}
    team: dict[datetime.date, Figures] = {month: Figures() for month in past[:-1] + future[:-1]}

    def figures(line, month: datetime.date) -> Figures:
        if not per_link:
            return team[month]
        row = rows.setdefault(line["user"], Row(line["user"]))
        return row.months.setdefault(month, Figures())

    def grouped(conditions: dict, **groups):
        """The visible trajects on these conditions, grouped; per link in one filter() call
        (a second call on the links would join them again)."""
        if per_link:
            queryset = _links_of(visible, f, **conditions)
            groups["user"] = F("accountmanager_links__user")
        else:
            if f.business_type_ids:
                conditions["business_type__in"] = f.business_type_ids
            queryset = visible.filter(**conditions)
        return queryset.values(**groups)

    value = _part() if per_link else Cents(F("value"))
    if "open" in wanted:
        # With shares, the link's copy of expected close: an accountmanager's months read his
        # index; without, the traject's own (the overview's covering index).
        close = "accountmanager_links__expected_close" if f.share_user_ids else "expected_close"
        opened = {
            "type__outcome": Outcome.OPEN,
            f"{close}__gte": future[0],
            f"{close}__lt": future[-1],
        }
        weighted = (
            _part(F("probability")) if per_link else Cents(F("value"), probability=F("probability"))
        )
        lines = (
            grouped(opened, month=_bucket(close, future[:-1], future[1:]))
            .annotate(
                value_cents=Coalesce(Sum(value), 0), weighted_cents=Coalesce(Sum(weighted), 0)
            )
            .order_by()
        )
        for line in lines:
            got = figures(line, future[line["month"]])
            got.value += int(line["value_cents"])
            got.weighted += int(line["weighted_cents"])
    if "closed" in wanted:
        closed = {
            "type__outcome__in": (Outcome.WON, Outcome.LOST),
            "closed_at__gte": moments[0],
            "closed_at__lt": moments[-1],
        }
        lines = (
            grouped(
                closed,
                outcome=F("type__outcome"),
                month=_bucket("closed_at", moments[:-1], moments[1:]),
            )
            .annotate(value_cents=Coalesce(Sum(value), 0))
            .order_by()
        )
        for line in lines:
            got = figures(line, past[line["month"]])
            if line["outcome"] == Outcome.WON:
                got.won += int(line["value_cents"])
            else:
                got.lost += int(line["value_cents"])
    # Chosen accountmanagers (and an accountmanager himself) have a row even when empty.
    for user_id in f.share_user_ids:
        rows.setdefault(user_id, Row(user_id))
    if per_link:
        for row in rows.values():
            for month, got in row.months.items():
                team[month].add(got)
    return Forecast(future=future[:-1], past=past[:-1], rows=rows, team=team)
