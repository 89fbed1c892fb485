"""python manage.py bench_overview [--requests 50]

Times the first page (25 rows) of the trajects overview's views on the database at hand (meant
for PostgreSQL with `seed_demo --trajects 1000000`): the median server time of the whole page
request (Django test client, logged in) and, in the same run, the median time of the raw SQL of
the same queries, replayed on one cursor. Prints the figures beside their targets: (a)-(f)
issue 4's, (g)-(k) the broad selections of issue 17 (all dates for the beheerder and the
busiest accountmanager, a whole year, the last page, the htmx swap), (l) the month's CSV; and
the median time of the whole result's "statistisch verwacht" (issue 6), which the page fetches
once it is shown.
"""

import os
import statistics
import time
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settings_app.models import Outcome, TrajectType
from trajects.models import Traject, TrajectAccountmanager
from trajects.overview import overview_build

CSV_TARGET = 250
HTMX = "htmx:"  # a view's query that starts so is asked for as the overview's htmx swap


def _next_months(today: date, n: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def median_ms(run, times: int, warmup: int) -> float:
    """The median wall time of `run()` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        run()
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _fixed_work():
    """The same pure-Python work on every machine (about 5 ms on this kind of machine)."""
    total = 0
    for i in range(100_000):
        total += i * i
    return total


def replay(cursor, statements: list[str], *, writes: bool = False) -> None:
    """Run captured SQL again on one cursor, one statement after the other, fetching every row
    (the raw-SQL floor every benchmark prints beside its page time); writes only if asked."""
    for sql in statements:
        reads = sql.lstrip().upper().startswith(("SELECT", "WITH"))
        if not reads and not writes:
            continue
        cursor.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()


def load() -> str:
    """The load average now: '2.1 (5 min 1.7)'."""
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f})"


def machine_spread(times: int = 100) -> tuple[float, float]:
    """(median, best) ms of _fixed_work: how fast, and how steady, the CPU is right now. A page
    median on a machine whose median here is 1.5× its best carries the same spread."""
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        _fixed_work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings)


def measure_as_in_production(requests: int, warmup: int) -> None:
    """Check the counts, then switch off what production does not run (the query log, template
    debugging) and let the test client's host in: every benchmark command starts here."""
    if requests < 1 or warmup < 0:
        raise CommandError("--requests must be at least 1 and --warmup at least 0.")
    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


class Command(BaseCommand):
    help = "Benchmark the trajects overview: six views, page median and raw SQL median."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="timed requests per view")
        parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")

    def handle(self, *args, requests, warmup, **options):
        measure_as_in_production(requests, warmup)
        if not Traject.objects.exists():
            raise CommandError("No trajects: run `python manage.py seed_demo --trajects 1000000`.")
        views = self.views()
        total = Traject.objects.count()
        self.stdout.write(
            f"{connection.vendor}, {total:,} trajects, {requests} requests per view "
            f"(after {warmup} warm-up), today {timezone.localdate():%Y-%m-%d}, "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
        )
        header = (
            f"{'view':<58} {'page ms':>8} {'SQL ms':>7} {'queries':>7} {'rows':>7}  target"
            f"        {'verwacht ms':>11}"
        )
        before = machine_spread()
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        failures = 0
        for key, label, user, query, target in views:
            page_ms, sql_ms, queries, count = self.measure(user, query, requests, warmup)
            expected_ms = self.measure_expected(user, query, min(requests, 10))
            ok = page_ms < target
            failures += not ok
            verdict = self.style.SUCCESS("ok") if ok else self.style.ERROR("MISSED")
            self.stdout.write(
                f"({key}) {label:<54} {page_ms:8.1f} {sql_ms:7.1f} {queries:7d} {count:>7,}  "
                f"< {target} ms {verdict:<6} {expected_ms:11.1f}"
            )
        failures += self.csv_line(views[0][2], views[0][3], requests, warmup)
        self.stdout.write(
            f"\npage = median wall time of the whole request; SQL = median time of the same "
            f"queries replayed raw; verwacht = median time of the whole result's statistisch "
            f"verwacht, fetched after the page (none without statistics: run "
            f"regenerate_statistics). Load average now {os.getloadavg()[0]:.1f}."
        )
        after = machine_spread()
        self.stdout.write(
            "machine: a fixed pure-Python loop took "
            + " and ".join(
                f"{median:.1f} ms median, {best:.1f} ms best ({median / best:.2f}×) {when}"
                for (median, best), when in ((before, "before"), (after, "after"))
            )
            + " the views."
        )
        for key, _label, _user, query, _target in views:
            self.stdout.write(f"  ({key}) /sales/?{query}")
        self.stdout.write(f"  (l) /sales/export.csv?{views[0][3]}")
        self.stdout.write("")
        if failures:
            self.stdout.write(self.style.ERROR(f"{failures} view(s) missed the target."))
        else:
            self.stdout.write(self.style.SUCCESS("Every view meets its target."))

    def views(self):
        User = get_user_model()
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).order_by("pk").first()
        if beheerder is None:
            raise CommandError("No sales beheerder: seed the demo data first.")
        top_am = (
            TrajectAccountmanager.objects.filter(traject__converted_at__isnull=False)
            .values("user")
            .annotate(n=Count("pk"))
            .order_by("-n", "user")
            .first()
        )
        top_relation = (
            Traject.objects.values("relation")
            .annotate(n=Count("pk"))
            .order_by("-n", "relation")
            .first()
        )
        prospect = TrajectType.objects.filter(outcome=Outcome.OPEN, is_default=True).first()
        am = User.objects.get(pk=top_am["user"])
        today = timezone.localdate()
        three = _next_months(today, 3)
        months = "&".join(f"month={d.month}" for d in three)
        years = "&".join(f"year={y}" for y in sorted({d.year for d in three}))
        now = f"month={today.month}&year={today.year}"
        request = RequestFactory().get(f"{reverse('trajects:list')}?dates=1")
        request.user = beheerder
        last = overview_build(request).page.paginator.num_pages
        return [
            ("a", "beheerder, current month", beheerder, now, 60),
            (
                "b",
                "beheerder, current and two next months (× years)",
                beheerder,
                f"{months}&{years}",
                100,
            ),  # fmt: skip
            ("c", f"accountmanager {am.username} (most trajects), current month", am, now, 60),
            (
                "d",
                f"relation {top_relation['relation']} (most trajects), date ignored",
                beheerder,
                f"{now}&relation={top_relation['relation']}",
                100,
            ),
            (
                "e",
                "beheerder, keyword 'glazen deuren', all dates",
                beheerder,
                "dates=1&keyword=glazen+deuren",
                100,
            ),  # fmt: skip
            (
                "f",
                "beheerder, all dates, type Prospect",
                beheerder,
                f"dates=1&type={prospect.pk if prospect else 0}",
                300,
            ),  # fmt: skip
            # Broad selections (issue 17: under 150 ms, as fast as one month).
            ("g", "beheerder, all dates", beheerder, "dates=1", 150),
            ("h", f"accountmanager {am.username}, all dates (his shares)", am, "dates=1", 150),
            ("i", f"beheerder, the whole year {today.year}", beheerder, f"year={today.year}", 150),
            ("j", "beheerder, all dates, the last page", beheerder, f"dates=1&page={last}", 150),
            ("k", "beheerder, all dates, htmx swap of the overview", beheerder, HTMX + "dates=1",
             150),
        ]  # fmt: skip

    def measure(self, user, query, requests, warmup):
        headers = {}
        if query.startswith(HTMX):  # as the overview's own htmx asks for itself
            query = query[len(HTMX) :]
            headers = {"HX-Request": "true", "HX-Target": "overview"}
        client = Client(headers=headers)
        client.force_login(user)
        url = f"{reverse('trajects:list')}?{query}"
        page_ms = median_ms(lambda: self.get(client, url), requests, warmup)
        with CaptureQueriesContext(connection) as captured:
            self.get(client, url)
        request = RequestFactory().get(url)
        request.user = user
        count = overview_build(request).totals["count"]
        statements = [q["sql"] for q in captured.captured_queries]
        with connection.cursor() as cursor:
            sql_ms = median_ms(lambda: replay(cursor, statements), requests, warmup)
        return page_ms, sql_ms, len(statements), count

    def measure_expected(self, user, query, requests):
        client = Client(headers={"HX-Request": "true", "HX-Target": "all-expected"})
        client.force_login(user)
        url = f"{reverse('trajects:expected')}?{query}"
        return median_ms(lambda: self.get(client, url), requests, warmup=1)

    def csv_line(self, user, query, requests, warmup) -> int:
        """(l) the month's CSV export, read to its end (issue 17: under 250 ms); 1 if missed."""
        client = Client()
        client.force_login(user)
        url = f"{reverse('trajects:export_csv')}?{query}"
        rows = 0

        def run():
            nonlocal rows
            response = self.get(client, url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            rows = max(body.count(b"\n") - 1, 0)

        page_ms = median_ms(run, max(1, requests // 5), min(warmup, 1))
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [q["sql"] for q in captured.captured_queries]
        with connection.cursor() as cursor:
            sql_ms = median_ms(lambda: replay(cursor, statements), max(1, requests // 5), 0)
        ok = page_ms < CSV_TARGET
        verdict = self.style.SUCCESS("ok") if ok else self.style.ERROR("MISSED")
        label = "beheerder, CSV export of the current month"
        self.stdout.write(
            f"(l) {label:<54} {page_ms:8.1f} {sql_ms:7.1f} {len(statements):7d} {rows:>7,}  "
            f"< {CSV_TARGET} ms {verdict:<6} {'–':>11}"
        )
        return not ok

    @staticmethod
    def get(client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return response
