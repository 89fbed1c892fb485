"""Issue 15, "Done when": a real Celery worker on Redis runs the workflows' queue.

- the same task delivered twice, and retried, applies each action once;
- a worker killed (SIGKILL, the whole worker) at a controlled point and a new one started
  leaves every action applied exactly once and the e-mail sent at most once;
- a failing SMTP server is retried and then recorded.

The e-mail goes to a small SMTP server in this process that can refuse (421) a number of
connections first; the worker's pause hook (WORKFLOW_TEST_PAUSE_FILE) holds it between two
actions, or after an e-mail is marked started and before it is sent.
"""

import os
import signal
import socket
import socketserver
import subprocess
import threading
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from followups.models import Task
from trajects import services
from trajects.models import DossierEntry, DossierKind
from workflows.celery import QUEUE
from workflows.celery import app as workflows_app
from workflows.models import ActionRun, ActionState, Run
from workflows.tasks import workflow_run

from .. import worker
from ..factories import ContactFactory, TrajectFactory
from .conftest import rule_make, stage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("list_defaults", "sales_select"),
]


@pytest.fixture
def list_defaults(transactional_db):
    """The lists' defaults of the data migration: a transactional test may follow a flush."""
    import importlib

    from django.apps import apps

    importlib.import_module("settings_app.migrations.0002_defaults").create_defaults(apps, None)


@pytest.fixture(autouse=True)
def frozen_clock():
    """Overrides the package's frozen clock: a worker in another process keeps the real one."""


class SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
            refuse = server.connections <= server.refuse_first
        if refuse:
            self.wfile.write(b"421 busy, try again later\r\n")
            return
        self.wfile.write(b"220 test ESMTP\r\n")
        data, recipients = None, []
        while line := self.rfile.readline():
            if data is not None:
                if line == b".\r\n":
                    with server.lock:
                        server.messages.append((recipients, b"".join(data)))
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO", b"MAIL", b"RSET", b"NOOP"):
                self.wfile.write(b"250 ok\r\n")
            elif command == b"RCPT":
                recipients.append(line[8:].strip().decode())
                self.wfile.write(b"250 ok\r\n")
            elif command == b"DATA":
                data = []
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"500 what\r\n")


@contextmanager
def smtp_server(refuse_first: int = 0):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.connections, server.refuse_first, server.messages = 0, refuse_first, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition, timeout: float, what: str):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{auth + '@' if auth else ''}{host}/{db['NAME']}"


