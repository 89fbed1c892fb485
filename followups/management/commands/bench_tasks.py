"""python manage.py bench_tasks [--requests 30] [--warmup 3]

Times "Mijn taken" (issue 15) on the database at hand, meant for PostgreSQL with
`seed_demo --trajects 200000` or more: for the accountmanager with the most open tasks, for a
beheerder (his own page, and everyone's tasks with ?voor=alle) and one "Meer laden" of the
busiest group. For each it prints the median server time of the whole request (Django test
client, logged in, after warm-up) beside the median time of the same queries replayed as raw
SQL on one cursor (the floor) and the number of queries. Target: under 100 ms.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import lists
from followups.models import Task
from trajects.management.commands.bench_overview import (
    load,
    measure_as_in_production,
    median_ms,
    replay,
)

TARGET = 100


class Command(BaseCommand):
    help = "Benchmark Mijn taken: page and raw SQL medians, for an accountmanager and a beheerder."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")

    def handle(self, *args, requests, warmup, **options):
        measure_as_in_production(requests, warmup)
        self.requests, self.warmup = requests, warmup
        busiest = (
            Task.objects.open()
            .values("assignee")
            .annotate(n=Count("pk"))
            .order_by("-n", "assignee")
            .first()
        )
        if busiest is None:
            raise CommandError("No open tasks: run `python manage.py seed_demo --trajects 200000`.")
        User = get_user_model()
        accountmanager = User.objects.get(pk=busiest["assignee"])
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).order_by("pk").first()
        if beheerder is None:
            raise CommandError("No sales beheerder: seed the demo data first.")
        today = timezone.localdate()
        self.stdout.write(
            f"{connection.vendor}, {Task.objects.count():,} tasks ({Task.objects.open().count():,}"
            f" open), busiest accountmanager {accountmanager.username} with {busiest['n']:,} open"
            f" tasks, {requests} requests per case after {warmup} warm-up, today "
            f"{today:%Y-%m-%d}, load average {load()} on {os.cpu_count()} cores\n"
        )
        header = f"{'case':<62} {'page ms':>8} {'SQL ms':>7} {'queries':>7}  target"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        self.missed = 0
        mine = reverse("followups:mine")
        self.case(f"Mijn taken, accountmanager {accountmanager.username}", accountmanager, mine)
        self.case(f"Mijn taken, beheerder {beheerder.username} (own)", beheerder, mine)
        self.case(
            f"Mijn taken, beheerder {beheerder.username}, everyone's",
            beheerder,
            f"{mine}?voor=alle",
        )
        self.more(accountmanager, today)
        self.stdout.write(
            f"\npage = median wall time of the whole request (test client, every middleware); "
            f"SQL = median time of the same queries replayed raw on one cursor. Load average now "
            f"{load()}."
        )
        if self.missed:
            self.stdout.write(self.style.ERROR(f"{self.missed} case(s) missed the target."))
        else:
            self.stdout.write(self.style.SUCCESS("Every case meets its target."))

    def timed(self, client, url, headers=None):
        def run():
            response = client.get(url, headers=headers or {})
            if response.status_code != 200:
                raise CommandError(f"GET {url} answered {response.status_code}")
            return response

        page_ms = median_ms(run, self.requests, self.warmup)
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [query["sql"] for query in captured.captured_queries]
        with connection.cursor() as cursor:
            sql_ms = median_ms(lambda: replay(cursor, statements), self.requests, self.warmup)
        return page_ms, sql_ms, len(statements)

    def report(self, label, page_ms, sql_ms, queries):
        ok = page_ms < TARGET
        self.missed += not ok
        verdict = self.style.SUCCESS("ok") if ok else self.style.ERROR("MISSED")
        self.stdout.write(
            f"{label:<62} {page_ms:8.1f} {sql_ms:7.1f} {queries:7d}  < {TARGET} ms {verdict}"
        )

    def case(self, label, user, url):
        client = Client()
        client.force_login(user)
        self.report(label, *self.timed(client, url))

    def more(self, user, today):
        """The 50 tasks after the first 50 of the accountmanager's fullest group."""
        sections = [lists.task_section(user, user, key, today) for key in lists.GROUPS]
        section = next((s for s in sections if s.has_more), None)
        if section is None:
            self.stdout.write(f"{'Meer laden':<62} (no group with more than 50 tasks)")
            return
        url = f"{reverse('followups:more')}?groep={section.key}&na={section.after}"
        client = Client()
        client.force_login(user)
        headers = {"HX-Request": "true", "HX-Target": f"meer-{section.key}"}
        self.report(
            f"Meer laden, {user.username}, {section.label}", *self.timed(client, url, headers)
        )
