"""Point 3: column headers count, waarde and omzet over the whole column, by the database.

Checked against a plain-Python sum over the raw rows (values, kansen and the links' positions
as stored), with the share rule of DESIGN rule 4 written out here once more in integers.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import Relation
from settings_app.models import Source
from trajects.models import Traject, TrajectAccountmanager

from ..factories import AccountmanagerFactory, TrajectFactory
from .cards import board_columns, header_sums
from .conftest import TODAY, board_url, stage

COLUMNS = ("Geen stage", "Introductie", "Voorstel")


def _part(cents: int, count: int, position: int) -> int:
    """One link's part of an amount in cents: even split, remainder to the first positions."""
    even = cents // count
    return even + (1 if position < cents - even * count else 0)


def expected_headers(business_type, share_user_ids=None, column_of=None) -> dict:
    """{column name: (count, waarde, omzet)} from the raw rows, summed in Python.

    share_user_ids None: whole amounts (every open traject once); else only the trajects of
    those users, each counted once with the sum of their parts."""
    rows = list(
        Traject.objects.filter(
            business_type=business_type, type__outcome="open", deleted_at__isnull=True
        ).values("pk", "value", "probability", "stage__name")
    )
    links: dict[int, list[tuple[int, int]]] = {}
    for link in TrajectAccountmanager.objects.values("traject_id", "user_id", "position"):
        links.setdefault(link["traject_id"], []).append((link["user_id"], link["position"]))
    totals = {name: [0, 0, 0] for name in COLUMNS}
    for row in rows:
        name = row["stage__name"] or "Geen stage"
        mine = links.get(row["pk"], [])
        if share_user_ids is not None:
            chosen = [pos for user, pos in mine if user in share_user_ids]
            if not chosen:
                continue
        totals[name][0] += 1
        if row["value"] is None:
            continue
        cents = int(row["value"] * 100)
        weighted = (cents * row["probability"] + 50) // 100
        if share_user_ids is None or len(mine) == 1:
            totals[name][1] += cents
            totals[name][2] += weighted
        else:
            totals[name][1] += sum(_part(cents, len(mine), pos) for pos in chosen)
            totals[name][2] += sum(_part(weighted, len(mine), pos) for pos in chosen)
    return {
        name: (count, Decimal(value) / 100, Decimal(weighted) / 100)
        for name, (count, value, weighted) in totals.items()
    }


def shown_headers(page: str) -> dict:
    columns = board_columns(page)
    result = {}
    for name in COLUMNS:
        dom_id = "kolom-geen" if name == "Geen stage" else f"kolom-{columns[name]['stage']}"
        count, value, weighted = header_sums(page, dom_id)
        result[name] = (count, Decimal(value), Decimal(weighted))
    return result


@pytest.fixture
def third_am(db):
    return AccountmanagerFactory(username="am_carla")


# -- golden cases, by hand -----------------------------------------------------------------


@pytest.mark.django_db
def test_remainder_cents_go_to_the_first_accountmanager(
    client_for, am, other_am, third_am, beheerder, sales_select, eb
):
    # € 100,00 over three: 33,34 + 33,33 + 33,33; omzet at 50 %: € 50,00 → 16,67 + 16,67 + 16,66.
    TrajectFactory(
        accountmanagers=[am, other_am, third_am],
        business_type=eb,
        value=Decimal("100.00"),
        probability=50,
        stage=stage("Voorstel"),
    )
    voorstel = f"kolom-{stage('Voorstel').pk}"
    assert header_sums(client_for(am).get(board_url()).text, voorstel) == (1, "33.34", "16.67")
    assert header_sums(client_for(other_am).get(board_url()).text, voorstel) == (
        1,
        "33.33",
        "16.67",
    )
    assert header_sums(client_for(third_am).get(board_url()).text, voorstel) == (
        1,
        "33.33",
        "16.66",
    )
    page = client_for(beheerder).get(board_url(business_type=eb.pk)).text
    assert header_sums(page, voorstel) == (1, "100.00", "50.00")
    chosen = board_url(business_type=eb.pk, accountmanager=[other_am.pk, third_am.pk])
    assert header_sums(client_for(beheerder).get(chosen).text, voorstel) == (1, "66.66", "33.33")


