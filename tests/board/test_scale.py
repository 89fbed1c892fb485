"""Point 10: 50 cards per column, more on scroll, and a fixed number of queries per page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app.models import BusinessType, Stage, TrajectType
from trajects.models import Traject, TrajectAccountmanager

from ..factories import RelationFactory
from .cards import board_columns, card_ids
from .conftest import TODAY, board_url, htmx


def own_business_type(stages: int, name: str = "") -> tuple[BusinessType, list[Stage]]:
    """A business type with a configuration of its own: `stages` open stages."""
    name = name or f"Eigen {stages}"
    business = BusinessType.objects.create(name=name, code=name[-3:], order=9)
    own = []
    for order in range(stages):
        stage = Stage.objects.create(name=f"{name} stap {order}", order=order)
        stage.business_types.add(business)
        own.append(stage)
    return business, own


def cards_in(business, stages, per_column: int, users) -> None:
    """per_column open trajects in every column (Geen stage too), each of all `users`, fast."""
    relation = RelationFactory()
    prospect = TrajectType.objects.get(is_default=True)
    trajects = [
        Traject(
            subject=f"Kaart {index}",
            relation=relation,
            business_type=business,
            type=prospect,
            stage=stage,
            value=Decimal("10.00"),
            probability=50,
            expected_close=TODAY + datetime.timedelta(days=index),
            lead_date=TODAY,
            converted_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
            accountmanager_count=len(users),
        )  # fmt: skip
        for stage in [None, *stages]
        for index in range(per_column)
    ]
    Traject.objects.bulk_create(trajects)
    TrajectAccountmanager.objects.bulk_create(
        TrajectAccountmanager(
            traject=traject, user=user, expected_close=traject.expected_close, position=position
        )
        for traject in trajects
        for position, user in enumerate(users)
    )


def queries_of(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["am", "beheerder"])
def test_queries_do_not_grow_with_cards(request, client_for, am, other_am, sales_select, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    few, few_stages = own_business_type(3, "Weinig")
    many, many_stages = own_business_type(3, "Veel")
    cards_in(few, few_stages, 1, [am, other_am])
    cards_in(many, many_stages, 120, [am, other_am])
    baseline = queries_of(client, board_url(business_type=few.pk))
    assert baseline <= 16
    page = client.get(board_url(business_type=many.pk)).text
    assert all(len(c["cards"]) == 50 for c in board_columns(page).values())
    assert queries_of(client, board_url(business_type=many.pk)) == baseline


@pytest.mark.django_db
def test_queries_do_not_grow_with_columns(client_for, am, sales_select):
    client = client_for(am)
    two, two_stages = own_business_type(1)
    eight, eight_stages = own_business_type(7)
    cards_in(two, two_stages, 2, [am])
    cards_in(eight, eight_stages, 2, [am])
    page = client.get(board_url(business_type=eight.pk)).text
    assert len(board_columns(page)) == 8
    assert len(board_columns(client.get(board_url(business_type=two.pk)).text)) == 2
    assert queries_of(client, board_url(business_type=two.pk)) == queries_of(
        client, board_url(business_type=eight.pk)
    )


@pytest.mark.django_db
def test_more_cards_fragment(client_for, am, other_am, sales_select):
    business, stages = own_business_type(1)
    cards_in(business, stages, 120, [am])
    client = client_for(am)
    page = client.get(board_url(business_type=business.pk)).text
    column = board_columns(page)[stages[0].name]
    first = [card["id"] for card in column["cards"]]
    assert len(first) == 50 and column["count"] == 120
    more_link = page.split(f'id="kolom-{stages[0].pk}-meer"')[1].split(">")[0]
    assert 'hx-trigger="intersect once, click"' in more_link
    url = more_link.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert url.startswith(reverse("board:more"))

    response = client.get(url, headers=htmx())
    second = card_ids(response.text)
    assert len(second) == 50
    assert not set(first) & set(second)
    assert f'id="kolom-{stages[0].pk}-meer" class' not in response.text
    assert 'hx-swap-oob="true"' in response.text
    more_link = response.text.split(f'id="kolom-{stages[0].pk}-meer"')[1].split(">")[0]
    url = more_link.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    count_second = queries_of(client, url, headers=htmx())
    third = client.get(url, headers=htmx()).text
    assert len(card_ids(third)) == 20
    # The last fragment removes the "more" link: nothing left to load.
    assert f'<span id="kolom-{stages[0].pk}-meer" hx-swap-oob="true"></span>' in third
    expected = sorted(
        Traject.objects.filter(business_type=business, stage=stages[0]).values_list(
            "expected_close", "pk"
        )
    )
    assert first + second + card_ids(third) == [pk for _day, pk in expected]
    # A fragment costs the same number of queries, whatever it holds.
    assert count_second == queries_of(
        client, url.split("&after=")[0] + "&after=2000-01-01_1", headers=htmx()
    )


@pytest.mark.django_db
def test_more_cards_only_what_the_user_may_see(client_for, am, other_am, sales_select):
    business, stages = own_business_type(1)
    cards_in(business, stages, 60, [other_am])
    url = (
        reverse("board:more")
        + f"?business_type={business.pk}&stage={stages[0].pk}&after=2000-01-01_1"
    )
    assert card_ids(client_for(am).get(url, headers=htmx()).text) == []
    assert len(card_ids(client_for(other_am).get(url, headers=htmx()).text)) == 50


@pytest.mark.django_db
def test_phone_and_desktop_scrolling_css():
    """The columns snap sideways one at a time and a phone's column leaves the next in view."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/board.css")).read_text()
    assert "scroll-snap-type: x mandatory" in css
    assert "scroll-snap-align: start" in css
    assert "flex-basis: 85vw" in css
