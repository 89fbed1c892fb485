"""The overview's queryset methods: months × years, shares, price ranges, keyword, totals."""

import datetime
from decimal import Decimal

import pytest

from trajects.models import Traject, accountmanager_names_of, close_ranges, page_totals_of

from ..factories import ContactFactory, RelationFactory, TrajectFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def subjects(queryset):
    return set(queryset.values_list("subject", flat=True))


def test_close_ranges_merge_adjacent_months_across_years():
    assert close_ranges([11, 12, 1], [2025, 2026]) == [
        (D(2025, 1, 1), D(2025, 2, 1)),
        (D(2025, 11, 1), D(2026, 2, 1)),
        (D(2026, 11, 1), D(2027, 1, 1)),
    ]
    assert close_ranges([], [2025]) == [(D(2025, 1, 1), D(2026, 1, 1))]
    assert close_ranges([], [2024, 2025]) == [(D(2024, 1, 1), D(2026, 1, 1))]


class TestInMonths:
    """DESIGN rule 2: months × years; no month = whole years; no year = every year."""

    @pytest.fixture(autouse=True)
    def world(self, am):
        for day in [
            D(2024, 3, 31),
            D(2025, 3, 1),
            D(2025, 3, 31),
            D(2025, 4, 1),
            D(2025, 12, 31),
            D(2026, 1, 1),
            D(2026, 3, 15),
        ]:
            TrajectFactory(subject=day.isoformat(), expected_close=day, accountmanagers=[am])

    def test_one_month_of_one_year_is_half_open(self):
        qs = Traject.objects.in_months([3], [2025])
        assert subjects(qs) == {"2025-03-01", "2025-03-31"}

    def test_months_times_years(self):
        qs = Traject.objects.in_months([3, 4], [2025, 2026])
        assert subjects(qs) == {"2025-03-01", "2025-03-31", "2025-04-01", "2026-03-15"}

    def test_no_month_means_whole_years(self):
        qs = Traject.objects.in_months([], [2025])
        assert subjects(qs) == {"2025-03-01", "2025-03-31", "2025-04-01", "2025-12-31"}

    def test_no_year_means_every_year(self):
        qs = Traject.objects.in_months([3], [])
        assert subjects(qs) == {"2024-03-31", "2025-03-01", "2025-03-31", "2026-03-15"}

    def test_december_and_january_across_the_year_end(self):
        qs = Traject.objects.in_months([12, 1], [2025, 2026])
        assert subjects(qs) == {"2025-12-31", "2026-01-01"}

    def test_both_cleared_is_every_date(self):
        assert Traject.objects.in_months([], []).count() == 7


