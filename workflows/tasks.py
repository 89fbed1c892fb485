"""The workflow task, on the workflows' own queue and app (workflows.celery)."""

from django.conf import settings
from django.db import InterfaceError, OperationalError

from .celery import app
from .engine import ActionFailed, run_execute


@app.task(
    bind=True,
    name="workflows.run",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.WORKFLOW_MAX_RETRIES,
)
def workflow_run(self, run_id: int) -> None:
    """Do a run's actions; a failing action is tried again with backoff (the delay doubles),
    the last try records it. Actions already done are skipped, whoever delivered the task."""
    if self.request.is_eager:
        # Without a broker (the embedded default) the tries follow each other at once: the
        # user's request that committed the change is waiting, and nothing can run later.
        for attempt in range(self.max_retries + 1):
            try:
                run_execute(run_id=run_id, final=attempt >= self.max_retries)
                return
            except ActionFailed:
                continue
        return
    final = self.request.retries >= self.max_retries
    try:
        run_execute(run_id=run_id, final=final)
    except (ActionFailed, OperationalError, InterfaceError) as exc:
        countdown = settings.WORKFLOW_RETRY_DELAY * (2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc
