"""The reports computed by brute force in plain Python over the raw rows (values() of the
Traject and link tables), never through the queryset methods under test.

The share rule (DESIGN rule 4) written out once more in integers: value / N per link, the
remainder cents to the first links by position; N is counted from the link rows here.
"""

import datetime
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from trajects.models import Traject, TrajectAccountmanager

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def part(cents: int, count: int, position: int) -> int:
    even = cents // count
    return even + (1 if position < cents - even * count else 0)


def raw():
    """(trajects by id, links by traject id) as stored."""
    rows = {
        row["pk"]: row
        for row in Traject.objects.values(
            "pk",
            "value",
            "probability",
            "expected_close",
            "closed_at",
            "type__outcome",
            "deleted_at",
            "converted_at",
            "business_type_id",
            "closed_from_stage__name",
            "win_loss_reason__reason",
            "business_type__code",
        )
    }
    links = defaultdict(list)
    for link in TrajectAccountmanager.objects.values("traject_id", "user_id", "position"):
        links[link["traject_id"]].append((link["user_id"], link["position"]))
    return rows, links


def visible(row, links, viewer_id, beheerder: bool) -> bool:
    if row["deleted_at"] is not None or row["converted_at"] is None:
        return False
    return beheerder or any(user == viewer_id for user, _pos in links[row["pk"]])


def cents_of(value) -> int | None:
    return None if value is None else int(value * 100)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def forecast(viewer_id, beheerder, pivot, share_ids=(), business_types=()):
    """{user id: {month: [value, weighted, won, lost]}} and the team's {month: [...]}, cents.

    Without share_ids (a beheerder's team) every link counts; with them only theirs."""
    rows, links = raw()
    future = {add_months(pivot, i) for i in range(12)}
    past = {add_months(pivot, i) for i in range(-12, 0)}
    people = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for pk, row in rows.items():
        if not visible(row, links, viewer_id, beheerder):
            continue
        if business_types and row["business_type_id"] not in business_types:
            continue
        mine = links[pk]
        cents = cents_of(row["value"]) or 0
        weighted = (cents * row["probability"] + 50) // 100
        for user, position in mine:
            if share_ids and user not in share_ids:
                continue
            outcome = row["type__outcome"]
            if outcome == "open":
                month = month_of(row["expected_close"])
                if month in future:
                    got = people[user][month]
                    got[0] += part(cents, len(mine), position)
                    got[1] += part(weighted, len(mine), position)
            elif row["closed_at"] is not None:
                month = month_of(row["closed_at"].astimezone(AMSTERDAM).date())
                if month in past:
                    got = people[user][month]
                    got[2 if outcome == "won" else 3] += part(cents, len(mine), position)
    team = defaultdict(lambda: [0, 0, 0, 0])
    for months in people.values():
        for month, figures in months.items():
            for i in range(4):
                team[month][i] += figures[i]
    return people, team


def percent(n: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(n) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def winloss(viewer_id, beheerder, start, end, share_ids=(), business_types=()):
    """{breakdown: {label: [won n, won cents, won %, lost n, lost cents, lost %]}} and the
    totals [won n, won cents, lost n, lost cents]; start and end are local days."""
    rows, links = raw()
    low = datetime.datetime.combine(start, datetime.time.min, AMSTERDAM)
    high = datetime.datetime.combine(end, datetime.time.min, AMSTERDAM)
    groups = {
        "stage": defaultdict(lambda: [0, 0, 0, 0]),
        "reason": defaultdict(lambda: [0, 0, 0, 0]),
        "business_type": defaultdict(lambda: [0, 0, 0, 0]),
    }
    totals = [0, 0, 0, 0]
    for pk, row in rows.items():
        if not visible(row, links, viewer_id, beheerder):
            continue
        if row["type__outcome"] not in ("won", "lost") or row["closed_at"] is None:
            continue
        if not low <= row["closed_at"] < high:
            continue
        if business_types and row["business_type_id"] not in business_types:
            continue
        mine = links[pk]
        cents = cents_of(row["value"])
        if share_ids:
            chosen = [pos for user, pos in mine if user in share_ids]
            if not chosen:
                continue
            value = 0 if cents is None else sum(part(cents, len(mine), p) for p in chosen)
        else:
            value = cents or 0
        at = 0 if row["type__outcome"] == "won" else 2
        totals[at] += 1
        totals[at + 1] += value
        keys = {
            "stage": row["closed_from_stage__name"] or "Geen stage",
            "reason": row["win_loss_reason__reason"] or "Geen reden",
            "business_type": row["business_type__code"],
        }
        for name, key in keys.items():
            groups[name][key][at] += 1
            groups[name][key][at + 1] += value
    result = {}
    for name, lines in groups.items():
        result[name] = {
            key: [
                n_won,
                won,
                percent(n_won, totals[0]),
                n_lost,
                lost,
                percent(n_lost, totals[2]),
            ]
            for key, (n_won, won, n_lost, lost) in lines.items()
        }
    return result, totals