class TestShares:
    """DESIGN rule 4: value / N per chosen accountmanager, in cents, summed over the chosen."""

    @pytest.fixture
    def third_am(self):
        from ..factories import AccountmanagerFactory

        return AccountmanagerFactory(username="am_cor")

    def test_a_shared_traject_shows_half_to_each(self, am, other_am):
        TrajectFactory(value=Decimal("5000"), probability=50, accountmanagers=[am, other_am])
        mine = Traject.objects.with_share_for([am]).get()
        assert mine.share_value == Decimal("2500.00")
        assert mine.share_weighted == Decimal("1250.00")
        theirs = Traject.objects.with_share_for([other_am]).get()
        assert theirs.share_value == Decimal("2500.00")
        both = Traject.objects.with_share_for([am, other_am]).get()
        assert both.share_value == Decimal("5000.00")
        whole = Traject.objects.with_share_for([]).get()
        assert whole.share_value == Decimal("5000.00")

    def test_thirds_share_the_remainder_cent_with_the_first(self, am, other_am, third_am):
        TrajectFactory(
            value=Decimal("1000"), probability=30, accountmanagers=[am, other_am, third_am]
        )
        one = Traject.objects.with_share_for([am]).get()
        assert one.share_value == Decimal("333.34")
        assert one.share_weighted == Decimal("100.00")
        two = Traject.objects.with_share_for([other_am, third_am]).get()
        assert two.share_value == Decimal("666.66")

    def test_only_the_chosen_accountmanagers_trajects(self, am, other_am):
        TrajectFactory(subject="mine", accountmanagers=[am])
        TrajectFactory(subject="theirs", accountmanagers=[other_am])
        assert subjects(Traject.objects.with_share_for([am])) == {"mine"}

    def test_totals_of_shares_count_a_shared_traject_once(self, am, other_am):
        TrajectFactory(
            value=Decimal("5000"), probability=40, visit_count=3, accountmanagers=[am, other_am]
        )
        TrajectFactory(value=Decimal("1000"), probability=80, visit_count=1, accountmanagers=[am])
        both = Traject.objects.with_share_for([am, other_am]).totals()
        assert both["count"] == 2
        assert both["value"] == Decimal("6000.00")
        assert both["weighted"] == Decimal("2800.00")
        assert both["visits"] == 4  # visits are never split
        assert round(both["avg_probability"]) == 60
        mine = Traject.objects.with_share_for([am]).totals()
        assert mine["value"] == Decimal("3500.00")
        assert mine["weighted"] == Decimal("1800.00")
        assert mine["visits"] == 4
        theirs = Traject.objects.with_share_for([other_am]).totals()
        assert theirs["value"] == Decimal("2500.00") and theirs["count"] == 1

    def test_month_through_the_link_tables_copy(self, am, other_am):
        TrajectFactory(subject="nov", expected_close=D(2026, 11, 5), accountmanagers=[am])
        TrajectFactory(subject="oct", expected_close=D(2026, 10, 5), accountmanagers=[am])
        qs = Traject.objects.in_months([11], [2026]).with_share_for([am])
        assert subjects(qs) == {"nov"}


