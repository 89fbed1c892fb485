"""The workflows' own Celery app beside salesmodule.celery (the real worker: test_worker.py)."""

from celery import current_app

from salesmodule.celery import app as main_app
from workflows.celery import QUEUE
from workflows.celery import app as workflows_app
from workflows.tasks import workflow_run


def test_the_main_app_stays_current():
    """shared_task (exports, statistics, the digest) must keep using the main app and queue."""
    assert current_app.main == "salesmodule"
    assert current_app.conf.task_default_queue != QUEUE


def test_own_queue_and_a_timeout_of_minutes():
    options = workflows_app.conf.broker_transport_options
    assert workflows_app.conf.task_default_queue == QUEUE and workflow_run.app is workflows_app
    assert 60 <= options["visibility_timeout"] <= 600  # minutes, not the long jobs' hours
    assert main_app.conf.broker_transport_options["visibility_timeout"] == 4 * 3600
    assert options["unacked_key"] != "unacked"  # a short timeout never restores a long job
    assert workflow_run.acks_late and workflow_run.reject_on_worker_lost
