"""Start-up with a broken environment: one clear line naming the variable, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysqlx://host/db"),
        ("DATABASE_URL", "postgres://localhost:notaport/db"),
        ("DATABASE_URL", "postgres://localhost"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://localhost:port/0"),
        ("DEBUG", "maybe"),
    ],
)
def test_malformed_variable_stops_start_up_with_one_line(name, value):
    result = run_manage(
        "check", **{name: value, "DEBUG": "1"} if name != "DEBUG" else {name: value}
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]


def test_missing_secret_key_in_production_is_one_line():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is off"


def test_check_deploy_with_production_like_environment_is_clean():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "Zx9!-production-like-secret-with-enough-variety-1234567890",
        ALLOWED_HOSTS="sales.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_celery_runs_eagerly_without_redis(settings):
    from salesmodule.celery import ping

    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.REDIS_URL)
    if not settings.REDIS_URL:
        assert ping.delay().get() == "pong"


def test_bare_manage_py_is_the_developers_tool():
    """Without any variable, manage.py runs in development mode on SQLite."""
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_config_loads_with_threaded_workers_and_is_used_by_the_images():
    """gunicorn.conf.py is valid for gunicorn itself (--check-config loads it and the app), its
    workers are threaded with a timeout that lets a streamed export finish, and the Dockerfile
    and docker-compose.yml start gunicorn with it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(DEBUG="1", WEB_WORKERS="2")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "--print-config", "-c", "gunicorn.conf.py",
         "salesmodule.wsgi"],
        cwd=root, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    printed = dict(
        (name.strip(), value.strip())
        for name, _sep, value in (line.partition("=") for line in result.stdout.splitlines())
    )
    assert printed["worker_class"] == "gthread" and printed["workers"] == "2"
    assert int(printed["timeout"]) >= 60 and int(printed["threads"]) > 1
    for name in ("Dockerfile", "docker-compose.yml"):
        assert "--config gunicorn.conf.py" in (root / name).read_text().replace('", "', " ")