class TestGoldenShares:
    """DESIGN rule 4, by hand: the shares of one traject add up exactly to its value and its
    weighted value; the remainder cents go to the accountmanagers in the order they were added."""

    @pytest.fixture
    def seven(self, am, other_am):
        from ..factories import AccountmanagerFactory

        return [am, other_am, *(AccountmanagerFactory(username=f"am_{n}") for n in range(5))]

    def shares(self, people):
        return [
            (row.share_value, row.share_weighted)
            for row in (Traject.objects.with_share_for([user]).get() for user in people)
        ]

    def test_1000_over_3_at_55_percent(self, seven):
        anna, bob, cor = seven[:3]
        TrajectFactory(value=Decimal("1000"), probability=55, accountmanagers=[anna, bob, cor])
        # 100000 cents / 3 = 33333 rest 1; omzet 55000 cents / 3 = 18333 rest 1.
        assert self.shares([anna, bob, cor]) == [
            (Decimal("333.34"), Decimal("183.34")),
            (Decimal("333.33"), Decimal("183.33")),
            (Decimal("333.33"), Decimal("183.33")),
        ]
        all_three = Traject.objects.with_share_for([anna, bob, cor])
        row = all_three.get()
        assert (row.share_value, row.share_weighted) == (Decimal("1000.00"), Decimal("550.00"))
        totals = all_three.totals()
        assert (totals["value"], totals["weighted"]) == (Decimal("1000.00"), Decimal("550.00"))
        pair = Traject.objects.with_share_for([anna, cor]).get()
        assert (pair.share_value, pair.share_weighted) == (Decimal("666.67"), Decimal("366.67"))

    def test_one_cent_over_2(self, seven):
        anna, bob = seven[:2]
        TrajectFactory(value=Decimal("0.01"), probability=50, accountmanagers=[anna, bob])
        # 1 cent / 2 = 0 rest 1; omzet 0.005 → 0.01 half-up, again 0 rest 1.
        assert self.shares([anna, bob]) == [
            (Decimal("0.01"), Decimal("0.01")),
            (Decimal("0.00"), Decimal("0.00")),
        ]
        totals = Traject.objects.with_share_for([anna, bob]).totals()
        assert (totals["value"], totals["weighted"]) == (Decimal("0.01"), Decimal("0.01"))

    def test_100_over_7_at_10_percent(self, seven):
        TrajectFactory(value=Decimal("100"), probability=10, accountmanagers=seven)
        # 10000 cents / 7 = 1428 rest 4; omzet 1000 cents / 7 = 142 rest 6.
        assert self.shares(seven) == [
            *[(Decimal("14.29"), Decimal("1.43"))] * 4,
            *[(Decimal("14.28"), Decimal("1.43"))] * 2,
            (Decimal("14.28"), Decimal("1.42")),
        ]
        totals = Traject.objects.with_share_for(seven).totals()
        assert (totals["value"], totals["weighted"]) == (Decimal("100.00"), Decimal("10.00"))
        rows = list(Traject.objects.with_share_for(seven).with_page_totals())
        page = page_totals_of(rows)
        assert (page["value"], page["weighted"]) == (Decimal("100.00"), Decimal("10.00"))

    def test_the_order_follows_the_links_when_accountmanagers_change(self, seven, beheerder):
        from trajects.services import traject_accountmanager_add, traject_accountmanager_remove

        anna, bob, cor = seven[:3]
        traject = TrajectFactory(value=Decimal("1000"), probability=55, accountmanagers=[anna])
        traject_accountmanager_add(traject=traject, user=beheerder, accountmanager=bob)
        traject_accountmanager_add(traject=traject, user=beheerder, accountmanager=cor)
        traject_accountmanager_remove(traject=traject, user=beheerder, accountmanager=anna)
        traject_accountmanager_add(traject=traject, user=beheerder, accountmanager=anna)
        # Bob came first now, then Cor, then Anna again.
        assert [value for value, _weighted in self.shares([bob, cor, anna])] == [
            Decimal("333.34"),
            Decimal("333.33"),
            Decimal("333.33"),
        ]

    def test_the_migration_fills_the_positions_of_existing_links(self, seven):
        import importlib

        from django.apps import apps

        from trajects.models import TrajectAccountmanager

        migration = importlib.import_module("trajects.migrations.0012_money_link_position")
        TrajectFactory(value=Decimal("100"), probability=10, accountmanagers=seven)
        TrajectFactory(value=Decimal("1000"), probability=55, accountmanagers=seven[2:5])
        TrajectAccountmanager.objects.update(position=0)  # as the new column starts
        migration.BATCH = 1  # one traject per batch, so the batching itself is exercised
        try:
            migration.fill_positions(apps, None)
        finally:
            migration.BATCH = 10_000
        positions = TrajectAccountmanager.objects.order_by("traject_id", "pk")
        assert list(positions.values_list("position", flat=True)) == [*range(7), *range(3)]


def test_price_ranges_are_half_open_and_skip_unknown_values(am):
    for value in ["0", "499.99", "500", "999.99", "1000", "4999.99", "5000", "80000", None]:
        TrajectFactory(subject=str(value), value=None if value is None else Decimal(value))
    assert subjects(Traject.objects.in_price_range(Decimal(0), Decimal(500))) == {"0", "499.99"}
    assert subjects(Traject.objects.in_price_range(Decimal(500), Decimal(1000))) == {
        "500",
        "999.99",
    }
    assert subjects(Traject.objects.in_price_range(Decimal(5000), None)) == {"5000", "80000"}


def test_keyword_matches_subject_relation_and_contact(am):
    relation = RelationFactory(name="Glasgroothandel Noord B.V.")
    contact = ContactFactory(first_name="Jan", last_name="Deurenmaker")
    TrajectFactory(subject="Nieuwe glazen deuren in gehele pand OTYS")
    TrajectFactory(subject="Via relatie", relation=relation)
    TrajectFactory(subject="Via contact", contact=contact, relation=contact.relation)
    TrajectFactory(subject="Iets anders")
    assert subjects(Traject.objects.matching("GLAZEN deuren")) == {
        "Nieuwe glazen deuren in gehele pand OTYS"
    }
    assert subjects(Traject.objects.matching("glasgroothandel")) == {"Via relatie"}
    assert subjects(Traject.objects.matching("jan deurenmaker")) == {"Via contact"}
    assert subjects(Traject.objects.matching("deuren")) == {
        "Nieuwe glazen deuren in gehele pand OTYS",
        "Via contact",
    }


