"""python manage.py demo_logins: print the demo logins that exist in this database."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from salesmodule import demo


class Command(BaseCommand):
    help = "Print the demo logins (for demo databases only)."

    def handle(self, *args, **options):
        User = get_user_model()
        names = sorted(
            User.objects.filter(username__regex=r"^am[0-9]+$").values_list("username", flat=True),
            key=lambda name: int(name[2:]),
        )
        shown = names if len(names) <= 5 else [*names[:5], "…"]
        self.stdout.write("\nDemo logins (demo databases only) — http://127.0.0.1:8000/")
        for login, password, role in demo.demo_logins(shown):
            if login == "…":
                self.stdout.write(f"  … up to {names[-1]}")
                continue
            self.stdout.write(f"  {login:<10} password: {password:<6} {role}")
        self.stdout.write("")
