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


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", [str(ID_MAX + 1), "9" * 19, "9" * 30])
def test_an_id_past_a_bigint_in_the_path_is_not_found(client_for, beheerder, am, other_am, user_id):
    """`<int:user_id>` passed 2^63 on to the lookup: OverflowError (500) on SQLite."""
    traject = TrajectFactory(accountmanagers=[am, other_am])
    client = client_for(beheerder)
    response = client.post(f"/sales/{traject.pk}/accountmanagers/{user_id}/verwijderen/")
    assert response.status_code == 404
    assert traject.accountmanagers.count() == 2
    ok = client.post(f"/sales/{traject.pk}/accountmanagers/{other_am.pk}/verwijderen/")
    assert ok.status_code in (200, 302)
    assert list(traject.accountmanagers.all()) == [am]