def test_totals_from_known_rows_as_in_the_manual(am):
    """Manual 4.3: 44%, € 99.303, € 10.278, 9 visits, 60% — computed by the database."""
    for value, probability, visits in [
        ("88927.24", 5, 2),
        ("1000.00", 60, 3),
        ("5000.00", 60, 4),
        ("4375.76", 51, 0),
    ]:
        TrajectFactory(
            value=Decimal(value), probability=probability, visit_count=visits, accountmanagers=[am]
        )
    TrajectFactory(value=None, probability=44, accountmanagers=[am], visit_count=0)  # no value
    totals = Traject.objects.exclude(value=None).totals()
    assert totals["count"] == 4
    assert totals["avg_probability"] == pytest.approx(44)
    assert totals["value"] == Decimal("99303.00")
    assert totals["weighted"] == Decimal("10278.00")
    assert totals["visits"] == 9
    assert totals["max_probability"] == 60


def test_totals_of_nothing_are_zero():
    totals = Traject.objects.none().with_share_for().totals()
    assert totals["count"] == 0
    assert totals["value"] == 0 and totals["visits"] == 0


class TestPageTotals:
    """The "Pagina" line: window aggregates in the page's own query (DESIGN rule 3)."""

    def test_golden_page_of_two_shared_and_one_own(self, am, other_am):
        # By hand, for am's share: 5000/2 = 2500 at 40% → 1000; 1000 at 80% → 800;
        # count 2, average kans (40+80)/2 = 60, max 80, visits 3+1 = 4 (never split).
        TrajectFactory(
            value=Decimal("5000"), probability=40, visit_count=3, accountmanagers=[am, other_am]
        )
        TrajectFactory(value=Decimal("1000"), probability=80, visit_count=1, accountmanagers=[am])
        TrajectFactory(value=Decimal("7777"), probability=10, accountmanagers=[other_am])
        rows = list(Traject.objects.with_share_for([am]).with_page_totals())
        assert page_totals_of(rows) == {
            "count": 2,
            "avg_probability": pytest.approx(60),
            "value": Decimal("3500.00"),
            "weighted": Decimal("1800.00"),
            "visits": 4,
            "max_probability": 80,
        }

    def test_equal_to_totals_over_the_same_rows(self, am, other_am):
        for value, probability in [("1234.56", 15), (None, 70), ("99.99", 100), ("0", 0)]:
            TrajectFactory(
                value=None if value is None else Decimal(value),
                probability=probability,
                visit_count=probability // 10,
                accountmanagers=[am, other_am] if probability > 50 else [am],
            )
        for users in ([], [am], [other_am], [am, other_am]):
            queryset = Traject.objects.with_share_for(users)
            rows = list(queryset.with_page_totals())
            assert page_totals_of(rows) == queryset.totals(), users

    def test_no_rows_are_the_totals_of_nothing(self):
        assert page_totals_of([]) == Traject.objects.none().with_share_for().totals()


def test_accountmanager_names_in_name_order_with_the_rows(
    am, other_am, db, django_assert_num_queries
):
    from ..factories import AccountmanagerFactory

    nameless = AccountmanagerFactory(username="zonder_naam", first_name="", last_name="")
    TrajectFactory(accountmanagers=[other_am, nameless, am])
    TrajectFactory(accountmanagers=[])
    people = sorted([am, other_am, nameless], key=lambda u: (u.first_name, u.last_name, u.username))
    expected = [[u.get_full_name() or u.username for u in people], []]
    assert "zonder_naam" in expected[0]
    rows = list(Traject.objects.order_by("pk").with_accountmanager_names())
    with django_assert_num_queries(0):  # in the rows' query (PostgreSQL) or prefetched
        assert [accountmanager_names_of(row) for row in rows] == expected
    # Rows fetched without them read the same names, in the same order.
    plain = Traject.objects.order_by("pk")
    assert [accountmanager_names_of(row) for row in plain] == expected


def test_page_totals_of_no_rows_need_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        totals = page_totals_of([])
    assert totals["count"] == 0 and totals["value"] == 0 and totals["visits"] == 0
