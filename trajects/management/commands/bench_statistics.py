"""python manage.py bench_statistics — the statistics' figures at scale, against raw SQL.

Run on a database seeded with `seed_demo --trajects 1000000`. Prints medians of the ORM
aggregates, the same aggregates as hand-written SQL, and the full regeneration (overall and per
accountmanager, written and swapped in), measured in the same run.
"""

import statistics as stats
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from settings_app.models import ClientSettings
from trajects import statistics
from trajects.models import StatisticsSet, Traject
from trajects.services import statistics_regenerate

TARGET_OVERALL = 1.0
TARGET_FULL = 5.0
TARGET_RATIO = 1.5


def _range_case(column: str, thresholds) -> str:
    whens = " ".join(f"WHEN {column} < {int(t)} THEN {i}" for i, t in enumerate(thresholds))
    return f"CASE {whens} ELSE {len(thresholds)} END"


def raw_overall(thresholds, won_ids, closed_ids):
    """Win rate per price range over all closed trajects, written by hand."""
    sql = f"""
        SELECT {_range_case("t.value", thresholds)} AS price_range, count(*),
               count(*) FILTER (WHERE t.type_id = ANY(%s)), avg(t.value), avg(t.probability)
        FROM trajects_traject t
        WHERE t.deleted_at IS NULL AND t.value IS NOT NULL AND t.type_id = ANY(%s)
        GROUP BY 1 ORDER BY 1"""  # noqa: S608 -- thresholds are validated integers
    with connection.cursor() as cursor:
        cursor.execute(sql, [won_ids, closed_ids])
        return cursor.fetchall()


def raw_per_accountmanager(thresholds, won_ids, closed_ids):
    """The same per accountmanager × price range, a shared traject counting for each."""
    sql = f"""
        SELECT l.user_id, {_range_case("t.value", thresholds)} AS price_range, count(*),
               count(*) FILTER (WHERE t.type_id = ANY(%s)), avg(t.value), avg(t.probability)
        FROM trajects_trajectaccountmanager l
        JOIN trajects_traject t ON t.id = l.traject_id
        WHERE t.deleted_at IS NULL AND t.value IS NOT NULL AND t.type_id = ANY(%s)
        GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608 -- thresholds are validated integers
    with connection.cursor() as cursor:
        cursor.execute(sql, [won_ids, closed_ids])
        return cursor.fetchall()


def _timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return stats.median(times), min(times), result


class Command(BaseCommand):
    help = "Benchmark the price-range statistics against raw SQL (medians, same run)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")

    def handle(self, *args, repeat, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_statistics measures PostgreSQL; set DATABASE_URL.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        thresholds = ClientSettings.load().thresholds
        won_ids, lost_ids = statistics.closed_type_ids()
        closed_ids = [*won_ids, *lost_ids]
        out = self.stdout.write
        out(
            f"PostgreSQL {connection.pg_version // 10000}, {Traject.objects.count():,} trajects, "
            f"price ranges {','.join(str(int(t)) for t in thresholds)}, median of {repeat} runs "
            "after one warm-up run"
        )

        def orm_overall():
            return list(statistics.overall_by_range(thresholds, won_ids, lost_ids))

        def orm_per_accountmanager():
            return list(statistics.per_accountmanager_by_range(thresholds, won_ids, lost_ids))

        # warm-up: caches and the planner's statistics
        orm_overall(), raw_overall(thresholds, won_ids, closed_ids)
        orm_per_accountmanager(), raw_per_accountmanager(thresholds, won_ids, closed_ids)
        statistics_regenerate()

        figures = {
            "overall: ORM": _timed(orm_overall, repeat),
            "overall: raw SQL": _timed(
                lambda: raw_overall(thresholds, won_ids, closed_ids), repeat
            ),
            "per accountmanager: ORM": _timed(orm_per_accountmanager, repeat),
            "per accountmanager: raw SQL": _timed(
                lambda: raw_per_accountmanager(thresholds, won_ids, closed_ids), repeat
            ),
            "full regeneration (task's work)": _timed(statistics_regenerate, repeat),
        }
        self._check_same(figures)
        for name, (median, best, _result) in figures.items():
            out(f"  {name:<34} {median * 1000:9.1f} ms  (best {best * 1000:.1f} ms)")

        closed = sum(row["closed"] for row in figures["overall: ORM"][2])
        links = sum(row["closed"] for row in figures["per accountmanager: ORM"][2])
        current = StatisticsSet.objects.current()
        out(
            f"  {closed:,} closed trajects with a value; {links:,} accountmanager links; "
            f"{current.rows.count()} statistic rows in the set"
        )
        overall = figures["overall: ORM"][0]
        full = figures["full regeneration (task's work)"][0]
        raw = figures["overall: raw SQL"][0] + figures["per accountmanager: raw SQL"][0]
        ratio = full / raw
        out("Targets (issue 6):")
        out(
            self._verdict(
                f"overall win rate per range {overall:.3f} s < {TARGET_OVERALL} s",
                overall < TARGET_OVERALL,
            )
        )
        out(self._verdict(f"full regeneration {full:.3f} s < {TARGET_FULL} s", full < TARGET_FULL))
        out(
            self._verdict(
                f"full regeneration / raw SQL of the same aggregates = {full:.3f} / {raw:.3f} s "
                f"= {ratio:.2f}× <= {TARGET_RATIO}×",
                ratio <= TARGET_RATIO,
            )
        )

    def _verdict(self, text: str, ok: bool) -> str:
        return self.style.SUCCESS(f"  OK   {text}") if ok else self.style.ERROR(f"  FAIL {text}")

    def _check_same(self, figures) -> None:
        """The ORM and the raw SQL agree, row for row."""
        orm = [(r["price_range"], r["closed"], r["won"]) for r in figures["overall: ORM"][2]]
        raw = [(r[0], r[1], r[2]) for r in figures["overall: raw SQL"][2]]
        orm_am = [
            (r["user_id"], r["price_range"], r["closed"], r["won"])
            for r in figures["per accountmanager: ORM"][2]
        ]
        raw_am = [(r[0], r[1], r[2], r[3]) for r in figures["per accountmanager: raw SQL"][2]]
        if orm != raw or orm_am != raw_am:
            raise CommandError("The ORM and the raw SQL disagree: the benchmark is void.")
