"""Project settings with development defaults for tests (the environment still wins)."""

import os

os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made from that
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from salesmodule.settings import *  # noqa: E402,F403

# A fast hasher: Django's default spends ~0.3-0.7 s of CPU per password, and the factories give
# every user one (the suite makes thousands). Logging in and the lockout work the same.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
