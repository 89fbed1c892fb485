"""python manage.py demo_logins [--host H] [--port P]: print the demo logins in this database."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from salesmodule import demo


class Command(BaseCommand):
    help = "Print the demo logins (for demo databases only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default=os.environ.get("HOST") or "127.0.0.1", help="address served on"
        )
        parser.add_argument("--port", default=os.environ.get("PORT") or "8000", help="port")

    def handle(self, *args, host, port, **options):
        User = get_user_model()
        names = sorted(
            User.objects.filter(username__regex=r"^am[0-9]+$").values_list("username", flat=True),
            key=lambda name: int(name[2:]),
        )
        shown = names if len(names) <= 5 else [*names[:5], "…"]
        url = demo.serve_url(host, port)
        self.stdout.write(f"\nDemo logins (demo databases only) — {url}")
        for login, password, role in demo.demo_logins(shown):
            if login == "…":
                self.stdout.write(f"  … up to {names[-1]}")
                continue
            self.stdout.write(f"  {login:<10} password: {password:<6} {role}")
        self.stdout.write("")
