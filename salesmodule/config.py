"""Reading and checking the environment: a broken variable stops start-up with one clear line."""

import ipaddress
import sys
from urllib.parse import urlsplit

import environ

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}
# SQLite with two writers at once (saving a view while a quote is accepted): a transaction
# that reads and then writes cannot wait for the write lock (the busy timeout does not apply
# to that upgrade) and fails with "database is locked". IMMEDIATE takes the lock at BEGIN,
# where the timeout does apply; WAL lets readers go on beside the one writer.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL;",
}


def fail(message: str) -> None:
    """Stop start-up with one line on stderr, no traceback."""
    sys.stderr.write(f"Configuration error: {message}\n")
    raise SystemExit(2)


def _check_url(name: str, value: str, schemes: set[str]) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError as exc:
        fail(f"{name} is malformed ({exc}): {value!r}")
    if parts.scheme not in schemes:
        fail(f"{name} must start with one of {', '.join(sorted(schemes))}:// (got {value!r})")


def database_config(env: environ.Env, default_sqlite_path) -> dict:
    """The DATABASES['default'] entry from DATABASE_URL, SQLite under var/ when absent."""
    value = env.str("DATABASE_URL", default="").strip()
    if not value:
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    _check_url("DATABASE_URL", value, DATABASE_SCHEMES)
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # environ raises several types for a bad URL
        fail(f"DATABASE_URL is malformed ({exc}): {value!r}")
    if config["ENGINE"].endswith("sqlite3"):
        config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    elif not config.get("NAME"):
        fail(f"DATABASE_URL names no database: {value!r}")
    return config


def redis_url(env: environ.Env) -> str:
    """REDIS_URL, checked; empty when absent (Celery then runs tasks eagerly)."""
    value = env.str("REDIS_URL", default="").strip()
    if value:
        _check_url("REDIS_URL", value, REDIS_SCHEMES)
    return value


def trusted_proxies(env: environ.Env) -> tuple:
    """TRUSTED_PROXIES as networks: the proxies whose X-Forwarded-For names the client."""
    networks = []
    for value in filter(None, (v.strip() for v in env.list("TRUSTED_PROXIES", default=[]))):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            fail(f"TRUSTED_PROXIES must list IP addresses or networks (got {value!r})")
    return tuple(networks)
