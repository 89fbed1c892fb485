"""python manage.py seed_demo [--trajects N] [--force] [--if-empty]"""

import time

from django.core.management.base import BaseCommand, CommandError

from salesmodule import demo
from trajects.models import Traject
from trajects.services import statistics_regenerate


class Command(BaseCommand):
    help = "Create deterministic demo data: users (password 'demo'), relations, leads, trajects."

    def add_arguments(self, parser):
        parser.add_argument("--trajects", type=int, default=3000, help="how many (default 3000)")
        parser.add_argument("--force", action="store_true", help="add even when trajects exist")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (and succeed) when trajects exist"
        )

    def handle(self, *args, trajects, force, if_empty, **options):
        if trajects < 1 or trajects > 20_000_000:
            raise CommandError("--trajects must be between 1 and 20,000,000.")
        if Traject.objects.exists() and not force:
            if if_empty:
                self.stdout.write("Demo data already present; nothing seeded.")
                return
            raise CommandError(
                "The database already holds trajects; seed_demo refuses to add more. "
                "Use --force to add anyway."
            )
        started = time.monotonic()
        plan = demo.seed(trajects=trajects, out=self.stdout.write, progress_out=self.stderr)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {plan.trajects:,} leads and trajects for {plan.accountmanagers} "
                f"accountmanagers in {seconds:.1f} s."
            )
        )
        # The weekly job's statistics at once, so the demo shows the statistische kans.
        statistics_set = statistics_regenerate()
        self.stdout.write(
            f"Price-range statistics: {statistics_set.rows.count()} rows "
            f"(regenerated weekly by Celery beat)."
        )
