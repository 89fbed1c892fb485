"""Benchmark: the leads overview on the current database, and a 10,000-row lead import.

    python manage.py bench_leads [--requests 30] [--rows 10000]

Prints medians of full page requests (Django test client, logged in) and the time of the
import's preview and run. The import runs inside a transaction that is rolled back, and on
PostgreSQL the tables it wrote to are vacuumed afterwards: the database is left as it was, with
no dead rows.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact, Relation
from leads import services
from leads.models import LeadImport
from settings_app.services import user_settings_set
from trajects.models import DossierEntry, Traject, TrajectAccountmanager


class Rollback(Exception):
    pass


def import_file(rows: int) -> tuple[bytes, int]:
    """A CSV of `rows` leads of which 3 are bad (no subject, value 'abc', unknown manager)."""
    lines = ["subject,relation,contact,email,value,source,accountmanager e-mail"]
    bad = {
        rows // 7: ",Bench 1,,,,,",
        rows // 2: "Lead,Bench 2,,,abc,,",
        rows - 1: "Lead,B,,,,,x@y",
    }
    for number in range(rows):
        lines.append(
            bad.get(number)
            or f"Bench lead {number},Bench relatie {number % 500},Contact {number % 800},"
            f"c{number % 800}@bench.example,{number}.50,Website,"
        )
    return "\n".join(lines).encode(), len(bad)


class Command(BaseCommand):
    help = "Time the leads overview and a 10,000-row lead import."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args, **options):
        User = get_user_model()
        count = Traject.objects.count()
        leads = Traject.objects.leads().count()
        self.stdout.write(f"{count:,} trajects, {leads:,} of them leads ({connection.vendor})")
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).first()
        busiest = (
            User.objects.filter(sales_settings__is_accountmanager=True)
            .annotate(n=Count("traject_links"))
            .order_by("-n")
            .first()
        )
        url = reverse("leads:list")
        views = [
            ("beheerder, leads", beheerder, {}),
            ("beheerder, pool only", beheerder, {"pool": "on"}),
            ("beheerder, keyword 'glazen deuren'", beheerder, {"q": "glazen deuren"}),
            ("beheerder, incl. converted, by lead date", beheerder, {"converted": "on"}),
            ("accountmanager (most trajects), leads", busiest, {}),
        ]
        for label, user, params in views:
            if user is None:
                continue
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            client.get(url, params)  # warm up
            times = []
            for _ in range(options["requests"]):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            self.stdout.write(
                f"{label:45} median {statistics.median(times):7.1f} ms  ({len(queries)} queries)"
            )

        content, bad = import_file(options["rows"])
        try:
            with transaction.atomic():
                user = User.objects.create(username="bench-import-beheerder")
                user_settings_set(user=user, beheerder=True)
                start = time.perf_counter()
                lead_import = services.lead_import_preview(
                    created_by=user, filename="bench.csv", content=content
                )
                preview = time.perf_counter() - start
                start = time.perf_counter()
                lead_import.status = "running"
                lead_import.save(update_fields=["status"])
                done = services.lead_import_run(import_id=lead_import.pk)
                run = time.perf_counter() - start
                self.stdout.write(
                    f"import of {options['rows']:,} rows ({bad} bad): preview {preview:.1f} s, "
                    f"import {run:.1f} s, {done.imported_count:,} leads added "
                    f"({done.status}); rolled back"
                )
                raise Rollback
        except Rollback:
            pass
        self.vacuum()

    def vacuum(self):
        """The rolled-back import left its rows behind as dead tuples: on PostgreSQL they are
        vacuumed away here (outside any transaction, as VACUUM must be), so the next benchmark
        does not read past them. Inside a transaction (a test) there is nothing to do."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        tables = [
            model._meta.db_table
            for model in (
                Traject,
                TrajectAccountmanager,
                DossierEntry,
                Relation,
                Contact,
                LeadImport,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        self.stdout.write(f"vacuumed {', '.join(tables)}")
