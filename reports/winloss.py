"""Report 3, "Win/verlies-analyse": the trajects won and lost in a period (by closing date),
per stage they closed from, per won/lost reason and per business type, each with its count,
value and share, so that "70 % verloren in Voorstel, reden Te duur" reads at a glance.

A traject counts once; its value is the share of the chosen accountmanagers (or of the
accountmanager himself), as in the overview (DESIGN rule 4). One query, grouped by outcome,
stage, reason and business type; the three breakdowns are sums of its rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from settings_app.models import BusinessType, Outcome, Stage, WinLossReason
from trajects.models import Traject

from .filters import ReportFilter, local_midnight

OUTCOMES = (Outcome.WON, Outcome.LOST)


@dataclass
class Line:
    """One category (a stage, a reason, a business type) of one breakdown."""

    key: object  # the id, None for "none"
    label: str
    count: dict[str, int] = field(default_factory=lambda: {o: 0 for o in OUTCOMES})
    cents: dict[str, int] = field(default_factory=lambda: {o: 0 for o in OUTCOMES})
    share: dict[str, Decimal] = field(default_factory=dict)  # % of the outcome's count


@dataclass
class Breakdown:
    name: str  # "stage", "reason", "business_type"
    lines: list[Line]


@dataclass
class WinLoss:
    totals_count: dict[str, int]
    totals_cents: dict[str, int]
    breakdowns: list[Breakdown]

    def breakdown(self, name: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.name == name), None)


def percent(part: int, whole: int) -> Decimal:
    """part / whole as a percentage with one decimal, half up; 0 of nothing."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def winloss_groups(f: ReportFilter) -> list[dict]:
    """The closed trajects of the period grouped by outcome, stage closed from, reason and
    business type: count and value (share) in cents."""
    queryset = (
        Traject.objects.visible_to(f.user)
        .trajects()
        .filter(
            type__outcome__in=OUTCOMES,
            closed_at__gte=local_midnight(f.period.start),
            closed_at__lt=local_midnight(f.period.end),
        )
    )
    if f.business_type_ids:
        queryset = queryset.filter(business_type__in=f.business_type_ids)
    queryset = queryset.with_share_for(f.share_users)
    value_cents, _weighted = queryset.share_cents()
    return list(
        queryset.values(
            "closed_from_stage", "win_loss_reason", "business_type", outcome=F("type__outcome")
        )
        .annotate(n=Count("pk"), cents=Coalesce(Sum(value_cents), 0))
        .order_by()
    )


def winloss_build(f: ReportFilter, *, sales_select: bool) -> WinLoss:
    """The analysis for the filter; stage and reason only with Sales Select."""
    groups = winloss_groups(f)
    totals_count = {o: 0 for o in OUTCOMES}
    totals_cents = {o: 0 for o in OUTCOMES}
    for group in groups:
        totals_count[group["outcome"]] += group["n"]
        totals_cents[group["outcome"]] += int(group["cents"])
    names: dict[str, dict] = {}
    wanted = ["business_type"]
    if sales_select:
        wanted = ["closed_from_stage", "win_loss_reason", "business_type"]
    used = {key: {g[key] for g in groups} - {None} for key in wanted}
    # Renamed or deactivated entries keep their figures under their current name.
    if "closed_from_stage" in used:
        names["closed_from_stage"] = {
            s.pk: (s.order, s.name) for s in Stage.objects.filter(pk__in=used["closed_from_stage"])
        }
        names["win_loss_reason"] = {
            r.pk: (r.order, r.reason)
            for r in WinLossReason.objects.filter(pk__in=used["win_loss_reason"])
        }
    names["business_type"] = {
        b.pk: (b.order, str(b)) for b in BusinessType.objects.filter(pk__in=used["business_type"])
    }
    breakdowns = []
    titles = {
        "closed_from_stage": "stage",
        "win_loss_reason": "reason",
        "business_type": "business_type",
    }
    for key in wanted:
        lines: dict = defaultdict(lambda: None)
        for group in groups:
            pk = group[key]
            line = lines[pk]
            if line is None:
                nothing = _("Geen stage") if key == "closed_from_stage" else _("Geen reden")
                order, label = names[key].get(pk, (-1, nothing))
                line = lines[pk] = Line(pk, label)
                line.order = (pk is None, order, label, pk or 0)
            line.count[group["outcome"]] += group["n"]
            line.cents[group["outcome"]] += int(group["cents"])
        ordered = sorted(lines.values(), key=lambda line: line.order)
        for line in ordered:
            line.share = {o: percent(line.count[o], totals_count[o]) for o in OUTCOMES}
        breakdowns.append(Breakdown(titles[key], ordered))
    return WinLoss(totals_count, totals_cents, breakdowns)


def headline(result: WinLoss, outcome: str) -> tuple | None:
    """(share %, stage label, reason label, reason share %) of the stage and the reason where
    most trajects of `outcome` closed: "70 % verloren in Voorstel, reden Te duur"."""
    if not result.totals_count[outcome]:
        return None

    def top(name):
        breakdown = result.breakdown(name)
        if breakdown is None:
            return None
        lines = [line for line in breakdown.lines if line.count[outcome]]
        return max(lines, key=lambda line: (line.count[outcome], -lines.index(line)), default=None)

    stage, reason = top("stage"), top("reason")
    if stage is None:
        return None
    return (
        stage.share[outcome],
        stage.label,
        reason.label if reason else "",
        reason.share[outcome] if reason else None,
    )
