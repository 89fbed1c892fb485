"""python manage.py fuzz_urls: the suite's URL fuzzer with a bigger budget, on a test database."""

import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)


class Command(BaseCommand):
    help = (
        "Send every URL pattern, as every role, real ids and field names with bad values, and "
        "report every 500. Runs on its own test database (as the test runner makes it), never "
        "on the configured one. Needs the dev dependencies (hypothesis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20_000, help="the request budget")

    def handle(self, *args, requests, verbosity, **options):
        try:
            import hypothesis  # noqa: F401
        except ImportError as exc:
            raise CommandError("needs hypothesis: pip install -e '.[dev]'") from exc
        from salesmodule import fuzzing
        from salesmodule.celery import app

        def trace(slot, method, url, data, headers, status):
            self.stdout.write(f"{status} {slot.role} {method} {url} {fuzzing._short(data, 200)}")

        setup_test_environment(debug=False)
        app.conf.task_always_eager = True
        media = tempfile.TemporaryDirectory(prefix="fuzz-media-")
        settings.MEDIA_ROOT = media.name
        databases = setup_databases(verbosity=0, interactive=False)
        try:
            self.stdout.write(f"test database made; sending {requests:,} requests")
            report = fuzzing.fuzz_run(requests, trace=trace if verbosity > 1 else None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            teardown_databases(databases, verbosity=0)
            teardown_test_environment()
            media.cleanup()
        self.stdout.write(report.summary())
        problems = []
        if report.failures:
            problems.append(f"{len(report.failures)} distinct 500s")
        if report.unreached():
            problems.append(f"never reached: {report.unreached()}")
        if report.door_leaks():
            problems.append(f"not refused: {report.door_leaks()}")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS("no 500s"))
