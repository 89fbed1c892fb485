"""Requery: the same query with some keys changed, written as {% querystring %} would."""

from django.http import QueryDict

from salesmodule.querystring import Requery, requery


def test_changed_keys_go_last_and_the_page_is_dropped():
    params = QueryDict("month=11&page=3&sort=-value&year=2026&year=2027")
    assert requery(params, month=None, dates="1") == "?sort=-value&year=2026&year=2027&dates=1"
    assert requery(params, year=["2025"]) == "?month=11&sort=-value&year=2025"
    assert requery(QueryDict("page=2"), relation=None) == "?"


def test_in_place_keeps_the_keys_position_or_goes_last():
    sort = Requery(QueryDict("month=11&sort=subject&year=2026&page=4"), "sort", in_place=True)
    assert sort.link("-subject") == "?month=11&sort=-subject&year=2026"
    absent = Requery(QueryDict("month=11"), "sort", in_place=True)
    assert absent.link("value") == "?month=11&sort=value"


def test_many_links_from_one_encoding_and_extra_keys_dropped():
    cols = Requery(
        QueryDict("cols=a&view=7&keyword=glazen deuren&cols=b"), "cols", drop=("page", "view")
    )
    assert cols.link(["b", "a"]) == "?keyword=glazen+deuren&cols=b&cols=a"
    assert cols.link([]) == "?keyword=glazen+deuren"
    assert cols.link(None) == "?keyword=glazen+deuren"
