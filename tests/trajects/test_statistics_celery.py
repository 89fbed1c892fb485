"""Regeneration as a whole: the task's reliability, concurrency, readers, retries, beat, and
real Celery workers (one of them killed mid-task)."""

import importlib
import os
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from celery.beat import Scheduler
from django.conf import settings as django_settings
from django.db import connection, connections
from django.urls import reverse

from salesmodule.celery import app
from settings_app.models import TrajectType
from trajects.models import PriceRangeStatistic, StatisticsSet
from trajects.services import (
    STATISTICS_LOCK,
    statistics_regenerate,
    statistics_regeneration_request,
)
from trajects.tasks import TIME_LIMIT, statistics_regenerate_task

from .. import worker
from ..factories import TrajectFactory
from .test_statistics import python_statistics

ROOT = Path(__file__).resolve().parents[2]
LIVE = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("list_defaults"),
]


@pytest.fixture
def list_defaults(transactional_db):
    """The lists' defaults of the data migration: a transactional test may follow a flush."""
    from django.apps import apps

    migration = importlib.import_module("settings_app.migrations.0002_defaults")
    migration.create_defaults(apps, None)


def as_dict(statistics_set):
    return {
        (r.accountmanager_id, r.price_range): (r.closed, r.won, r.lost, r.win_rate)
        for r in statistics_set.rows.all()
    }


def expected_now():
    return {key: value[:4] for key, value in python_statistics([500, 1000, 5000]).items()}


def make_closed(am, other_am, count=6):
    order, lost = TrajectType.objects.get(name="Order"), TrajectType.objects.get(name="Lost")
    for i in range(count):
        TrajectFactory(
            accountmanagers=[am] if i % 3 else [am, other_am],
            type=order if i % 2 else lost,
            value=Decimal(400 + 700 * i),
        )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class TestTaskConfiguration:
    def test_reliability(self):
        assert statistics_regenerate_task.acks_late is True
        assert statistics_regenerate_task.reject_on_worker_lost is True
        assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
        assert app.conf.worker_prefetch_multiplier == 1
        # Redis would hand a task still running past the visibility timeout to a second worker.
        assert app.conf.broker_transport_options["visibility_timeout"] > TIME_LIMIT
        assert statistics_regenerate_task.time_limit == TIME_LIMIT

    def test_database_errors_are_retried_with_backoff(self):
        from django.db import InterfaceError, OperationalError

        task = statistics_regenerate_task
        assert set(task.autoretry_for) == {OperationalError, InterfaceError}
        assert task.retry_backoff and task.retry_jitter and task.max_retries >= 3

    def test_beat_runs_it_weekly(self):
        entry = app.conf.beat_schedule["trajects-statistics-weekly"]
        assert entry["task"] == statistics_regenerate_task.name
        assert entry["task"] in app.tasks
        assert entry["schedule"].day_of_week == {0}  # Sunday
        assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}
        scheduler = Scheduler(app, lazy=True)
        scheduler.setup_schedule()
        assert "trajects-statistics-weekly" in scheduler.schedule
        due, next_in = scheduler.schedule["trajects-statistics-weekly"].is_due()
        assert 0 < next_in <= 7 * 24 * 3600
        readme = (ROOT / "README.md").read_text()
        assert "trajects-statistics-weekly" in readme and "Sunday 03:00" in readme


@pytest.mark.django_db
def test_queued_on_commit_and_run_in_process_without_a_broker(
    am, other_am, celery_eager, django_capture_on_commit_callbacks
):
    make_closed(am, other_am)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        statistics_regeneration_request()
        assert StatisticsSet.objects.count() == 0  # nothing before the commit
    assert len(callbacks) == 1
    assert as_dict(StatisticsSet.objects.get()) == expected_now()


class TestConcurrency:
    pytestmark = LIVE

    def test_two_at_once_leave_one_consistent_set(self, am, other_am):
        make_closed(am, other_am)
        barrier = threading.Barrier(2)
        results, errors = [], []

        def regenerate():
            try:
                barrier.wait(timeout=10)
                results.append(statistics_regenerate())
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=regenerate) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert len(results) == 2
        remaining = StatisticsSet.objects.get()  # exactly one set
        assert remaining.pk == max(r.pk for r in results)
        assert as_dict(remaining) == expected_now()
        assert PriceRangeStatistic.objects.exclude(statistics_set=remaining).count() == 0


class TestReaders:
    pytestmark = LIVE

    def test_readers_see_the_old_set_until_the_new_one_is_complete(
        self, am, other_am, tmp_path, settings
    ):
        make_closed(am, other_am, count=3)
        old = statistics_regenerate()
        old_rows = as_dict(old)
        make_closed(am, other_am, count=6)
        pause = tmp_path / "pause"
        pause.touch()
        settings.STATISTICS_TEST_PAUSE_FILE = str(pause)
        done = []
        worker = threading.Thread(
            target=lambda: (done.append(statistics_regenerate()), connections.close_all())
        )
        worker.start()
        try:
            wait_for(Path(f"{pause}.reached").exists, 30, "the regeneration to pause")
            # The new set is written but not committed: a reader sees the whole old set.
            assert StatisticsSet.objects.current().pk == old.pk
            assert list(StatisticsSet.objects.values_list("pk", flat=True)) == [old.pk]
            assert as_dict(StatisticsSet.objects.current()) == old_rows
        finally:
            pause.unlink()
            worker.join(30)
        assert as_dict(StatisticsSet.objects.current()) == expected_now() != old_rows
        assert StatisticsSet.objects.get().pk == done[0].pk