@pytest.mark.django_db
def test_headers_cover_the_whole_column_not_the_loaded_cards(
    client_for, am, other_am, beheerder, sales_select, eb
):
    # 60 cards in Voorstel, each € 0,03 shared by am (first) and Bob: am's share 0,02 each.
    for day in range(60):
        TrajectFactory(
            accountmanagers=[am, other_am],
            business_type=eb,
            value=Decimal("0.03"),
            probability=100,
            stage=stage("Voorstel"),
            expected_close=TODAY + datetime.timedelta(days=day),
        )
    TrajectFactory(accountmanagers=[am], business_type=eb, value=None, stage=stage("Voorstel"))
    page = client_for(am).get(board_url(business_type=eb.pk)).text
    columns = board_columns(page)
    assert len(columns["Voorstel"]["cards"]) == 50
    assert header_sums(page, f"kolom-{stage('Voorstel').pk}") == (61, "1.20", "1.20")
    page = client_for(other_am).get(board_url(business_type=eb.pk)).text
    assert header_sums(page, f"kolom-{stage('Voorstel').pk}") == (60, "0.60", "0.60")
    page = client_for(beheerder).get(board_url(business_type=eb.pk)).text
    assert header_sums(page, f"kolom-{stage('Voorstel').pk}") == (61, "1.80", "1.80")
    assert shown_headers(page) == expected_headers(eb)


@pytest.mark.django_db
def test_headers_follow_the_filters(client_for, am, sales_select, eb):
    website = Source.objects.get(name="Website")
    TrajectFactory(
        accountmanagers=[am], business_type=eb, source=website, value=Decimal("10.00"),
        stage=stage("Introductie"), subject="Glazen deuren",
    )  # fmt: skip
    TrajectFactory(
        accountmanagers=[am], business_type=eb, value=Decimal("7.00"), stage=stage("Introductie"),
        expected_close=datetime.date(2027, 5, 2),
    )  # fmt: skip
    intro = f"kolom-{stage('Introductie').pk}"
    get = client_for(am).get
    assert header_sums(get(board_url()).text, intro) == (2, "17.00", "8.50")
    assert header_sums(get(board_url(source=website.pk)).text, intro) == (1, "10.00", "5.00")
    assert header_sums(get(board_url(keyword="glazen")).text, intro) == (1, "10.00", "5.00")
    may = get(board_url(month=5, year=2027)).text
    assert header_sums(may, intro) == (1, "7.00", "3.50")
    # Months × years as in the overview: March of 2027 and 2028, no year = every year.
    assert header_sums(get(board_url(month=[3, 5])).text, intro) == (2, "17.00", "8.50")
    assert header_sums(get(board_url(year=2028)).text, intro) == (0, "0.00", "0.00")


# -- the property: any rows, any choice of accountmanagers ----------------------------------

traject_rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),  # value in cents
        st.integers(min_value=0, max_value=100),  # kans
        st.lists(st.integers(min_value=0, max_value=2), unique=True, max_size=3),  # links
        st.sampled_from(COLUMNS),
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=traject_rows, chosen=st.lists(st.integers(0, 2), unique=True, max_size=3))
def test_headers_equal_a_python_sum_of_the_raw_rows(
    client_for, am, other_am, third_am, beheerder, sales_select, eb, rows, chosen
):
    Traject.objects.all().delete()
    Relation.objects.all().delete()
    people = [am, other_am, third_am]
    for cents, probability, who, column in rows:
        TrajectFactory(
            accountmanagers=[people[i] for i in who],
            business_type=eb,
            value=None if cents is None else Decimal(cents) / 100,
            probability=probability,
            stage=None if column == "Geen stage" else stage(column),
            converted_at=None if not who else datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
        )
    chosen_users = [people[i] for i in chosen]
    url = board_url(business_type=eb.pk, accountmanager=[u.pk for u in chosen_users])
    page = client_for(beheerder).get(url).text
    share_ids = {u.pk for u in chosen_users} or None
    assert shown_headers(page) == expected_headers(eb, share_ids)
    page = client_for(am).get(board_url(business_type=eb.pk)).text
    assert shown_headers(page) == expected_headers(eb, {am.pk})


@pytest.mark.django_db
def test_header_fragment_equals_the_pages_header(client_for, am, other_am, sales_select, eb, nb):
    """The header a move re-renders (board:header, only that column summed) is the page's."""
    from django.urls import reverse

    from settings_app.models import Stage

    elsewhere = Stage.objects.create(name="Alleen NB", order=1)
    elsewhere.business_types.add(nb)
    for index, where in enumerate([None, "Voorstel", "Voorstel", "Introductie", elsewhere]):
        TrajectFactory(
            accountmanagers=[am, other_am][: 1 + index % 2], business_type=eb,
            value=Decimal("10.01") * (index + 1), probability=33,
            stage=where if where is None or isinstance(where, Stage) else stage(where),
        )  # fmt: skip
    client = client_for(am)
    query = {"business_type": eb.pk, "keyword": "Traject"}
    page = client.get(board_url(**query)).text
    for name, column in board_columns(page).items():
        param = column["stage"] or "geen"
        dom_id = f"kolom-{param}"
        fragment = client.get(reverse("board:header"), {**query, "stage": param}).text
        assert header_sums(fragment, dom_id) == header_sums(page, dom_id), name
    assert header_sums(page, "kolom-geen")[0] == 2  # no stage, and a stage of NB only
