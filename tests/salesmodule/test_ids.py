"""Ids from URLs and forms (issue 12, point 9): '²' or 2^63 is no id, and never a 500."""

import pytest
from django.contrib.auth import get_user_model

from salesmodule.ids import ID_MAX, parse_id
from trajects.models import Traject

from ..factories import TrajectFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        (7, 7),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        ("9" * 40, None),
        ("²", None),
        ("١٢", None),
        ("٣", None),
        ("0", None),
        ("-1", None),
        ("4 2", None),
        ("4\x00", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.django_db
def test_in_leaves_out_numbers_no_column_holds(am):
    traject = TrajectFactory()
    assert list(Traject.objects.filter(pk__in=[traject.pk, 2**63, -(2**64)])) == [traject]
    assert not Traject.objects.filter(pk__in=[2**63]).exists()
    assert list(get_user_model().objects.filter(pk__in=[am.pk, 2**31, 2**70])) == [am]
    assert Traject.objects.filter(probability__in=[50, 2**100]).count() == 1
