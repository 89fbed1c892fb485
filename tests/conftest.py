"""Shared fixtures: an accountmanager, a second accountmanager, a beheerder and a key-user.

Tests marked postgres, redis or browser skip with a reason when the service is absent and fail
instead when REQUIRE_SERVICES=1 (CI).

TEST_CLOCK=2028-02-29 runs the whole suite with the clock moved to that day (noon UTC, ticking),
to show that no test depends on today's date (`make test-dates` runs the four awkward ones).
"""

import importlib
import os
import shutil
import socket
from urllib.parse import urlsplit

import factory.random
import pytest
from django.db import connection

from settings_app.models import BusinessType, ClientSettings
from settings_app.services import keyuser_group_ensure, user_settings_set

from .factories import AccountmanagerFactory, BeheerderFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TEST_CLOCK = os.environ.get("TEST_CLOCK", "")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True, scope="session")
def _test_clock():
    """Move the clock to TEST_CLOCK (an ISO date) for the whole run, when it is set."""
    if not TEST_CLOCK:
        yield
        return
    import datetime

    import time_machine

    day = datetime.date.fromisoformat(TEST_CLOCK)
    moment = datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=True):
        yield


def _redis_reachable() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return None
    except OSError as exc:
        return f"Redis at {url} is unreachable: {exc}"


def _missing(marker: str) -> str | None:
    if marker == "postgres":
        if connection.vendor != "postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres:///salesmodule"
    elif marker == "redis":
        return _redis_reachable()
    elif marker == "browser" and not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(autouse=True)
def _require_services(request):
    for marker in ("postgres", "redis", "browser"):
        if request.node.get_closest_marker(marker):
            reason = _missing(marker)
            if reason and REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
            if reason:
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _client_defaults(request):
    """Put back the data migration's defaults after a transactional test flushed them."""
    if not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("_django_db_helper")  # the database as the marker asks for it
    from django.apps import apps

    from settings_app.models import TrajectType

    if not TrajectType.objects.exists():
        defaults = importlib.import_module("settings_app.migrations.0002_defaults")
        defaults.create_defaults(apps, None)


@pytest.fixture(autouse=True)
def _same_fake_names():
    """Every test gets the same fake names on every run, so a name that needs escaping fails
    the test that forgot it here too, not only on the CI machine."""
    factory.random.reseed_random("salesmodule")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Generated files (quote PDFs, logos) go to a temporary folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def am(db):
    """An accountmanager (DB79)."""
    return AccountmanagerFactory(username="am_anna")


@pytest.fixture
def other_am(db):
    """A second accountmanager."""
    return AccountmanagerFactory(username="am_bob")


@pytest.fixture
def beheerder(db):
    """A sales beheerder (SE818)."""
    return BeheerderFactory(username="beheerder_bea")


@pytest.fixture
def keyuser(db):
    """A key-user: staff with the settings permissions, no sales role."""
    user = UserFactory(username="keyuser_kees", is_staff=True)
    user.groups.add(keyuser_group_ensure())
    user_settings_set(user=user)
    return user


@pytest.fixture
def nobody(db):
    """A logged-in user with neither sales setting."""
    return UserFactory(username="plain_piet")


@pytest.fixture
def client_for(client):
    """Log a client in as the given user: client_for(am).get(...)."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, also when REDIS_URL points at a broker."""
    from salesmodule.celery import app
    from workflows.celery import app as workflows_app

    before = app.conf.task_always_eager, workflows_app.conf.task_always_eager
    app.conf.task_always_eager = workflows_app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager, workflows_app.conf.task_always_eager = before


# Sales Select and the two default business types (the board and the reports tests).
@pytest.fixture
def sales_select(db):
    """Sales Select (SE3573) on for the whole client."""
    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": True})


@pytest.fixture
def eb(db):
    return BusinessType.objects.get(code="EB")


@pytest.fixture
def nb(db):
    return BusinessType.objects.get(code="NB")
