"""The Celery app; configuration comes from Django's settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesmodule.settings")

app = Celery("salesmodule")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="salesmodule.ping")
def ping() -> str:
    """Answer 'pong': proves a worker takes tasks from the broker."""
    return "pong"
