"""Background exports: a large result is written by a Celery task, with a progress page, and
only the user who asked downloads it, for a day."""

import datetime
import io
import os
import socket
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.beat import Scheduler
from openpyxl import load_workbook

from salesmodule.celery import app
from trajects.models import ExportJob
from trajects.services import export_job_create, export_job_run, export_jobs_purge
from trajects.tasks import EXPORT_TIME_LIMIT, export_job_run_task

from .. import worker
from ..factories import TrajectFactory
from .test_statistics_celery import ROOT, list_defaults, wait_for, worker_database_url  # noqa: F401

NOON = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
QUERY = {"cols": ["subject"], "sort": "subject", "dates": "1"}


@pytest.fixture
def four_of_am(am, other_am, settings):
    """Four trajects of am (one shared with other_am), one of other_am; more than 3 is large."""
    settings.EXPORT_BACKGROUND_ROWS = 3
    for index in range(4):
        TrajectFactory(
            subject=f"R{index}",
            accountmanagers=[am, other_am] if index == 0 else [am],
            expected_close=datetime.date(2026, 11, 1),
        )
    TrajectFactory(subject="Van Bob", accountmanagers=[other_am])


def download_lines(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


@pytest.mark.django_db
class TestEager:
    """Without a worker (no Redis: Celery eager) the job runs in the request."""

    @pytest.fixture(autouse=True)
    def _eager(self, celery_eager, time_machine):
        time_machine.move_to(NOON, tick=False)

    def test_a_get_asks_to_start_a_large_export_and_starts_nothing(
        self, client_for, am, four_of_am
    ):
        response = client_for(am).get("/sales/export.xlsx", QUERY)
        assert response.status_code == 200
        page = response.text
        assert "Deze selectie telt meer dan 3 trajecten" in page and 'id="export-start"' in page
        assert not ExportJob.objects.exists()

    def test_a_small_export_is_still_answered_at_once(self, client_for, am, four_of_am, settings):
        settings.EXPORT_BACKGROUND_ROWS = 4
        response = client_for(am).get("/sales/export.xlsx", QUERY)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
            "Onderwerp", "R0", "R1", "R2", "R3",
        ]  # fmt: skip
        assert not ExportJob.objects.exists()

    def test_a_large_csv_streams_in_the_request(self, client_for, am, four_of_am):
        response = client_for(am).get("/sales/export.csv", QUERY)
        assert download_lines(response) == ["Onderwerp", "R0", "R1", "R2", "R3"]
        assert not ExportJob.objects.exists()

    def test_a_large_xlsx_is_a_job_that_only_its_owner_downloads_for_a_day(
        self, client_for, am, other_am, beheerder, four_of_am, django_capture_on_commit_callbacks,
        client, time_machine,
    ):  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(am).post("/sales/export.xlsx?" + urlencode(QUERY))
        job = ExportJob.objects.get()
        assert response.status_code == 302 and response.url == f"/sales/exports/{job.pk}/"
        assert (job.user, job.format, job.status, job.rows_done) == (am, "xlsx", "done", 4)
        assert job.expires_at == NOON + datetime.timedelta(days=1)
        assert job.path.parent.name == "exports" and job.path.is_file()
        page = client.get(response.url).text
        assert 'id="download"' in page and "4 trajecten; te downloaden tot" in page
        download = client.get(f"/sales/exports/{job.pk}/download/")
        assert download["Content-Disposition"].startswith('attachment; filename="trajecten-')
        sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
        assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
            "Onderwerp", "R0", "R1", "R2", "R3",
        ]  # fmt: skip
        # Nobody else sees the job or its file: another accountmanager, not even a beheerder.
        for user in (other_am, beheerder):
            client_for(user)
            assert client.get(f"/sales/exports/{job.pk}/").status_code == 404
            assert client.get(f"/sales/exports/{job.pk}/download/").status_code == 404
        # A day later the file is gone for its owner too.
        client_for(am)
        time_machine.move_to(job.expires_at, tick=False)
        assert client.get(f"/sales/exports/{job.pk}/download/").status_code == 404
        assert "Deze export is verlopen" in client.get(f"/sales/exports/{job.pk}/").text

    def test_asking_twice_while_it_runs_is_one_job(self, am, four_of_am):
        query = "cols=subject&dates=1"
        first = export_job_create(user=am, query=query, export_format="csv")
        assert export_job_create(user=am, query=query, export_format="csv") == first
        assert export_job_create(user=am, query=query, export_format="xlsx") != first
        assert ExportJob.objects.count() == 2

    def test_a_job_run_twice_writes_its_file_once(self, am, four_of_am, django_assert_num_queries):
        job = export_job_create(
            user=am, query="cols=subject&sort=subject&dates=1", export_format="csv"
        )
        export_job_run(job_id=job.pk)
        first = job.path.read_bytes()
        assert first.decode("utf-8-sig").splitlines() == ["Onderwerp", "R0", "R1", "R2", "R3"]
        os.utime(job.path, (0, 0))
        with django_assert_num_queries(1):  # reads the job, sees it done: nothing else
            assert export_job_run(job_id=job.pk).status == "done"
        assert job.path.stat().st_mtime == 0 and job.path.read_bytes() == first
        assert list(job.path.parent.iterdir()) == [job.path]  # no part files left

    def test_the_progress_page_polls_until_the_job_is_done(self, client_for, am):
        job = ExportJob.objects.create(
            user=am, query="dates=1", format="csv", status="running", rows_done=40_000,
            rows_total=100_000, file="exports/x.csv", expires_at=NOON + datetime.timedelta(days=1),
        )  # fmt: skip
        client = client_for(am)
        page = client.get(f"/sales/exports/{job.pk}/").text
        assert '<progress max="100000" value="40000">40%</progress>' in page
        assert "Bezig: 40.000 van 100.000 trajecten (40%)." in page
        assert 'hx-trigger="every 1s"' in page and "<noscript><a href=" in page
        fragment = client.get(
            f"/sales/exports/{job.pk}/", headers={"HX-Request": "true", "HX-Target": "job"}
        ).text
        assert fragment.lstrip().startswith('<div id="job"') and "<html" not in fragment
        ExportJob.objects.filter(pk=job.pk).update(status="failed")
        fragment = client.get(
            f"/sales/exports/{job.pk}/", headers={"HX-Request": "true", "HX-Target": "job"}
        ).text
        assert "every 1s" not in fragment and "De export is mislukt" in fragment

    def test_a_failed_run_says_so_and_leaves_no_file(self, am, four_of_am, monkeypatch):
        from trajects import exports

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(exports, "_csv_write", broken)
        job = export_job_create(user=am, query="dates=1", export_format="csv")
        with pytest.raises(RuntimeError):
            export_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and not job.path.exists()
        assert list(job.path.parent.iterdir()) == []

    def test_the_daily_purge_removes_expired_jobs_and_their_files(
        self, am, four_of_am, time_machine
    ):
        old = export_job_create(user=am, query="dates=1", export_format="csv")
        export_job_run(job_id=old.pk)
        time_machine.move_to(NOON + datetime.timedelta(hours=12), tick=False)
        new = export_job_create(user=am, query="dates=1", export_format="xlsx")
        export_job_run(job_id=new.pk)
        stray = old.path.parent / "left-by-a-killed-run.part"
        stray.write_text("")
        os.utime(stray, (0, 0))
        time_machine.move_to(NOON + datetime.timedelta(days=1, seconds=1), tick=False)
        assert export_jobs_purge() == 1
        assert list(ExportJob.objects.all()) == [new]
        assert sorted(old.path.parent.iterdir()) == [new.path]
        assert export_jobs_purge() == 0  # safe to run twice


