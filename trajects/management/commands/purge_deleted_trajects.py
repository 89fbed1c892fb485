"""Remove for good the trajects deleted longer ago than the recycle bin keeps them."""

from django.core.management.base import BaseCommand

from trajects.models import RECYCLE_BIN_RETENTION, Traject
from trajects.services import traject_purge


class Command(BaseCommand):
    help = "Purge trajects deleted more than 30 days ago (the recycle bin's retention)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be removed"
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            kept = Traject.objects.in_recycle_bin().count()
            doomed = Traject.objects.filter(deleted_at__isnull=False).count() - kept
            self.stdout.write(f"would purge {doomed} traject(s); {kept} stay restorable")
            return
        purged = traject_purge()
        days = RECYCLE_BIN_RETENTION.days
        self.stdout.write(f"purged {purged} traject(s) deleted more than {days} days ago")
