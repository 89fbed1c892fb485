"""The report pages: who sees them, whose figures, bad input, charts equal to tables, CSV,
the click-through to the overview, the default periods at month and quarter edges, and a
bounded number of queries."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from settings_app.models import ClientSettings, TrajectType
from settings_app.roles import person_name

from ..factories import AccountmanagerFactory, TrajectFactory
from .conftest import read_page, url
from .data import local_moment

REPORTS = ("forecast", "winloss")
ALL = ("index", "forecast", "forecast_csv", "winloss", "winloss_csv")


def closed(people, outcome, value, when, **extra):
    return TrajectFactory(
        accountmanagers=people,
        type=TrajectType.objects.get(outcome=outcome),
        value=Decimal(value),
        probability=100 if outcome == "won" else 0,
        closed_at=when,
        **extra,
    )


@pytest.fixture
def world(am, other_am):
    """Mine, Bob's, shared, deleted, a lead: open in April 2027, closed in November 2026."""
    april = datetime.date(2027, 4, 10)
    november = local_moment(datetime.date(2026, 11, 5), 600)
    TrajectFactory(accountmanagers=[am], value=Decimal("1000.00"), expected_close=april)
    TrajectFactory(accountmanagers=[other_am], value=Decimal("2000.00"), expected_close=april)
    TrajectFactory(accountmanagers=[am, other_am], value=Decimal("0.03"), expected_close=april)
    TrajectFactory(
        accountmanagers=[am],
        value=Decimal("400.00"),
        expected_close=april,
        deleted_at=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
    )
    TrajectFactory(
        accountmanagers=[am], value=Decimal("800.00"), expected_close=april, converted_at=None
    )
    closed([am], "lost", "10.00", november)
    closed([other_am], "lost", "20.00", november)
    closed(
        [am],
        "lost",
        "40.00",
        november,
        deleted_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
    )


def cell(page, table, label, index=0):
    return next(r for r in page.tables[table] if r["label"] == label)["values"][index]


# -- who sees what ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL)
def test_keyuser_and_nobody_get_404(client_for, keyuser, nobody, name):
    assert client_for(keyuser).get(url(name)).status_code == 404
    assert client_for(nobody).get(url(name)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL)
def test_sales_roles_get_every_page(client_for, am, beheerder, name):
    assert client_for(am).get(url(name)).status_code == 200
    assert client_for(beheerder).get(url(name)).status_code == 200


@pytest.mark.django_db
def test_topbar_shows_rapportages_to_the_sales_roles_only(client_for, am, beheerder, keyuser):
    link = f'href="{reverse("reports:index")}"'
    assert link in client_for(am).get(reverse("trajects:list")).text
    assert link in client_for(beheerder).get(reverse("trajects:list")).text
    assert link not in client_for(keyuser).get(reverse("admin:index")).text


@pytest.mark.django_db
def test_accountmanager_sees_his_own_share_only(client_for, am, other_am, world):
    page = read_page(client_for(am).get(url("forecast")).text)
    assert cell(page, "forecast-future", "apr 2027") == "1000.02"  # 1000 + 0,02 of 0,03
    assert cell(page, "forecast-past", "nov 2026") == "0.00"
    assert cell(page, "forecast-past", "nov 2026", 1) == "10.00"
    # Bob's id in the URL changes nothing, and says so.
    response = client_for(am).get(url("forecast", accountmanager=other_am.pk))
    page = read_page(response.text)
    assert cell(page, "forecast-future", "apr 2027") == "1000.02"
    assert "alleen uw eigen aandeel" in response.text
    page = read_page(client_for(am).get(url("forecast", per="accountmanager")).text)
    assert {r["label"] for r in page.tables["forecast-people"]} == {person_name(am), "Team"}


@pytest.mark.django_db
def test_other_accountmanager_sees_his_own(client_for, other_am, world):
    page = read_page(client_for(other_am).get(url("forecast")).text)
    assert cell(page, "forecast-future", "apr 2027") == "2000.01"
    assert cell(page, "forecast-past", "nov 2026", 1) == "20.00"


