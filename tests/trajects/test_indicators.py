"""The remaining-days indicator (issue 13, point 7) as a pure function: its boundaries."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trajects.indicators import Level, remaining_days

TODAY = datetime.date(2027, 3, 10)
N, M = 14, 3  # the client's defaults: orange 14 days before, red 3 days before


def at(days_left: int, **kwargs):
    kwargs.setdefault("orange", N)
    kwargs.setdefault("red", M)
    return remaining_days(TODAY + datetime.timedelta(days=days_left), today=TODAY, **kwargs)


# Written out by hand: days left → (level, days shown, badge text).
GOLDEN = [
    (N + 1, Level.GREEN, 15, "nog 15 dagen"),
    (N, Level.ORANGE, 14, "nog 14 dagen"),
    (M + 1, Level.ORANGE, 4, "nog 4 dagen"),
    (M, Level.RED, 3, "nog 3 dagen"),
    (1, Level.RED, 1, "nog 1 dag"),
    (0, Level.RED, 0, "vandaag"),
    (-1, Level.OVERDUE, 1, "verlopen, 1 dag"),
    (-30, Level.OVERDUE, 30, "verlopen, 30 dagen"),
]


@pytest.mark.parametrize(("days_left", "level", "days", "text"), GOLDEN)
def test_boundaries(days_left, level, days, text):
    indicator = at(days_left)
    assert (indicator.level, indicator.days, indicator.text) == (level, days, text)


def test_the_label_names_the_level_in_words_and_each_level_has_its_own_icon():
    assert at(N).label == "Resterende dagen: nog 14 dagen, let op"
    assert at(-2).label == "Resterende dagen: verlopen, 2 dagen, verlopen"
    assert at(N + 1).label == "Resterende dagen: nog 15 dagen, op schema"
    assert at(0).label == "Resterende dagen: vandaag, dringend"
    assert len({at(d).icon for d in (N + 1, N, M, -1)}) == 4


def test_nothing_on_won_or_lost():
    assert at(N, closed=True) is None
    assert at(-5, closed=True) is None


def test_other_thresholds():
    assert at(30, orange=30, red=10).level == Level.ORANGE
    assert at(11, orange=30, red=10).level == Level.ORANGE
    assert at(10, orange=30, red=10).level == Level.RED
    assert at(1, orange=1, red=0).level == Level.ORANGE
    assert at(0, orange=1, red=0).level == Level.RED


@given(
    left=st.integers(min_value=-4000, max_value=4000),
    red=st.integers(min_value=0, max_value=200),
    gap=st.integers(min_value=1, max_value=200),
)
def test_levels_partition_the_days(left, red, gap):
    orange = red + gap
    indicator = at(left, orange=orange, red=red)
    expected = (
        Level.OVERDUE
        if left < 0
        else Level.RED
        if left <= red
        else Level.ORANGE
        if left <= orange
        else Level.GREEN
    )
    assert indicator.level == expected
    assert indicator.days == abs(left)
    assert str(abs(left)) in indicator.text or left == 0
