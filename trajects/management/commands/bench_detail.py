"""Measure the traject detail page: server time and queries per request, medians.

Run on a seeded database (seed_demo --trajects 1000000), never on production data: it
deletes and restores a few trajects to fill the recycle bin, and puts them back afterwards.
"""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app.roles import roles_of
from trajects import services
from trajects.models import Traject


class Command(BaseCommand):
    help = "Print median server time and query count of the traject detail page and its parts."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--binned", type=int, default=200, help="trajects to put in the bin")

    def handle(self, *args, runs, binned, **options):
        users = get_user_model().objects.filter(is_active=True)
        beheerder = next((u for u in users if roles_of(u).beheerder), None)
        if beheerder is None or not Traject.objects.exists():
            raise CommandError("seed the database first: manage.py seed_demo")
        busiest = (
            Traject.objects.alive()
            .values("relation")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        traject = Traject.objects.alive().filter(relation=busiest["relation"]).first()
        owner = traject.accountmanagers.first()
        self.stdout.write(
            f"{Traject.objects.count():,} trajects; the busiest relation has {busiest['n']:,}; "
            f"{runs} runs each, medians"
        )
        pages = [
            ("detail, accountmanager", owner, reverse("trajects:detail", args=[traject.pk]), {}),
            ("detail, beheerder", beheerder, reverse("trajects:detail", args=[traject.pk]), {}),
            (
                "informatie form",
                owner,
                reverse("trajects:informatie", args=[traject.pk]),
                {"HX-Request": "true", "HX-Target": "informatie"},
            ),
            (
                "geschiedenis, last page",
                owner,
                reverse("trajects:detail", args=[traject.pk])
                + f"?geschiedenis={max(1, busiest['n'] // 10)}",
                {"HX-Request": "true", "HX-Target": "geschiedenis"},
            ),
            (
                "omzet preview",
                owner,
                reverse("trajects:omzet", args=[traject.pk]) + "?probability=60&value=12.500",
                {"HX-Request": "true"},
            ),
        ]
        doomed = list(
            Traject.objects.alive()
            .exclude(pk=traject.pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:binned]
        )
        for pk in doomed:
            services.traject_delete(traject=pk, user=beheerder)
        try:
            pages.append(("prullenbak", beheerder, reverse("trajects:bin"), {}))
            for label, user, url, headers in pages:
                self._measure(label, user, url, headers, runs)
        finally:
            for pk in doomed:
                services.traject_restore(traject_id=pk, user=beheerder)

    def _measure(self, label, user, url, headers, runs):
        hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        client.get(url, headers=headers)  # warm up
        times, queries = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{label}: {url} answered {response.status_code}")
            queries.append(len(captured.captured_queries))
        median_ms, median_queries = statistics.median(times), int(statistics.median(queries))
        self.stdout.write(f"{label:28} {median_ms:7.1f} ms  {median_queries:3} queries")