@pytest.mark.django_db
def test_beheerder_sees_the_team_and_filters(client_for, am, other_am, beheerder, world):
    client = client_for(beheerder)
    page = read_page(client.get(url("forecast")).text)
    assert cell(page, "forecast-future", "apr 2027") == "3000.03"  # not the deleted, not the lead
    assert cell(page, "forecast-past", "nov 2026", 1) == "30.00"
    page = read_page(client.get(url("forecast", accountmanager=other_am.pk)).text)
    assert cell(page, "forecast-future", "apr 2027") == "2000.01"
    page = read_page(client.get(url("forecast", per="accountmanager", measure="waarde")).text)
    april = 1
    assert cell(page, "forecast-people", person_name(am), april) == "1000.02"
    assert cell(page, "forecast-people", person_name(other_am), april) == "2000.01"
    assert cell(page, "forecast-people", "Team", april) == "3000.03"


@pytest.mark.django_db
def test_business_type_filter(client_for, beheerder, am, nb):
    TrajectFactory(
        accountmanagers=[am], value=Decimal("5.00"), expected_close=datetime.date(2027, 4, 1)
    )
    TrajectFactory(
        accountmanagers=[am], value=Decimal("7.00"), expected_close=datetime.date(2027, 4, 1),
        business_type=nb,
    )  # fmt: skip
    page = read_page(client_for(beheerder).get(url("forecast", business_type=nb.pk)).text)
    assert cell(page, "forecast-future", "apr 2027") == "7.00"


@pytest.mark.django_db
def test_deactivated_accountmanager_stays_marked(client_for, beheerder, am):
    TrajectFactory(
        accountmanagers=[am], value=Decimal("5.00"), expected_close=datetime.date(2027, 4, 1)
    )
    am.is_active = False
    am.save()
    response = client_for(beheerder).get(url("forecast", per="accountmanager"))
    assert f"{person_name(am)} (oud-medewerker)" in {
        r["label"] for r in read_page(response.text).tables["forecast-people"]
    }


# -- the click-through -----------------------------------------------------------------------


@pytest.mark.django_db
def test_open_figures_link_to_exactly_their_trajects(client_for, am, other_am, beheerder, world):
    for user, params in ((beheerder, {}), (beheerder, {"accountmanager": other_am.pk}), (am, {})):
        client = client_for(user)
        for per in ("team", "accountmanager"):
            page = read_page(client.get(url("forecast", per=per, **params)).text)
            table = "forecast-future" if per == "team" else "forecast-people"
            followed = 0
            for line in page.tables[table]:
                for value, link in zip(line["values"], line["links"], strict=True):
                    if not link:
                        continue
                    listing = client.get(link).context["listing"]
                    figure = Decimal(value)
                    assert figure in (listing.totals["value"], listing.totals["weighted"]), link
                    followed += 1
            assert followed


# -- chart and table -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("per", ["team", "accountmanager"])
def test_forecast_chart_equals_its_table(client_for, beheerder, world, per):
    page = read_page(client_for(beheerder).get(url("forecast", per=per)).text)
    bars = {(b["data-series"], b["data-category"]): Decimal(b["data-value"]) for b in page.bars}
    assert bars and any(bars.values())
    if per == "team":
        for line in page.tables["forecast-past"][:-1]:
            assert bars[("Gewonnen", line["label"])] == Decimal(line["values"][0])
            assert bars[("Verloren", line["label"])] == Decimal(line["values"][1])
        for line in page.tables["forecast-future"][:-1]:
            assert bars[("Waarde open", line["label"])] == Decimal(line["values"][0])
            assert bars[("Omzet open", line["label"])] == Decimal(line["values"][1])
        assert len(bars) == 4 * 24
    else:
        rows = page.tables["forecast-people"][:-1]
        assert sorted(bars.values()) == sorted(Decimal(r["values"][-1]) for r in rows)
        assert {c for _s, c in bars} == {r["label"] for r in rows}


@pytest.mark.django_db
def test_winloss_charts_equal_their_tables(client_for, beheerder, world, sales_select):
    page = read_page(client_for(beheerder).get(url("winloss", period="2026-K4")).text)
    bars = {(b["data-series"], b["data-category"]): int(b["data-value"]) for b in page.bars}
    assert bars and any(bars.values())
    for name in ("stage", "reason", "business_type"):
        for line in page.tables[f"winloss-{name}"][:-1]:
            assert bars[("Gewonnen", line["label"])] == int(line["values"][0])
            assert bars[("Verloren", line["label"])] == int(line["values"][3])


# -- CSV and print -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_carries_the_table(client_for, beheerder, world, sales_select):
    response = client_for(beheerder).get(url("forecast_csv"))
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert "apr 2027;3000,03;" in text
    response = client_for(beheerder).get(url("winloss_csv", period="2026-K4"))
    text = response.content.decode("utf-8")
    assert "EB;0;0,00;0,0;2;30,00;100,0" in text


