"""python manage.py bench_reports [--requests 20] [--warmup 3]

Times the reports (issue 16) on the database at hand, meant for PostgreSQL with
`seed_demo --trajects 1000000`: for each report, the median server time of the whole request
(Django test client, logged in, every middleware, after warm-up) as the beheerder (the whole
team) and as the busiest accountmanager (the most open trajects), beside the median of the
same queries replayed as raw SQL on one cursor, the number of queries and the load average.
Target: each report under 500 ms.

It leaves the database as it was: everything runs in one transaction that is rolled back
(read-only on PostgreSQL), and the sessions are signed cookies made without a login.
"""

import os
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settings_app.models import Outcome
from trajects.management.commands.bench_overview import (
    load,
    machine_spread,
    measure_as_in_production,
    median_ms,
    replay,
)
from trajects.models import Traject, TrajectAccountmanager

TARGET_MS = 500
CASES = [
    ("Forecast per maand, team", "reports:forecast", ""),
    ("Forecast per maand, per accountmanager (omzet)", "reports:forecast",
     "per=accountmanager&measure=omzet"),
    ("Forecast per maand, per accountmanager (gewonnen)", "reports:forecast",
     "per=accountmanager&measure=gewonnen"),
    ("Win/verlies-analyse, laatste kwartaal", "reports:winloss", ""),
    ("Win/verlies-analyse, vorig jaar", "reports:winloss", "period={last_year}"),
]  # fmt: skip


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the reports: request and raw SQL medians as beheerder and accountmanager."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="timed requests per case")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")

    def handle(self, *args, requests, warmup, **options):
        measure_as_in_production(requests, warmup)
        self.requests, self.warmup = requests, warmup
        # Nothing written: a signed-cookie session made by hand (no login signal, so no
        # last_login and no access log), and one transaction, read-only, rolled back.
        engine = settings.SESSION_ENGINE
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION READ ONLY")
                self.run()
                raise _Rollback
        except _Rollback:
            pass
        finally:
            settings.SESSION_ENGINE = engine

    def run(self):
        beheerder, accountmanager, open_count = self.parameters()
        today = timezone.localdate()
        self.stdout.write(
            f"{connection.vendor}, {Traject.objects.count():,} trajects, beheerder "
            f"{beheerder.username}, busiest accountmanager {accountmanager.username} "
            f"({open_count:,} open trajects), {self.requests} requests per case after "
            f"{self.warmup} warm-up, today {today:%Y-%m-%d}, load average {load()} on "
            f"{os.cpu_count()} cores\n"
        )
        header = f"{'case':<70} {'page ms':>8} {'SQL ms':>7} {'ratio':>6} {'queries':>7}  target"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        missed = 0
        before = machine_spread()
        for label, name, query in CASES:
            query = query.format(last_year=today.year - 1)
            for who, user in (("beheerder", beheerder), ("accountmanager", accountmanager)):
                page_ms, sql_ms, queries = self.timed(user, f"{reverse(name)}?{query}")
                ok = page_ms < TARGET_MS
                missed += not ok
                verdict = self.style.SUCCESS("ok") if ok else self.style.ERROR("MISSED")
                ratio = page_ms / sql_ms if sql_ms else float("inf")
                self.stdout.write(
                    f"{label + ', ' + who:<70} {page_ms:8.1f} {sql_ms:7.1f} {ratio:5.1f}× "
                    f"{queries:7d}  < {TARGET_MS} ms {verdict}"
                )
        after = machine_spread()
        self.stdout.write(
            f"\npage = median wall time of the whole request (test client, every middleware); "
            f"SQL = median of the same queries replayed raw on one cursor. Load average now "
            f"{load()}. A fixed pure-Python loop: {before[0]:.1f} ms median, "
            f"{before[0] / before[1]:.2f}× its best before, {after[0]:.1f} ms, "
            f"{after[0] / after[1]:.2f}× after (about 5 ms, 1.0× on a quiet machine)."
        )
        if missed:
            self.stdout.write(self.style.ERROR(f"{missed} case(s) missed the target."))
        else:
            self.stdout.write(self.style.SUCCESS("Every case meets its target."))

    def parameters(self):
        User = get_user_model()
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).order_by("pk").first()
        if beheerder is None:
            raise CommandError("No sales beheerder: seed the demo data first.")
        top = (
            TrajectAccountmanager.objects.filter(
                traject__type__outcome=Outcome.OPEN, traject__deleted_at__isnull=True
            )
            .values("user")
            .annotate(n=Count("pk"))
            .order_by("-n", "user")
            .first()
        )
        if top is None:
            raise CommandError("No open trajects: run `manage.py seed_demo --trajects 1000000`.")
        return beheerder, User.objects.get(pk=top["user"]), top["n"]

    def timed(self, user, url):
        client = Client()
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"GET {url} answered {response.status_code}")

        page_ms = median_ms(run, self.requests, self.warmup)
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [query["sql"] for query in captured.captured_queries]
        with connection.cursor() as cursor:
            sql_ms = median_ms(lambda: replay(cursor, statements), self.requests, self.warmup)
        return page_ms, sql_ms, len(statements)
