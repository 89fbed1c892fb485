"""A real Celery worker takes a task from a real Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker

from salesmodule.celery import app
from salesmodule.celery import ping as ping_task


@pytest.mark.redis
def test_worker_answers_through_redis(settings):
    assert settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER
    assert app.conf.broker_url.startswith("redis")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert ping_task.delay().get(timeout=20) == "pong"


def test_reliability_settings():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] >= 3600
