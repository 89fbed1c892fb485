"""Celery tasks of the follow-ups (beat: salesmodule.settings, README 'Scheduled jobs')."""

from celery import shared_task

from .digest import task_digest_send as digest_send


@shared_task(name="followups.task_digest_send")
def task_digest_send() -> int:
    """The daily task e-mail, at 07:00 (one e-mail per person with overdue or today's tasks)."""
    return digest_send()