@contextmanager
def workflow_worker(name: str, log: Path, smtp_port: int, pause_file: str = ""):
    """`celery -A workflows.celery worker -Q workflows` in its own process group."""
    env = worker.environment(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        WORKFLOW_TEST_PAUSE_FILE=pause_file,
        WORKFLOW_VISIBILITY_TIMEOUT="3",
        WORKFLOW_RETRY_DELAY="0.2",
        WORKFLOW_MAX_RETRIES="2",
    )
    node = f"{name}@{socket.gethostname()}"
    command = worker.command("-A", "workflows.celery", "worker", "-Q", QUEUE, "-n", node)
    command += ["--pool", "prefork", "--concurrency", "1", "-l", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        wait_for(
            lambda: workflows_app.control.ping(destination=[node], timeout=0.5),
            90,
            f"worker {node} to answer (log: {log})",
        )
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture
def broker():
    """The workflows' queue on a real Redis, emptied of earlier tests' messages."""
    assert not workflows_app.conf.task_always_eager
    assert workflows_app.conf.broker_url.startswith("redis")
    with workflows_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete(QUEUE, "workflows_unacked", "workflows_unacked_index")
    yield workflows_app
    with workflows_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete(QUEUE, "workflows_unacked", "workflows_unacked_index")


@pytest.fixture
def traject(am):
    contact = ContactFactory(first_name="Jan", last_name="Jansen", email="jan@klant.example")
    return TrajectFactory(
        subject="Glazen deuren",
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        stage=stage("Introductie"),
        value=Decimal("1000.00"),
    )


ACTIONS = [
    {"kind": "task", "title": "Offerte nabellen", "days": 3},
    {"kind": "email", "recipients": "contact", "title": "Voorstel {onderwerp}", "text": "Beste"},
    {"kind": "note", "text": "Voorstel verstuurd"},
]


def move(traject, am):
    """The user's save: committed at once (a transactional test), the rule queued after it."""
    services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
    return wait_for(lambda: Run.objects.filter(traject=traject).first(), 10, "the run")


def applied(traject) -> tuple[int, int]:
    tasks = Task.objects.filter(traject=traject).count()
    notes = DossierEntry.objects.filter(traject=traject, kind=DossierKind.NOTE).count()
    return tasks, notes


def finished(run):
    return Run.objects.filter(pk=run.pk, finished_at__isnull=False).exists()


def test_delivered_twice_and_retried_each_action_once(broker, am, traject, tmp_path):
    rule_make(stage=stage("Voorstel"), actions=ACTIONS)
    # The SMTP server refuses the first connection: the task fails at the e-mail, is retried,
    # and the retry skips the task already made.
    with smtp_server(refuse_first=1) as smtp:
        run = move(traject, am)  # queued once by the change …
        workflow_run.delay(run.pk)  # … and delivered a second time
        with workflow_worker("wf-twice", tmp_path / "worker.log", smtp.server_address[1]):
            wait_for(lambda: finished(run), 60, "the run to finish")
            wait_for(lambda: len(smtp.messages) >= 1, 10, "the e-mail")
            # Both deliveries are done with; nothing more comes.
            wait_for(lambda: not Run.objects.filter(pk=run.pk, finished_at=None).exists(), 5, "")
        assert smtp.connections == 2  # refused once, sent once
        assert [recipients for recipients, _body in smtp.messages] == [["<jan@klant.example>"]]
    assert applied(traject) == (1, 1)
    assert sorted(ActionRun.objects.values_list("state", "attempts")) == [
        (ActionState.DONE, 1),
        (ActionState.DONE, 1),
        (ActionState.DONE, 2),
    ]


def killed_and_restarted(traject, am, tmp_path, point: str, smtp):
    rule_make(stage=stage("Voorstel"), actions=ACTIONS)
    pause = tmp_path / "pause"
    pause.write_text(point)
    reached = Path(f"{pause}.reached")
    log = tmp_path / "worker.log"
    port = smtp.server_address[1]
    with workflow_worker("wf-a", log, port, pause_file=str(pause)) as process:
        run = move(traject, am)
        wait_for(reached.exists, 60, f"the worker to pause at {point} (log: {log})")
        os.killpg(process.pid, signal.SIGKILL)  # the whole worker, main process and pool
        process.wait(10)
    pause.unlink()
    # The message was delivered and never acknowledged: after the visibility timeout (3 s
    # here) a new worker gets it again.
    with workflow_worker("wf-b", log, port):
        wait_for(lambda: finished(run), 60, f"the run to finish after the restart (log: {log})")
    return run


def test_killed_between_two_actions_each_applied_exactly_once(broker, am, traject, tmp_path):
    with smtp_server() as smtp:
        killed_and_restarted(traject, am, tmp_path, "after:0", smtp)
        assert len(smtp.messages) == 1
    assert applied(traject) == (1, 1)
    assert set(ActionRun.objects.values_list("state", flat=True)) == {ActionState.DONE}


def test_killed_while_sending_the_email_is_never_sent_twice(
    broker, am, traject, tmp_path, client_for, keyuser
):
    from django.urls import reverse

    with smtp_server() as smtp:
        killed_and_restarted(traject, am, tmp_path, "send:1", smtp)
        assert smtp.messages == []  # marked started, killed before it went: not sent again
    assert applied(traject) == (1, 1)  # the other actions still once each
    assert ActionRun.objects.get(action__kind="email").state == ActionState.UNCONFIRMED
    listing = client_for(keyuser).get(reverse("admin:workflows_actionrun_changelist")).text
    assert "Mogelijk niet verzonden" in listing and "Glazen deuren" in listing


def test_a_failing_smtp_server_is_retried_then_recorded(broker, am, traject, tmp_path):
    rule_make(stage=stage("Voorstel"), actions=ACTIONS)
    with smtp_server(refuse_first=100) as smtp:
        with workflow_worker("wf-fail", tmp_path / "worker.log", smtp.server_address[1]):
            run = move(traject, am)
            wait_for(lambda: finished(run), 60, "the run to give up")
        assert smtp.connections == 3  # the first try and two retries
    failed = ActionRun.objects.get(state=ActionState.FAILED)
    assert failed.attempts == 3 and "421" in failed.error
    assert applied(traject) == (1, 0)  # the note after the e-mail is not done
    line = DossierEntry.objects.get(
        traject=traject, kind=DossierKind.WORKFLOW, data__action="failed"
    )
    assert line.data["workflow"] == "Voorstel opvolgen" and line.data["attempts"] == 3