@pytest.mark.django_db
def test_pages_have_a_print_layout_and_accessible_tables(client_for, beheerder, world):
    text = client_for(beheerder).get(url("forecast")).text
    assert "css/reports.css" in text
    assert '<caption id="forecast-future-caption">' in text
    assert 'scope="col"' in text and 'scope="row"' in text
    assert 'role="img"' in text and "<title" in text
    from django.contrib.staticfiles import finders

    assert "@media print" in Path(finders.find("css/reports.css")).read_text()


# -- periods at the edges ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "month", "quarter"),
    [
        # 31 March 23:59 in Amsterdam (summer time: UTC+2) is still March and Q1.
        (datetime.datetime(2027, 3, 31, 21, 59, tzinfo=datetime.UTC), "mrt 2027", "K4 2026"),
        # A minute later it is April: the forecast turns, the last full quarter is Q1.
        (datetime.datetime(2027, 3, 31, 22, 0, tzinfo=datetime.UTC), "apr 2027", "K1 2027"),
        (datetime.datetime(2026, 12, 31, 22, 59, tzinfo=datetime.UTC), "dec 2026", "K3 2026"),
        (datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.UTC), "jan 2027", "K4 2026"),
    ],
)
def test_default_periods_at_month_and_quarter_edges(
    client_for, beheerder, am, time_machine, moment, month, quarter
):
    time_machine.move_to(moment, tick=False)
    page = read_page(client_for(beheerder).get(url("forecast")).text)
    assert page.tables["forecast-future"][0]["label"] == month
    assert f"Gesloten in {quarter}" in client_for(beheerder).get(url("winloss")).text


@pytest.mark.django_db
def test_closing_at_local_midnight_counts_in_the_new_month(client_for, beheerder, am):
    closed([am], "won", "1.00", local_moment(datetime.date(2027, 1, 1), 0))
    closed([am], "won", "2.00", local_moment(datetime.date(2027, 1, 1), -1))
    page = read_page(client_for(beheerder).get(url("forecast")).text)
    assert cell(page, "forecast-past", "jan 2027") == "1.00"
    assert cell(page, "forecast-past", "dec 2026") == "2.00"


# -- bad input -------------------------------------------------------------------------------

BAD = [
    {"period": "2027-13"},
    {"period": "２０２７-03"},
    {"period": "٢٠٢٧"},
    {"period": "x" * 5000},
    {"period": "9999-K4"},
    {"period": "2027-K5"},
    {"period": "\x00"},
    {"accountmanager": "abc"},
    {"accountmanager": "99999999999999999999999"},
    {"accountmanager": "²"},
    {"accountmanager": ["1"] * 80},
    {"business_type": "٣"},
    {"business_type": "424242"},
    {"per": "🙂"},
    {"measure": "x" * 3000},
]


@pytest.mark.django_db
@pytest.mark.parametrize("params", BAD)
@pytest.mark.parametrize("name", ["forecast", "winloss", "forecast_csv", "winloss_csv"])
def test_bad_input_gives_a_message_never_a_500(client_for, beheerder, params, name):
    response = client_for(beheerder).get(url(name, **params))
    assert response.status_code == 200
    if not name.endswith("csv"):
        assert 'class="notices"' in response.text


# -- queries ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", REPORTS)
def test_query_count_does_not_grow_with_the_data(
    client_for, beheerder, am, other_am, sales_select, django_assert_max_num_queries, name
):
    client = client_for(beheerder)
    client.get(url(name))  # the session and the roles warm
    for i in range(30):
        person = AccountmanagerFactory()
        TrajectFactory(
            accountmanagers=[person, am], value=Decimal(i), expected_close=datetime.date(2027, 4, 1)
        )
        closed([person, other_am], "lost", "3.00", local_moment(datetime.date(2026, 11, 1), i))
    for per in ("team", "accountmanager"):
        with django_assert_max_num_queries(12):
            assert client.get(url(name, per=per, period="2026-K4")).status_code == 200


@pytest.mark.django_db
def test_sales_select_for_one_user_shows_stages_to_him(client_for, am, beheerder):
    from settings_app.services import user_settings_set

    closed([am], "lost", "1.00", local_moment(datetime.date(2026, 11, 1), 0))
    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": False})
    user_settings_set(user=am, accountmanager=True, sales_select=True)
    assert "winloss-stage" in read_page(client_for(am).get(url("winloss")).text).tables
    assert "winloss-stage" not in read_page(client_for(beheerder).get(url("winloss")).text).tables
