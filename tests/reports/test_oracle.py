"""Each report over HTTP equals a brute-force computation over the raw rows (tests/reports/
oracle.py) on generated data: shares with remainder cents, visibility, deleted trajects and
leads left out, closing moments a minute either side of local midnight at month and quarter
edges, the clock frozen (no test depends on today's date)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import Relation
from settings_app.models import BusinessType
from settings_app.roles import person_name
from trajects.models import Traject

from ..factories import AccountmanagerFactory
from . import oracle
from .conftest import read_page, url
from .data import build, traject_rows

PIVOT = datetime.date(2027, 3, 1)  # the frozen clock's month (conftest: 15 March 2027)
BASE_DAYS = [
    datetime.date(2027, 3, 1),  # a month edge, the current month's first day
    datetime.date(2027, 1, 1),  # a quarter and year edge
    datetime.date(2026, 12, 31),
]
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def third_am(db):
    return AccountmanagerFactory(username="am_carla")


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def forecast_team_page(client, **params) -> dict:
    """{month: [waarde, omzet, gewonnen, verloren]} read from the team view's tables."""
    page = read_page(client.get(url("forecast", **params)).text)
    result = {}
    for row in page.tables["forecast-future"][:-1]:
        result[row["label"]] = [Decimal(row["values"][0]), Decimal(row["values"][1]), 0, 0]
    for row in page.tables["forecast-past"][:-1]:
        result[row["label"]] = [0, 0, Decimal(row["values"][0]), Decimal(row["values"][1])]
    return result


def expected_team(team, pivot) -> dict:
    from reports.filters import month_label

    result = {}
    for i in range(-12, 12):
        month = oracle.add_months(pivot, i)
        value, weighted, won, lost = team.get(month, [0, 0, 0, 0])
        figures = (
            [euros(value), euros(weighted), 0, 0] if i >= 0 else [0, 0, euros(won), euros(lost)]
        )
        result[month_label(month)] = figures
    return result


MEASURE_INDEX = {"waarde": 0, "omzet": 1, "gewonnen": 2, "verloren": 3}


def people_page(client, measure, **params) -> dict:
    page = read_page(
        client.get(url("forecast", per="accountmanager", measure=measure, **params)).text
    )
    return {
        row["label"]: [Decimal(v) for v in row["values"]] for row in page.tables["forecast-people"]
    }


def expected_people(people, team, names, measure, pivot, always=()) -> dict:
    index = MEASURE_INDEX[measure]
    months = [oracle.add_months(pivot, i) for i in (range(12) if index < 2 else range(-12, 0))]
    result = {}
    # A row for whoever has a link in the measure's months, and for the chosen.
    present = {user for user, figures in people.items() if any(m in figures for m in months)}
    for user_id in present | set(always):
        values = [euros(people.get(user_id, {}).get(m, [0, 0, 0, 0])[index]) for m in months]
        result[names[user_id]] = [*values, sum(values)]
    team_values = [euros(team.get(m, [0, 0, 0, 0])[index]) for m in months]
    result["Team"] = [*team_values, sum(team_values)]
    return result


def _reset():
    Traject.objects.all().delete()
    Relation.objects.all().delete()


@pytest.mark.django_db
@PROPERTY
@given(
    rows=traject_rows,
    chosen=st.lists(st.integers(0, 2), unique=True, max_size=3),
    base=st.sampled_from(BASE_DAYS),
    only_nb=st.booleans(),
)
def test_forecast_equals_the_oracle(
    client_for, am, other_am, third_am, beheerder, rows, chosen, base, only_nb
):
    _reset()
    people = [am, other_am, third_am]
    build(rows, people, base)
    names = {p.pk: person_name(p) for p in people}
    bt = (BusinessType.objects.get(code="NB").pk,) if only_nb else ()
    params = {"business_type": list(bt)} if bt else {}
    share = {people[i].pk for i in chosen}

    client = client_for(beheerder)
    by_beheerder = {**params, "accountmanager": sorted(share)}
    people_sums, team = oracle.forecast(beheerder.pk, True, PIVOT, share, bt)
    assert forecast_team_page(client, **by_beheerder) == expected_team(team, PIVOT)
    for measure in MEASURE_INDEX:
        shown = people_page(client, measure, **by_beheerder)
        assert shown == expected_people(people_sums, team, names, measure, PIVOT, share)
        # The team row is the sum of the accountmanagers' rows, to the cent.
        rows_only = [v for name, v in shown.items() if name != "Team"]
        assert [sum(col) for col in zip(*rows_only, strict=True)] == shown["Team"] or not rows_only

    client = client_for(am)
    people_sums, team = oracle.forecast(am.pk, False, PIVOT, {am.pk}, bt)
    assert forecast_team_page(client, **params) == expected_team(team, PIVOT)
    shown = people_page(client, "omzet", **params)
    assert shown == expected_people(people_sums, team, names, "omzet", PIVOT, {am.pk})
    assert set(shown) == {names[am.pk], "Team"}  # his own share only


def winloss_page(client, **params) -> dict:
    page = read_page(client.get(url("winloss", **params)).text)
    result = {}
    for name in ("stage", "reason", "business_type"):
        table = page.tables.get(f"winloss-{name}")
        if table is None:
            continue
        result[name] = {
            row["label"]: [
                int(row["values"][0]),
                int(Decimal(row["values"][1]) * 100),
                Decimal(row["values"][2]),
                int(row["values"][3]),
                int(Decimal(row["values"][4]) * 100),
                Decimal(row["values"][5]),
            ]
            for row in table[:-1]
        }
    return result


@pytest.mark.django_db
@PROPERTY
@given(
    rows=traject_rows,
    chosen=st.lists(st.integers(0, 2), unique=True, max_size=3),
    base=st.sampled_from(BASE_DAYS),
    period=st.sampled_from(["2026-K4", "2027-K1", "2027-01", "2026-12", "2026"]),
)
def test_winloss_equals_the_oracle(
    client_for, am, other_am, third_am, beheerder, sales_select, rows, chosen, base, period
):
    from reports.filters import parse_period

    _reset()
    people = [am, other_am, third_am]
    build(rows, people, base)
    span = parse_period(period, datetime.date(2027, 3, 15))
    share = {people[i].pk for i in chosen}

    shown = winloss_page(client_for(beheerder), period=period, accountmanager=sorted(share))
    expected, totals = oracle.winloss(beheerder.pk, True, span.start, span.end, share)
    for name in ("stage", "reason", "business_type"):
        assert shown.get(name, {}) == expected[name], name

    for person in (am, other_am):
        shown = winloss_page(client_for(person), period=period)
        expected, totals = oracle.winloss(person.pk, False, span.start, span.end, {person.pk})
        for name in ("stage", "reason", "business_type"):
            assert shown.get(name, {}) == expected[name], name
