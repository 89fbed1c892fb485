"""python manage.py bench_export [--query dates=1] [--holdable] [--skip-jobs]

Times the exports of the trajects overview as a sales beheerder on the database at hand (meant
for PostgreSQL with `seed_demo --trajects 1000000`): the streamed CSV in the request (time to the
first byte, to the first row, and to the end) and the background job's whole time for CSV and
XLSX, as the Celery task runs it. `--holdable` also times the first row of the old way, a cursor
read outside a transaction (declared WITH HOLD). The jobs' files are removed afterwards.
"""

import os
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import HttpRequest, QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trajects import exports
from trajects.models import EXPORT_LIFETIME, ExportJob, Traject
from trajects.overview import overview_build
from trajects.services import export_job_run


class Command(BaseCommand):
    help = "Benchmark the trajects exports: streamed CSV and the background jobs (CSV, XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--query", default="dates=1", help="the overview's query string")
        parser.add_argument(
            "--holdable", action="store_true", help="also time the first row WITH HOLD"
        )
        parser.add_argument("--skip-jobs", action="store_true", help="only the streamed CSV")

    def handle(self, *args, query, holdable, skip_jobs, **options):
        settings.DEBUG = False  # no query log, as in production
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        User = get_user_model()
        beheerder = User.objects.filter(sales_settings__is_beheerder=True).order_by("pk").first()
        if beheerder is None or not Traject.objects.exists():
            raise CommandError("No data: run `python manage.py seed_demo --trajects 1000000`.")
        self.stdout.write(
            f"{connection.vendor}, {Traject.objects.count():,} trajects, beheerder "
            f"{beheerder.username}, /sales/export.*?{query}, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
        )
        self.streamed_csv(beheerder, query)
        if holdable:
            self.holdable_first_row(beheerder, query)
        if not skip_jobs:
            for export_format in ("csv", "xlsx"):
                self.job(beheerder, query, export_format)
        self.stdout.write(f"\nLoad average now {os.getloadavg()[0]:.1f}.")

    def streamed_csv(self, user, query):
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.get(f"{reverse('trajects:export_csv')}?{query}")
        if not response.streaming:
            raise CommandError(f"Not streamed (status {response.status_code}).")
        first_byte = first_row = None
        size = rows = 0
        for piece in response.streaming_content:
            now = time.perf_counter()
            if first_byte is None:
                first_byte = now
            elif first_row is None:
                first_row = now
            size += len(piece)
            rows += piece.count(b"\r\n")
        total = time.perf_counter() - started
        response.close()
        self.stdout.write(
            f"streamed CSV in the request: first byte {(first_byte - started) * 1000:.0f} ms, "
            f"first row {((first_row or first_byte) - started) * 1000:.0f} ms, "
            f"all {rows - 1:,} rows {total:.1f} s ({size / 2**20:.0f} MiB)"
        )

    def holdable_first_row(self, user, query):
        request = HttpRequest()
        request.method, request.GET, request.user = "GET", QueryDict(query), user
        overview = overview_build(request, paginate=False)
        assert connection.get_autocommit()
        started = time.perf_counter()
        records = exports.export_records(overview)  # outside a transaction: WITH HOLD
        next(records)
        first_row = time.perf_counter() - started
        records.close()
        self.stdout.write(f"old way (cursor WITH HOLD): first row after {first_row:.1f} s")

    def job(self, user, query, export_format):
        now = timezone.now()
        job = ExportJob.objects.create(
            user=user,
            query=query,
            format=export_format,
            file=f"exports/bench-{now:%Y%m%d%H%M%S}.{export_format}",
            expires_at=now + EXPORT_LIFETIME,
        )
        started = time.perf_counter()
        try:
            job = export_job_run(job_id=job.pk)
            took = time.perf_counter() - started
            size = job.path.stat().st_size
        finally:
            job.path.unlink(missing_ok=True)
            job.delete()
        self.stdout.write(
            f"background job {export_format.upper()}: {job.rows_done:,} rows in {took:.1f} s "
            f"({size / 2**20:.0f} MiB)"
        )
