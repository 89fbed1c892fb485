"""Two writers at once on SQLite (issue 12, point 9): both are saved, neither gets
"database is locked". Shown on a file database: the in-memory test database has one connection."""

import threading
import time

import environ
import pytest
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from salesmodule.config import database_config


def sqlite_config(monkeypatch, path, url: bool) -> dict:
    """The DATABASES entry the settings build, from DATABASE_URL or the default under var/."""
    if url:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_config(environ.Env(), path)
    assert config["NAME"] == str(path)
    return config | {
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }


def two_writers(config: dict) -> tuple[dict, int]:
    """Two read-then-write transactions that overlap: the first has read when the second
    starts, and writes only after the second had time to write. What each saw, and the end."""
    alias = "two_writers"
    barrier = threading.Barrier(2, timeout=10)
    outcome = {}

    def run(name: str, first: bool):
        connections[alias] = DatabaseWrapper(config, alias)  # thread-local, like Django's own
        try:
            if not first:
                barrier.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                seen = cursor.fetchone()[0]
                if first:
                    barrier.wait()
                    time.sleep(0.3)  # the second has begun (and, unless it waits, written)
                cursor.execute("UPDATE counter SET n = n + 1")
            outcome[name] = seen
        except OperationalError as exc:
            outcome[name] = str(exc)
        finally:
            connections[alias].close()
            del connections[alias]

    setup = DatabaseWrapper(config, alias)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    threads = [
        threading.Thread(target=run, args=("first", True)),
        threading.Thread(target=run, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with setup.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        total = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        outcome["journal_mode"] = cursor.fetchone()[0]
    setup.close()
    return outcome, total


@pytest.mark.parametrize("url", [False, True], ids=["default", "DATABASE_URL"])
def test_the_second_writer_waits_for_the_first(monkeypatch, tmp_path, django_db_blocker, url):
    config = sqlite_config(monkeypatch, tmp_path / "sales.sqlite3", url)
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with django_db_blocker.unblock():  # a database of its own, not the test database
        outcome, total = two_writers(config)
    assert outcome == {"first": 0, "second": 1, "journal_mode": "wal"}
    assert total == 2


def test_without_immediate_the_busy_timeout_does_not_help(monkeypatch, tmp_path, django_db_blocker):
    """Why: a deferred transaction that read first cannot wait to upgrade to writing."""
    config = sqlite_config(monkeypatch, tmp_path / "sales.sqlite3", url=False)
    config["OPTIONS"] = {"timeout": 20}
    with django_db_blocker.unblock():
        outcome, total = two_writers(config)
    assert outcome["first"] == "database is locked"
    assert (outcome["second"], total) == (0, 1)
