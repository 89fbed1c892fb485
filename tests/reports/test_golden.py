"""Golden cases: the reports' figures written out by hand."""

import datetime
from decimal import Decimal

import pytest

from settings_app.models import Stage, TrajectType, WinLossReason
from settings_app.roles import person_name

from ..factories import AccountmanagerFactory, TrajectFactory
from .conftest import read_page, url
from .data import local_moment


@pytest.fixture
def third_am(db):
    return AccountmanagerFactory(username="am_carla")


def outcome_type(outcome):
    return TrajectType.objects.get(outcome=outcome) if outcome != "open" else None


def closed(people, outcome, value, when, *, stage=None, reason=None, **extra):
    return TrajectFactory(
        accountmanagers=people,
        type=TrajectType.objects.get(outcome=outcome),
        value=Decimal(value),
        probability=100 if outcome == "won" else 0,
        closed_at=when,
        closed_from_stage=Stage.objects.get(name=stage) if stage else None,
        win_loss_reason=WinLossReason.objects.get(reason=reason) if reason else None,
        **extra,
    )


def row(page, table, label):
    return next(r for r in page.tables[table] if r["label"] == label)


@pytest.mark.django_db
def test_forecast_shares_of_three_add_up_to_the_cent(client_for, am, other_am, third_am, beheerder):
    # € 100,00 at 50 % in April 2027 over three: waarde 33,34 + 33,33 + 33,33,
    # omzet € 50,00 → 16,67 + 16,67 + 16,66. Won € 0,02 over three in February: 0,01 + 0,01 + 0.
    TrajectFactory(
        accountmanagers=[am, other_am, third_am],
        value=Decimal("100.00"),
        probability=50,
        expected_close=datetime.date(2027, 4, 3),
    )
    closed([am, other_am, third_am], "won", "0.02", local_moment(datetime.date(2027, 2, 28), 600))
    client = client_for(beheerder)
    page = read_page(client.get(url("forecast")).text)
    assert row(page, "forecast-future", "apr 2027")["values"] == ["100.00", "50.00"]
    assert row(page, "forecast-past", "feb 2027")["values"] == ["0.02", "0.00"]
    # Per accountmanager: April's omzet and February's won value.
    page = read_page(client.get(url("forecast", per="accountmanager", measure="omzet")).text)
    april = 1  # columns: mrt 2027, apr 2027, ...
    got = {r["label"]: r["values"][april] for r in page.tables["forecast-people"]}
    assert got == {
        person_name(am): "16.67",
        person_name(other_am): "16.67",
        person_name(third_am): "16.66",
        "Team": "50.00",
    }
    page = read_page(client.get(url("forecast", per="accountmanager", measure="gewonnen")).text)
    february = 11  # columns: mrt 2026 … feb 2027
    got = {r["label"]: r["values"][february] for r in page.tables["forecast-people"]}
    assert got == {
        person_name(am): "0.01",
        person_name(other_am): "0.01",
        person_name(third_am): "0.00",
        "Team": "0.02",
    }
    # The beheerder chooses two: the team is their sum; an accountmanager sees his own part.
    chosen = url("forecast", accountmanager=[other_am.pk, third_am.pk])
    page = read_page(client.get(chosen).text)
    assert row(page, "forecast-future", "apr 2027")["values"] == ["66.66", "33.33"]
    page = read_page(client_for(third_am).get(url("forecast")).text)
    assert row(page, "forecast-future", "apr 2027")["values"] == ["33.33", "16.66"]


@pytest.mark.django_db
def test_winloss_seventy_percent_lost_in_voorstel_for_te_duur(
    client_for, am, other_am, beheerder, sales_select
):
    # Q4 2026: 7 of 10 lost trajects closed from Voorstel, 6 of them "Te duur"; 2 won.
    day = datetime.date(2026, 11, 10)
    for i in range(7):
        closed([am], "lost", "1000.00", local_moment(day, i), stage="Voorstel",
               reason="Te duur" if i < 6 else "Geen budget")  # fmt: skip
    for i in range(3):
        closed([am], "lost", "500.00", local_moment(day, i), stage="Introductie",
               reason="Geen budget")  # fmt: skip
    closed([am, other_am], "won", "333.33", local_moment(day, 0), stage="Onderhandeling",
           reason="Relatie")  # fmt: skip
    closed([am], "won", "100.00", local_moment(day, 0), stage=None, reason=None)
    # Outside the quarter: closed at local midnight of 1 January 2027, and a minute before 1 Oct.
    closed([am], "lost", "9.00", local_moment(datetime.date(2027, 1, 1), 0), stage="Voorstel")
    closed([am], "lost", "9.00", local_moment(datetime.date(2026, 10, 1), -1), stage="Voorstel")

    response = client_for(beheerder).get(url("winloss"))  # default: the last full quarter
    text = response.content.decode()
    assert "K4 2026" in text
    assert "70,0 % verloren in Voorstel, reden Te duur" in text
    page = read_page(text)
    assert row(page, "winloss-stage", "Voorstel")["values"] == [
        "0", "0.00", "0.0", "7", "7000.00", "70.0",
    ]  # fmt: skip
    assert row(page, "winloss-stage", "Introductie")["values"] == [
        "0", "0.00", "0.0", "3", "1500.00", "30.0",
    ]  # fmt: skip
    assert row(page, "winloss-stage", "Onderhandeling")["values"] == [
        "1", "333.33", "50.0", "0", "0.00", "0.0",
    ]  # fmt: skip
    assert row(page, "winloss-stage", "Geen stage")["values"][:3] == ["1", "100.00", "50.0"]
    assert row(page, "winloss-reason", "Te duur")["values"][3:] == ["6", "6000.00", "60.0"]
    assert row(page, "winloss-stage", "Totaal")["values"] == [
        "2", "433.33", "100.0", "10", "8500.00", "100.0",
    ]  # fmt: skip
    # Bob's share of the shared won traject: € 333,33 / 2 → am 166,67, Bob 166,66.
    page = read_page(client_for(other_am).get(url("winloss")).text)
    assert row(page, "winloss-stage", "Onderhandeling")["values"][:3] == ["1", "166.66", "100.0"]
    page = read_page(client_for(am).get(url("winloss")).text)
    assert row(page, "winloss-stage", "Onderhandeling")["values"][:3] == ["1", "166.67", "50.0"]


@pytest.mark.django_db
def test_winloss_without_sales_select_shows_business_types_only(client_for, am, beheerder):
    closed([am], "lost", "10.00", local_moment(datetime.date(2026, 11, 1), 0), stage="Voorstel",
           reason="Te duur")  # fmt: skip
    page = read_page(client_for(beheerder).get(url("winloss")).text)
    assert set(page.tables) == {"winloss-business_type"}
    assert row(page, "winloss-business_type", "EB")["values"][3:] == ["1", "10.00", "100.0"]
