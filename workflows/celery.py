"""The workflows' own Celery app: its own queue and a visibility timeout of minutes.

Redis hands an unacknowledged task to another worker after the visibility timeout. The
statistics and export jobs run for hours and need 4 hours (salesmodule.celery); a workflow
takes seconds, and a killed worker's workflow should come back in minutes. The timeout is a
setting of the broker connection, so workflows get an app of their own, with their own
bookkeeping keys in Redis (a short timeout here never restores a running export). Start its
worker with `celery -A workflows.celery worker -Q workflows` (README, docker-compose.yml).
Without REDIS_URL it runs eagerly after commit, like the rest.
"""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesmodule.settings")

QUEUE = "workflows"

app = Celery("workflows", set_as_current=False)  # shared_task stays on salesmodule.celery
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = QUEUE
app.conf.broker_transport_options = {
    "visibility_timeout": settings.WORKFLOW_VISIBILITY_TIMEOUT,
    # Look for abandoned tasks ten times per timeout (kombu's default is every 100 s).
    "unacked_restore_interval": max(1, settings.WORKFLOW_VISIBILITY_TIMEOUT // 10),
    "unacked_restore_throttle": 1,
    "unacked_key": "workflows_unacked",
    "unacked_index_key": "workflows_unacked_index",
    "unacked_mutex_key": "workflows_unacked_mutex",
}
app.autodiscover_tasks(["workflows"])
