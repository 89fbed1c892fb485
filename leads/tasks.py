"""Background work of the leads app."""

from celery import shared_task

from . import services


@shared_task(bind=True, name="leads.import_run")
def lead_import_run_task(self, import_id: int) -> str:
    """Import a previewed lead file; reports progress through the result backend."""

    def progress(done: int, total: int) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    return services.lead_import_run(import_id=import_id, progress=progress).status
