"""python manage.py bench_board [--requests 30] [--warmup 3]

Times the Sales Select board (issue 13) on the database at hand, meant for PostgreSQL with
`seed_demo --trajects 1000000`, with fixed parameters: the business type with the most open
trajects; the beheerder, and the accountmanager with the most open trajects (among those for
whom Sales Select is on); all dates and the current month. For each it prints the median
server time of the whole request (Django test client, logged in, after warm-up) beside the
median time of the same queries replayed as raw SQL on one cursor (the floor), their ratio and
the number of queries:
- the board page (tabs, filters, every column's header and first 50 cards);
- one "more cards" fragment: the 50 cards after the first 50 of the fullest column;
- a card move, when the board has its move endpoint: the POST, whose answer carries both
  column headers, recomputed with the board's filters. The moves go back and forth between
  two stages inside a transaction that is rolled back, so the database is left as it was.
The load average is printed before and after: on 2 shared cores the medians carry it.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from board.columns import board_build
from settings_app.models import BusinessType, Outcome
from settings_app.roles import roles_of
from trajects.management.commands.bench_overview import (
    load,
    machine_spread,
    measure_as_in_production,
    median_ms,
    replay,
)
from trajects.models import Traject, TrajectAccountmanager

TARGETS = {"page_beheerder": 150, "page_accountmanager": 100, "more": 50, "move": 80}


class Command(BaseCommand):
    help = "Benchmark the Sales Select board: page, more cards, move; request and raw SQL medians."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")

    def handle(self, *args, requests, warmup, **options):
        measure_as_in_production(requests, warmup)
        self.requests, self.warmup = requests, warmup
        business_type, beheerder, accountmanager = self.parameters()
        today = timezone.localdate()
        self.stdout.write(
            f"{connection.vendor}, {Traject.objects.count():,} trajects, business type "
            f"{business_type.name} (most open trajects: {business_type.open_count:,}), "
            f"{requests} requests per case after {warmup} warm-up, today {today:%Y-%m-%d}, "
            f"load average {load()} on {os.cpu_count()} cores\n"
        )
        header = f"{'case':<62} {'page ms':>8} {'SQL ms':>7} {'ratio':>6} {'queries':>7}  target"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        base = f"business_type={business_type.pk}"
        month = f"{base}&month={today.month}&year={today.year}"
        cases = [
            ("page", f"beheerder {beheerder.username}, all dates", beheerder, base, "b"),
            ("page", f"beheerder {beheerder.username}, current month", beheerder, month, "b"),
            ("page", f"accountmanager {accountmanager.username}, all dates", accountmanager, base),
            ("page", f"accountmanager {accountmanager.username}, current month", accountmanager,
             month),
            ("more", f"beheerder {beheerder.username}, all dates", beheerder, base),
            ("more", f"accountmanager {accountmanager.username}, all dates", accountmanager, base),
        ]  # fmt: skip
        self.missed = 0
        before = machine_spread()
        for kind, label, user, query, *_rest in cases:
            if kind == "page":
                target = TARGETS["page_beheerder" if user == beheerder else "page_accountmanager"]
                self.page(label, user, query, target)
            else:
                self.more(label, user, query)
        self.move(beheerder, base)
        self.stdout.write(
            f"\npage = median wall time of the whole request (test client, every middleware); "
            f"SQL = median time of the same queries replayed raw on one cursor; ratio = page / "
            f"SQL. Load average now {load()}."
        )
        after = machine_spread()
        self.stdout.write(
            "machine: a fixed pure-Python loop took "
            + " and ".join(
                f"{median:.1f} ms median, {best:.1f} ms best ({median / best:.2f}×) {when}"
                for (median, best), when in ((before, "before"), (after, "after"))
            )
            + " the cases (on a quiet machine of this kind about 5 ms, 1.0×)."
        )
        if self.missed:
            self.stdout.write(self.style.ERROR(f"{self.missed} case(s) missed the target."))
        else:
            self.stdout.write(self.style.SUCCESS("Every case meets its target."))

    # The fixed parameters ---------------------------------------------------------------------

    def parameters(self):
        open_trajects = Traject.objects.filter(type__outcome=Outcome.OPEN, deleted_at__isnull=True)
        top_type = (
            open_trajects.values("business_type")
            .annotate(n=Count("pk"))
            .order_by("-n", "business_type")
            .first()
        )
        if top_type is None:
            raise CommandError(
                "No open trajects: run `python manage.py seed_demo --trajects 1000000`."
            )
        business_type = BusinessType.objects.get(pk=top_type["business_type"])
        business_type.open_count = top_type["n"]
        User = get_user_model()
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).order_by("pk").first()
        if beheerder is None or not roles_of(beheerder).sales_select:
            raise CommandError("No sales beheerder with Sales Select: seed the demo data first.")
        ranking = (
            TrajectAccountmanager.objects.filter(
                traject__type__outcome=Outcome.OPEN, traject__deleted_at__isnull=True
            )
            .values("user")
            .annotate(n=Count("pk"))
            .order_by("-n", "user")
        )
        for row in ranking:
            user = User.objects.get(pk=row["user"])
            if roles_of(user).sales_select:
                return business_type, beheerder, user
        raise CommandError("No accountmanager with Sales Select and open trajects.")

    # The cases --------------------------------------------------------------------------------

    def timed(self, run, *, writes: bool = False):
        """(page ms, SQL ms, queries) of a request: `run()` makes it and checks the answer."""
        page_ms = median_ms(run, self.requests, self.warmup)
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [query["sql"] for query in captured.captured_queries]
        with connection.cursor() as cursor:
            sql_ms = median_ms(
                lambda: replay(cursor, statements, writes=writes), self.requests, self.warmup
            )
        return page_ms, sql_ms, len(statements)

    @staticmethod
    def getter(client, url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"GET {url} answered {response.status_code}")
            return response

        return run

    def report(self, label, page_ms, sql_ms, queries, target):
        ok = page_ms < target
        self.missed += not ok
        verdict = self.style.SUCCESS("ok") if ok else self.style.ERROR("MISSED")
        ratio = page_ms / sql_ms if sql_ms else float("inf")
        self.stdout.write(
            f"{label:<62} {page_ms:8.1f} {sql_ms:7.1f} {ratio:5.1f}× {queries:7d}  "
            f"< {target} ms {verdict}"
        )

    def page(self, label, user, query, target):
        client = Client()
        client.force_login(user)
        url = f"{reverse('board:index')}?{query}"
        columns, cards = self.shape(user, query)
        page_ms, sql_ms, queries = self.timed(self.getter(client, url))
        self.report(
            f"board page, {label} ({columns} col., {cards} cards)", page_ms, sql_ms, queries, target
        )

    def shape(self, user, query):
        """(columns, cards) of the board as this user sees it with this query."""
        built = self.build(user, query)
        return len(built.columns), sum(len(column.cards) for column in built.columns)

    @staticmethod
    def build(user, query):
        request = RequestFactory().get(f"{reverse('board:index')}?{query}")
        request.user = user
        return board_build(request)

    def more(self, label, user, query):
        """The 50 cards after the first 50 of the fullest column, as the board's htmx asks."""
        built = self.build(user, query)
        column = max(built.columns, key=lambda column: (column.count, -column.key), default=None)
        if column is None or not column.has_more:
            self.stdout.write(f"{'more cards, ' + label:<62} (no column with more than 50 cards)")
            return
        last = column.last_card.traject
        after = f"{last.expected_close.isoformat()}_{last.pk}"
        url = f"{reverse('board:more')}?{query}&stage={column.param}&after={after}"
        client = Client(headers={"HX-Request": "true"})
        client.force_login(user)
        page_ms, sql_ms, queries = self.timed(self.getter(client, url))
        self.report(
            f"more cards, {label} ({column.name}, {column.count:,})",
            page_ms,
            sql_ms,
            queries,
            TARGETS["more"],
        )

    def move(self, user, query):
        """A card moved back and forth between two open stages (POST with both headers), in a
        transaction rolled back at the end: the database stays as it was."""
        try:
            reverse("board:move", args=[1])
        except NoReverseMatch:
            self.stdout.write(f"{'card move':<62} not measured: the board has no move endpoint")
            return
        built = self.build(user, query)
        open_columns = [c for c in built.columns if c.stage is not None and not c.outcome]
        source = max(open_columns, key=lambda column: column.count, default=None)
        target = next((c for c in open_columns if c is not source), None)
        if source is None or target is None or not source.cards:
            self.stdout.write(f"{'card move':<62} not measured: fewer than two open stages")
            return
        card = source.cards[0].traject
        url = f"{reverse('board:move', args=[card.pk])}?{query}"
        client = Client(headers={"HX-Request": "true"})
        client.force_login(user)
        other = {source.stage.pk: target.stage.pk, target.stage.pk: source.stage.pk}
        where = {"stage": source.stage.pk}

        def run():
            """Move the card to the other stage, from where the last move left it."""
            seen = where["stage"]
            response = client.post(url, {"stage": other[seen], "stage_seen": seen})
            if response.status_code != 200:
                raise CommandError(f"POST {url} answered {response.status_code}")
            where["stage"] = other[seen]
            return response

        with transaction.atomic():
            page_ms, sql_ms, queries = self.timed(run, writes=True)
            transaction.set_rollback(True)
        self.report(
            f"card move {source.name} ⇄ {target.name} (POST + both headers)",
            page_ms,
            sql_ms,
            queries,
            TARGETS["move"],
        )
