"""python manage.py regenerate_statistics — the weekly task's work, now, with a progress bar."""

import time

from django.core.management.base import BaseCommand

from trajects.services import statistics_regenerate
from trajects.statistics import STEPS


class Command(BaseCommand):
    help = "Regenerate the price-range statistics (overall and per accountmanager) as one set."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done: int, total: int, step: str) -> None:
            bar = "#" * (done * 30 // max(total, 1))
            self.stderr.write(
                f"\r[{bar:<30}] {done}/{total} {str(STEPS.get(step, step)):<32}", ending=""
            )
            if done >= total:
                self.stderr.write("")

        statistics_set = statistics_regenerate(progress=progress)
        rows = statistics_set.rows.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Statistics set {statistics_set.pk} for price ranges {statistics_set.thresholds}: "
                f"{rows} rows in {time.monotonic() - started:.2f} s."
            )
        )
