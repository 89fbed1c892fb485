"""The management commands: regenerate_statistics and the benchmark."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settings_app.models import TrajectType
from trajects.models import StatisticsSet

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(am, other_am):
    order, lost = TrajectType.objects.get(name="Order"), TrajectType.objects.get(name="Lost")
    TrajectFactory(accountmanagers=[am, other_am], type=order, value=Decimal("750"))
    TrajectFactory(accountmanagers=[am], type=lost, value=Decimal("7500"))


def test_regenerate_statistics_does_the_tasks_work_with_a_progress_bar(closed, am):
    out, err = StringIO(), StringIO()
    call_command("regenerate_statistics", stdout=out, stderr=err)
    statistics_set = StatisticsSet.objects.get()
    assert f"Statistics set {statistics_set.pk} for price ranges 500,1000,5000: 5 rows" in (
        out.getvalue()
    )
    assert "[##############################] 3/3" in err.getvalue()
    call_command("regenerate_statistics", stdout=StringIO(), stderr=StringIO())
    assert StatisticsSet.objects.count() == 1


@pytest.mark.postgres
def test_bench_statistics_prints_the_figures_against_raw_sql(closed):
    out = StringIO()
    call_command("bench_statistics", "--repeat", "1", stdout=out)
    text = out.getvalue()
    for line in [
        "overall: ORM",
        "overall: raw SQL",
        "per accountmanager: ORM",
        "per accountmanager: raw SQL",
        "full regeneration (task's work)",
        "2 closed trajects with a value; 3 accountmanager links",
        "full regeneration / raw SQL of the same aggregates",
    ]:
        assert line in text


def test_bench_statistics_refuses_sqlite(closed):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the refusal is SQLite's")
    with pytest.raises(CommandError, match="measures PostgreSQL"):
        call_command("bench_statistics", stdout=StringIO())
