"""Queries sent ahead (salesmodule.ahead): the same figures, really sent before they are read,
and the connection back to normal afterwards, whatever happened."""

import datetime
import time
from decimal import Decimal

import psycopg
import pytest
from django.db import DataError, connection
from django.db.models import Count, IntegerField, Max
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from salesmodule.ahead import aggregate_ahead, sending_ahead
from trajects.models import Traject

from ..factories import AccountmanagerFactory, TrajectFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world(am, other_am):
    TrajectFactory(value=Decimal("5000"), probability=40, visit_count=3, accountmanagers=[am])
    TrajectFactory(
        value=Decimal("1000"), probability=80, visit_count=1, accountmanagers=[am, other_am]
    )
    TrajectFactory(value=None, probability=10, subject="glazen deuren", accountmanagers=[other_am])


def querysets(am, other_am):
    trajects = Traject.objects.trajects()
    return {
        "all": trajects,
        "keyword": trajects.matching("glazen deuren"),
        "one share": trajects.with_share_for([am]),
        "two shares": trajects.with_share_for([am, other_am]),
        "a month": trajects.in_months([D.today().month], [D.today().year]),
        "none": trajects.none(),
        "nothing matches": trajects.filter(subject="no such traject"),
    }


def test_the_figures_are_those_of_totals(world, am, other_am):
    for name, queryset in querysets(am, other_am).items():
        with sending_ahead():
            ahead = queryset.totals(ahead=True)
            assert dict(ahead) == queryset.totals(), name


@pytest.mark.postgres
def test_golden_totals_sent_ahead(world, am):
    # am's share: € 5.000 at 40 % and half of € 1.000 at 80 %: 2 trajects, kans (40+80)/2 = 60,
    # € 5.500, € 2.000 + € 400 = € 2.400 gewogen, 3 + 1 visits, max 80.
    with sending_ahead():
        ahead = Traject.objects.trajects().with_share_for([am]).totals(ahead=True)
        assert not isinstance(ahead, dict)  # sent, not yet read
        assert ahead["count"] == 2
        assert ahead["avg_probability"] == 60.0
        assert ahead["value"] == Decimal("5500.00")
        assert ahead["weighted"] == Decimal("2400.00")
        assert ahead["visits"] == 4
        assert ahead["max_probability"] == 80


def test_outside_the_scope_it_runs_at_once(world):
    totals = Traject.objects.trajects().totals(ahead=True)
    assert isinstance(totals, dict) and totals["count"] == 3


@pytest.mark.postgres
def test_the_query_runs_while_python_goes_on(world):
    """Sent, not awaited: right after aggregate_ahead returns, another connection sees this
    connection's backend still running the query (it waits for a lock the watcher holds, so
    the overlap does not depend on how busy the machine is)."""
    slow = Traject.objects.filter(pk=Traject.objects.order_by("pk").first().pk)
    figures = {
        "count": Count("pk", output_field=IntegerField()),
        "slept": Max(
            RawSQL("(SELECT 7 FROM pg_advisory_xact_lock(4242))", []), output_field=IntegerField()
        ),
    }
    with connection.cursor() as cursor:  # awaited instead of sent, it fails rather than hangs
        cursor.execute("SET LOCAL lock_timeout = '10s'")
    backend = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with sending_ahead(), psycopg.connect(**params, autocommit=True) as watcher:
        watcher.execute("SELECT pg_advisory_lock(4242)")
        ahead = aggregate_ahead(slow, figures)  # returned while the lock is held: not awaited
        # The server may take a moment to pick the query up: wait for it, not for a fixed time.
        deadline = time.monotonic() + 10
        while True:
            state, query = watcher.execute(
                "SELECT state, query FROM pg_stat_activity WHERE pid = %s", [backend]
            ).fetchone()
            if state == "active" or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        watcher.execute("SELECT pg_advisory_unlock(4242)")
        assert state == "active" and "pg_advisory_xact_lock" in query
        assert dict(ahead) == {"count": 1, "slept": 7}
    assert connection.connection._pipeline is None


@pytest.mark.postgres
def test_the_query_is_logged_with_its_sql(world):
    with CaptureQueriesContext(connection) as captured, sending_ahead():
        dict(Traject.objects.trajects().totals(ahead=True))
    (query,) = captured.captured_queries
    assert query["sql"].startswith("SELECT COUNT(")


@pytest.mark.postgres
def test_left_unread_the_connection_is_back_to_normal(world):
    with sending_ahead():
        ahead = Traject.objects.trajects().totals(ahead=True)
    assert connection.connection._pipeline is None
    assert Traject.objects.count() == 3  # the connection answers the next query
    assert ahead["count"] == 3  # and the answer was kept


@pytest.mark.postgres
def test_an_error_in_the_scope_is_the_one_reported(world):
    with pytest.raises(ZeroDivisionError), sending_ahead():
        Traject.objects.trajects().totals(ahead=True)
        1 / 0  # noqa: B018
    assert connection.connection._pipeline is None
    assert Traject.objects.count() == 3


@pytest.mark.postgres
def test_queries_between_sending_and_reading_get_their_own_answers(world, am):
    with sending_ahead():
        ahead = Traject.objects.trajects().totals(ahead=True)
        assert Traject.objects.filter(subject="glazen deuren").count() == 1
        AccountmanagerFactory()  # a write in between is kept too
        assert ahead["count"] == 3
    assert Traject.objects.trajects().totals()["count"] == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failing_query_reports_its_own_error_and_the_connection_goes_on(world):
    figures = {
        "broken": Max(RawSQL("1 / (probability - probability)", []), output_field=IntegerField())
    }
    with sending_ahead():
        ahead = aggregate_ahead(Traject.objects.all(), figures)
        with pytest.raises(DataError, match="division by zero"):
            ahead["broken"]
    assert connection.connection._pipeline is None
    assert Traject.objects.count() == 3