def urlencode(query: dict) -> str:
    from urllib.parse import urlencode as encode

    return encode(query, doseq=True)


def test_beat_purges_expired_exports_daily():
    entry = app.conf.beat_schedule["trajects-exports-purge"]
    assert entry["task"] == "trajects.exports_purge" and entry["task"] in app.tasks
    assert entry["schedule"] == 24 * 60 * 60
    scheduler = Scheduler(app, lazy=True)
    scheduler.setup_schedule()
    assert "trajects-exports-purge" in scheduler.schedule
    assert "trajects-exports-purge" in (ROOT / "README.md").read_text()


def test_the_export_task_is_reliable():
    assert export_job_run_task.acks_late and export_job_run_task.reject_on_worker_lost
    assert app.conf.broker_transport_options["visibility_timeout"] > export_job_run_task.time_limit
    assert export_job_run_task.soft_time_limit == EXPORT_TIME_LIMIT


@contextmanager
def export_worker(log: Path, media_root: Path):
    """`celery -A salesmodule worker` on the test database, writing under the test's MEDIA_ROOT."""
    env = worker.environment(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=worker_database_url(),
        MEDIA_ROOT=str(media_root),
    )
    node = f"exports@{socket.gethostname()}"
    command = worker.command("-A", "salesmodule", "worker", "-n", node)
    command += ["--pool", "solo", "-l", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_for(
            lambda: app.control.ping(destination=[node], timeout=0.5), 90, f"worker (log: {log})"
        )
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("list_defaults")
def test_a_worker_writes_a_large_csv_that_only_its_owner_downloads(
    client_for, client, am, other_am, beheerder, four_of_am, settings, tmp_path
):
    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis")
    app.control.purge()
    client_for(am)
    response = client.post("/sales/export.csv?" + urlencode(QUERY))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/sales/exports/{job.pk}/"
    assert 'hx-trigger="every 1s"' in client.get(response.url).text  # queued: no worker yet
    with export_worker(tmp_path / "worker.log", settings.MEDIA_ROOT):
        page = wait_for(
            lambda: 'id="download"' in (text := client.get(response.url).text) and text,
            60,
            f"the job to finish (log: {tmp_path / 'worker.log'})",
        )
    assert "every 1s" not in page
    download = client.get(f"/sales/exports/{job.pk}/download/")
    assert download_lines(download) == ["Onderwerp", "R0", "R1", "R2", "R3"]
    for user in (other_am, beheerder):
        client_for(user)
        assert client.get(f"/sales/exports/{job.pk}/").status_code == 404
        assert client.get(f"/sales/exports/{job.pk}/download/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("list_defaults")
def test_progress_is_seen_by_others_while_the_export_reads_in_its_transaction(
    am, four_of_am, monkeypatch, time_machine
):
    from django.db import connections

    time_machine.move_to(NOON, tick=False)
    from trajects import exports

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    job = ExportJob.objects.create(  # not queued: this test runs it
        user=am, query="cols=subject&dates=1", format="xlsx", file="exports/progress.xlsx",
        expires_at=NOON + datetime.timedelta(days=1),
    )  # fmt: skip
    seen = []
    write = exports._xlsx_write

    def reading_progress_from_another_connection(overview, handle, progress):
        def report(done):
            progress(done)

            def read():
                seen.append(
                    ExportJob.objects.values_list("status", "rows_done", "rows_total").get()
                )
                connections.close_all()

            thread = threading.Thread(target=read)
            thread.start()
            thread.join()

        return write(overview, handle, report)

    monkeypatch.setattr(exports, "_xlsx_write", reading_progress_from_another_connection)
    export_job_run(job_id=job.pk)
    assert seen == [("running", 2, 4), ("running", 4, 4)]
    assert ExportJob.objects.values_list("status", "rows_done").get() == ("done", 4)


class _Rows:
    """A queryset stand-in of `total` rows: in_background only slices and counts it."""

    def __init__(self, total):
        self.total, self.stop = total, None

    def order_by(self):
        return self

    def __getitem__(self, key):
        self.stop = key.stop
        return self

    def count(self):
        return min(self.total, self.stop)


def test_the_shipped_threshold_is_more_than_100_000_rows(monkeypatch, settings):
    """Issue 12, point 16: more than 100,000 rows is a background job (the other tests lower
    the threshold); exactly 100,000 is still answered in the request."""
    import importlib.util

    from trajects.exports import in_background

    monkeypatch.delenv("EXPORT_BACKGROUND_ROWS", raising=False)
    spec = importlib.util.find_spec("salesmodule.settings")
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    assert shipped.EXPORT_BACKGROUND_ROWS == 100_000
    settings.EXPORT_BACKGROUND_ROWS = shipped.EXPORT_BACKGROUND_ROWS
    assert not in_background(_Rows(100_000), "xlsx")
    assert in_background(_Rows(100_001), "xlsx")
    assert in_background(_Rows(1_000_000), "xlsx")
    eager = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False  # a worker: CSV goes to the background too
        assert in_background(_Rows(100_001), "csv")
        assert not in_background(_Rows(100_000), "csv")
        app.conf.task_always_eager = True  # the embedded default: CSV streams in the request
        assert not in_background(_Rows(1_000_000), "csv")
    finally:
        app.conf.task_always_eager = eager
