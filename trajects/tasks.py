"""Background work of the trajects app: the price-range statistics, the recycle bin, exports."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import (
    export_job_run,
    export_jobs_purge,
    statistics_regenerate,
    traject_purge,
)

# The longest a regeneration may run; the broker's visibility timeout must stay above it
# (salesmodule/settings.py), or Redis would hand a running task to a second worker.
SOFT_TIME_LIMIT = 30 * 60
TIME_LIMIT = 35 * 60


@shared_task(
    bind=True,
    name="trajects.statistics_regenerate",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def statistics_regenerate_task(self, request_number: int | None = None) -> dict:
    """Regenerate all price-range statistics as one set (weekly by beat; at once on request).

    Safe to run twice or at once (see services.statistics_regenerate); database errors (a lost
    connection, a lock wait that timed out, a serialisation failure) are retried with backoff.
    """

    def progress(done: int, total: int, step: str) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total, "label": step})

    statistics_set = statistics_regenerate(request_number=request_number, progress=progress)
    return {
        "set": statistics_set.pk,
        "generated_at": statistics_set.generated_at.isoformat(),
        "retries": self.request.retries,
    }


@shared_task(name="trajects.purge_deleted")
def trajects_purge_deleted() -> int:
    """Empty the recycle bin of what is older than the retention (safe to run twice)."""
    return traject_purge()


# A million-row XLSX takes minutes; the broker's visibility timeout stays above this too.
EXPORT_TIME_LIMIT = 60 * 60


@shared_task(
    name="trajects.export_run",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT + 5 * 60,
)
def export_job_run_task(job_id: int) -> int | None:
    """Write the file of a background export (safe to run twice)."""
    job = export_job_run(job_id=job_id)
    return job and job.rows_done


@shared_task(name="trajects.exports_purge")
def export_jobs_purge_task() -> int:
    """Delete expired exports and their files (safe to run twice)."""
    return export_jobs_purge()
