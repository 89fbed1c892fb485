"""Price-range statistics: golden cases by hand, then a property test against plain Python."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settings_app.models import BusinessType, ClientSettings, TrajectType
from settings_app.price_ranges import price_ranges
from trajects.models import PriceRangeStatistic, StatisticsSet, Traject, TrajectAccountmanager
from trajects.services import statistics_regenerate
from trajects.statistics import MIN_OWN_CLOSED

from ..factories import AccountmanagerFactory, RelationFactory, TrajectFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def won():
    return TrajectType.objects.get(name="Order")


def lost():
    return TrajectType.objects.get(name="Lost")


def figures(statistics_set=None, accountmanager=None):
    """{range index: (closed, won, lost)} of the current set, overall or for one accountmanager."""
    statistics_set = statistics_set or StatisticsSet.objects.current()
    rows = statistics_set.rows.filter(accountmanager=accountmanager)
    return {r.price_range: (r.closed, r.won, r.lost) for r in rows}


class TestGoldenCases:
    def test_exactly_500_lands_in_500_to_1000(self, am):
        TrajectFactory(accountmanagers=[am], type=won(), value=Decimal("500.00"))
        TrajectFactory(accountmanagers=[am], type=lost(), value=Decimal("499.99"))
        TrajectFactory(accountmanagers=[am], type=lost(), value=Decimal("0"))
        TrajectFactory(accountmanagers=[am], type=won(), value=Decimal("5000"))
        statistics_regenerate()
        assert figures() == {0: (2, 0, 2), 1: (1, 1, 0), 3: (1, 1, 0)}
        rows = {r.price_range: r for r in StatisticsSet.objects.current().rows.all()}
        assert (rows[1].lower, rows[1].upper) == (Decimal(500), Decimal(1000))
        assert (rows[3].lower, rows[3].upper) == (Decimal(5000), None)

    def test_shared_won_traject_counts_once_per_accountmanager_and_once_overall(self, am, other_am):
        TrajectFactory(accountmanagers=[am, other_am], type=won(), value=Decimal("2000"))
        statistics_regenerate()
        assert figures() == {2: (1, 1, 0)}
        assert figures(accountmanager=am) == {2: (1, 1, 0)}
        assert figures(accountmanager=other_am) == {2: (1, 1, 0)}
        assert PriceRangeStatistic.objects.count() == 3

    def test_without_value_deleted_and_open_are_nowhere(self, am):
        TrajectFactory(accountmanagers=[am], type=won(), value=None)
        TrajectFactory(accountmanagers=[am], type=won(), deleted_at=timezone.now())
        TrajectFactory(accountmanagers=[am])  # Prospect: open
        statistics_set = statistics_regenerate()
        assert statistics_set.rows.count() == 0

    def test_win_rate_and_averages(self, am):
        for value, probability, kind in [
            (1000, 80, won()),
            (2000, 60, lost()),
            (3000, 70, lost()),
            (4000, 90, won()),
        ]:
            TrajectFactory(
                accountmanagers=[am], type=kind, value=Decimal(value), probability=probability
            )
        statistics_regenerate()
        row = StatisticsSet.objects.current().rows.get(accountmanager=None)
        assert (row.closed, row.won, row.lost) == (4, 2, 2)
        assert row.win_rate == Decimal("50.00")
        assert row.average_value == Decimal("2500.00")
        assert row.average_probability == Decimal("75.00")

    def test_unassigned_closed_traject_counts_overall_only(self, am):
        TrajectFactory(type=won(), value=Decimal("100"))
        statistics_regenerate()
        assert figures() == {0: (1, 1, 0)}
        assert PriceRangeStatistic.objects.exclude(accountmanager=None).count() == 0

    def test_regenerating_replaces_the_set(self, am):
        TrajectFactory(accountmanagers=[am], type=won(), value=Decimal("100"))
        first = statistics_regenerate()
        TrajectFactory(accountmanagers=[am], type=lost(), value=Decimal("100"))
        second = statistics_regenerate()
        assert list(StatisticsSet.objects.values_list("pk", flat=True)) == [second.pk]
        assert not PriceRangeStatistic.objects.filter(statistics_set_id=first.pk).exists()
        assert figures() == {0: (2, 1, 1)}

    def test_a_request_the_current_set_covers_does_no_work_twice(self, am):
        TrajectFactory(accountmanagers=[am], type=won(), value=Decimal("100"))
        first = statistics_regenerate()
        assert statistics_regenerate(request_number=0).pk == first.pk
        assert statistics_regenerate().pk != first.pk  # the weekly run always works

    def test_current_set_follows_the_thresholds(self, am):
        TrajectFactory(accountmanagers=[am], type=won(), value=Decimal("100"))
        statistics_regenerate()
        ClientSettings.objects.update(price_range_thresholds="50,200")
        assert StatisticsSet.objects.current() is None  # made for other ranges: not shown
        statistics_regenerate()
        assert figures() == {1: (1, 1, 0)}


def python_statistics(thresholds):
    """The same figures computed the plain way, one traject at a time."""
    ranges = price_ranges(thresholds)
    cells = defaultdict(lambda: {"closed": 0, "won": 0, "values": [], "probabilities": []})
    for traject in Traject.objects.select_related("type").prefetch_related("accountmanager_links"):
        if traject.deleted_at or traject.value is None or traject.type.outcome == "open":
            continue
        index = next(r.index for r in ranges if r.contains(traject.value))
        owners = [None] + [link.user_id for link in traject.accountmanager_links.all()]
        for owner in owners:
            cell = cells[(owner, index)]
            cell["closed"] += 1
            cell["won"] += traject.type.outcome == "won"
            cell["values"].append(traject.value)
            cell["probabilities"].append(traject.probability)
    return {
        key: (
            c["closed"],
            c["won"],
            c["closed"] - c["won"],
            (Decimal(c["won"] * 100) / c["closed"]).quantize(Decimal("0.01")),
            sum(c["values"]) / len(c["values"]),
            Decimal(sum(c["probabilities"])) / len(c["probabilities"]),
        )
        for key, c in cells.items()
    }


thresholds_strategy = st.lists(
    st.integers(min_value=1, max_value=3000), min_size=1, max_size=4, unique=True
).map(sorted)
traject_strategy = st.fixed_dictionaries(
    {
        "value": st.one_of(
            st.none(),
            st.sampled_from([0, 1, 499, 500, 1000, 1500, 2999, 3000]).map(Decimal),
            st.decimals(min_value=0, max_value=4000, places=2),
        ),
        "outcome": st.sampled_from(["open", "won", "lost"]),
        "deleted": st.booleans(),
        "accountmanagers": st.sets(st.integers(min_value=0, max_value=2), max_size=3),
        "probability": st.integers(min_value=0, max_value=100),
    }
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(thresholds=thresholds_strategy, trajects=st.lists(traject_strategy, max_size=25))
def test_property_database_aggregation_matches_python(db, thresholds, trajects):
    with transaction.atomic():
        people = [User.objects.create(username=f"prop{i}") for i in range(3)]  # no hashing
        relation = RelationFactory()
        types = {
            t.outcome: t for t in TrajectType.objects.filter(name__in=["Prospect", "Order", "Lost"])
        }
        ClientSettings.objects.update(price_range_thresholds=",".join(map(str, thresholds)))
        day = datetime.date(2025, 1, 1)
        business_type = BusinessType.objects.get(code="EB")
        rows = Traject.objects.bulk_create(
            Traject(
                subject="p",
                relation=relation,
                business_type=business_type,
                type=types[spec["outcome"]],
                value=spec["value"],
                probability=spec["probability"],
                deleted_at=timezone.now() if spec["deleted"] else None,
                expected_close=day,
                lead_date=day,
                accountmanager_count=len(spec["accountmanagers"]),
            )
            for spec in trajects
        )
        TrajectAccountmanager.objects.bulk_create(
            TrajectAccountmanager(traject=row, user=people[i], expected_close=day)
            for row, spec in zip(rows, trajects, strict=True)
            for i in spec["accountmanagers"]
        )
        statistics_set = statistics_regenerate()
        got = {(r.accountmanager_id, r.price_range): r for r in statistics_set.rows.all()}
        expected = python_statistics(thresholds)
        assert set(got) == set(expected)
        for key, (
            closed,
            won_,
            lost_,
            rate,
            average_value,
            average_probability,
        ) in expected.items():
            row = got[key]
            assert (row.closed, row.won, row.lost, row.win_rate) == (closed, won_, lost_, rate)
            assert abs(row.average_value - average_value) <= Decimal("0.01")
            assert abs(row.average_probability - average_probability) <= Decimal("0.01")
            bounds = price_ranges(thresholds)[row.price_range]
            assert (row.lower, row.upper) == (bounds.lower, bounds.upper)
        transaction.set_rollback(True)


class TestStatisticalProbability:
    """Issue 6 point 5: next to the entered kans, the historical rate of its price range."""

    def closed(self, accountmanagers, won_count, lost_count, value=Decimal("2000")):
        for _ in range(won_count):
            TrajectFactory(accountmanagers=accountmanagers, type=won(), value=value)
        for _ in range(lost_count):
            TrajectFactory(accountmanagers=accountmanagers, type=lost(), value=value)

    def test_own_rate_from_20_closed_else_everyones(self, am, other_am):
        self.closed([am], 15, 5)  # am: 20 closed in 1000–5000, 75 %
        self.closed([other_am], 1, 9)  # other_am: 10 closed, 10 %
        statistics_regenerate()
        mine = TrajectFactory(accountmanagers=[am], value=Decimal("1500"), probability=30)
        theirs = TrajectFactory(accountmanagers=[other_am], value=Decimal("1500"))
        cheap = TrajectFactory(accountmanagers=[am], value=Decimal("100"))
        unknown = TrajectFactory(accountmanagers=[am], value=None)
        annotated = {
            t.pk: t
            for t in Traject.objects.with_statistical_probability().filter(
                pk__in=[mine.pk, theirs.pk, cheap.pk, unknown.pk]
            )
        }
        assert annotated[mine.pk].statistical_probability == Decimal("75.00")
        assert annotated[mine.pk].statistical_probability_own == Decimal("75.00")
        # other_am has 10 < MIN_OWN_CLOSED closed: everyone's 16 of 30
        assert annotated[theirs.pk].statistical_probability_own is None
        assert annotated[theirs.pk].statistical_probability == Decimal("53.33")
        assert annotated[cheap.pk].statistical_probability is None  # no closed in 0–500
        assert annotated[unknown.pk].statistical_probability is None
        mine.refresh_from_db()
        assert mine.probability == 30  # the entered kans is never overwritten
        assert MIN_OWN_CLOSED == 20

    def test_statistically_expected_sums_value_times_rate(self, am, other_am):
        self.closed([am], 15, 5)
        self.closed([other_am], 1, 9)
        statistics_regenerate()
        open_ones = [
            TrajectFactory(accountmanagers=[am], value=Decimal("1000")),  # 75 %
            TrajectFactory(accountmanagers=[other_am], value=Decimal("3000")),  # 53.33 %
            TrajectFactory(accountmanagers=[am], value=None),  # nothing
        ]
        trajects = Traject.objects.filter(pk__in=[t.pk for t in open_ones])
        assert trajects.statistically_expected() == Decimal("750.00") + Decimal("1599.90")

    def test_a_shared_traject_pools_its_accountmanagers_and_a_share_counts_its_part(
        self, am, other_am
    ):
        self.closed([am], 15, 5)  # am: 20 closed in 1000–5000, 75 %
        self.closed([other_am], 10, 10)  # other_am: 20 closed, 50 %
        statistics_regenerate()
        shared = TrajectFactory(accountmanagers=[am, other_am], value=Decimal("1000"))
        trajects = Traject.objects.filter(pk=shared.pk)
        # pooled: (15 + 10) won of (20 + 20) closed = 62.5 % of € 1000
        assert trajects.statistically_expected() == Decimal("625.00")
        # am's share is € 500: 62.5 % of it
        assert trajects.with_share_for([am]).statistically_expected() == Decimal("312.50")

    def test_the_shares_of_all_its_accountmanagers_expect_as_much_as_the_traject(
        self, am, other_am
    ):
        cor = AccountmanagerFactory(username="am_cor")
        self.closed([am], 15, 5)
        self.closed([other_am], 10, 10)
        statistics_regenerate()
        shared = TrajectFactory(accountmanagers=[am, other_am, cor], value=Decimal("1000"))
        trajects = Traject.objects.filter(pk=shared.pk)
        # 62.5 % of € 1000; the three shares add up to € 1000 (333,34 + 333,33 + 333,33),
        # not 999,99 (which expected 624,99).
        assert trajects.statistically_expected() == Decimal("625.00")
        everyone = trajects.with_share_for([am, other_am, cor])
        assert everyone.statistically_expected() == Decimal("625.00")

    def test_the_sum_is_the_sum_of_each_trajects_statistische_kans(self, am, other_am):
        self.closed([am], 15, 5)
        self.closed([other_am], 3, 4, value=Decimal("700"))
        self.closed([am, other_am], 2, 1, value=Decimal("6000"))
        statistics_regenerate()
        values = ["0", "499.99", "500", "999.99", "1000", "4999.99", "5000", "123456.78", None]
        for index, value in enumerate(values):
            people = [[am], [other_am], [am, other_am]][index % 3]
            TrajectFactory(accountmanagers=people, value=None if value is None else Decimal(value))
        open_ones = Traject.objects.filter(type__outcome="open")
        by_row = sum(
            (t.value * t.statistical_probability / 100 for t in
             open_ones.with_statistical_probability() if t.statistical_probability is not None),
            Decimal(0),
        )  # fmt: skip
        assert open_ones.statistically_expected() == by_row.quantize(Decimal("0.01"))
        assert by_row > 0

    def test_without_statistics_nothing_is_claimed(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        annotated = Traject.objects.with_statistical_probability().get(pk=traject.pk)
        assert annotated.statistical_probability is None
        assert Traject.objects.filter(pk=traject.pk).statistically_expected() is None