class TestRetry:
    pytestmark = LIVE

    def test_a_lock_wait_that_times_out_is_retried(self, am, other_am, settings):
        """A real database error (lock_timeout while another session holds the lock)."""
        make_closed(am, other_am)
        settings.STATISTICS_LOCK_TIMEOUT = 0.2
        holding, release = threading.Event(), threading.Event()

        def hold_the_lock():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [STATISTICS_LOCK])
                holding.set()
                release.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [STATISTICS_LOCK])
            connection.close()

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        holding.wait(10)
        threading.Timer(0.5, release.set).start()
        # In-process, a retry runs again at once (no countdown): the backoff is a worker's.
        before = app.conf.task_always_eager, app.conf.task_eager_propagates
        app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
        try:
            result = statistics_regenerate_task.apply()
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = before
            release.set()
            holder.join(10)
        assert result.successful(), result.traceback
        assert result.get()["retries"] >= 1
        assert as_dict(StatisticsSet.objects.get()) == expected_now()


# --- real workers ---------------------------------------------------------------------------


def worker_database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{auth + '@' if auth else ''}{host}/{db['NAME']}"


@contextmanager
def celery_worker(name: str, log: Path, pause_file: str = ""):
    """`celery -A salesmodule worker` (prefork, one pool process) on the test database."""
    env = worker.environment(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=worker_database_url(),
        STATISTICS_TEST_PAUSE_FILE=pause_file,
    )
    node = f"{name}@{socket.gethostname()}"
    command = worker.command("-A", "salesmodule", "worker", "-n", node)
    command += ["--pool", "prefork", "--concurrency", "1", "-l", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_for(
            lambda: app.control.ping(destination=[node], timeout=0.5),
            90,
            f"worker {node} to answer (log: {log})",
        )
        yield process, node
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def queue_length() -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(app.conf.task_default_queue)


@pytest.fixture
def broker():
    """A real Redis broker, emptied of earlier tests' messages."""
    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis")
    app.control.purge()
    yield app
    app.control.purge()


@pytest.mark.redis
class TestRealWorkers:
    pytestmark = LIVE

    def test_a_worker_processes_a_queued_regeneration(
        self, broker, client_for, keyuser, am, other_am, tmp_path
    ):
        make_closed(am, other_am)
        client = client_for(keyuser)
        htmx = {"HX-Request": "true", "HX-Target": "progress"}
        with celery_worker("stats1", tmp_path / "worker.log"):
            response = client.post(reverse("admin:trajects_statisticsset_regenerate"), headers=htmx)
            assert response.status_code == 200
            done = wait_for(
                lambda: (
                    (
                        r := client.get(
                            reverse("admin:trajects_statisticsset_progress"), headers=htmx
                        )
                    ).has_header("HX-Refresh")
                    and r
                ),
                60,
                "the progress fragment to report the new set",
            )
            assert "Laatst gegenereerd:" in done.content.decode()
        assert as_dict(StatisticsSet.objects.get()) == expected_now()
        page = client.get(reverse("admin:trajects_statisticsset_changelist")).content.decode()
        assert 'id="statistics-overall"' in page

    def test_a_killed_pool_process_leaves_the_old_set_and_a_new_worker_makes_one_correct_set(
        self, broker, am, other_am, tmp_path, client_for, keyuser
    ):
        make_closed(am, other_am, count=3)
        old = statistics_regenerate()
        old_rows = as_dict(old)
        make_closed(am, other_am, count=6)
        pause = tmp_path / "pause"
        pause.touch()
        reached = Path(f"{pause}.reached")
        log = tmp_path / "worker.log"

        with celery_worker("stats-a", log, pause_file=str(pause)) as (_process, node):
            regeneration = statistics_regeneration_request()  # commits; queued to Redis
            wait_for(reached.exists, 60, f"the task to pause (log: {log})")
            pool_pid = int(reached.read_text())
            # Paused between writing the new set and the swap: readers see the old set whole.
            assert list(StatisticsSet.objects.values_list("pk", flat=True)) == [old.pk]
            assert as_dict(StatisticsSet.objects.current()) == old_rows
            # The settings screen shows the task's own progress report.
            progress = client_for(keyuser).get(
                reverse("admin:trajects_statisticsset_progress"),
                headers={"HX-Request": "true", "HX-Target": "progress"},
            )
            body = progress.content.decode()
            assert '<progress max="3" value="2">' in body and "Bezig met genereren: Opslaan" in body
            # This worker takes no more work; then its pool process dies mid-task.
            app.control.cancel_consumer(
                app.conf.task_default_queue, destination=[node], reply=True, timeout=5
            )
            os.kill(pool_pid, signal.SIGKILL)
            # acks_late + reject_on_worker_lost: the message goes back to the queue.
            wait_for(lambda: queue_length() >= 1, 30, f"the task to be requeued (log: {log})")

        # The dead transaction was rolled back: still the old set, and no stray rows.
        assert list(StatisticsSet.objects.values_list("pk", flat=True)) == [old.pk]
        assert PriceRangeStatistic.objects.exclude(statistics_set=old).count() == 0

        pause.unlink()
        with celery_worker("stats-b", log):
            result = statistics_regenerate_task.AsyncResult(regeneration.task_id)
            assert result.get(timeout=60)["set"] != old.pk
        remaining = StatisticsSet.objects.get()  # one set
        assert remaining.pk != old.pk
        assert remaining.request_number >= regeneration.requested
        assert as_dict(remaining) == expected_now() != old_rows


def test_the_pause_setting_is_off_outside_tests():
    assert django_settings.STATISTICS_TEST_PAUSE_FILE == ""
