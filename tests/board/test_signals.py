"""Points 7 and 8 on the board: the remaining-days indicator and the days in stage on every
card, and the "stilstaand" filter (the rules themselves: trajects.indicators, its own tests)."""

import datetime
import re

import pytest

from settings_app.models import Stage

from ..factories import TrajectFactory
from .cards import card_ids
from .conftest import TODAY, board_url, stage

N, M = 14, 3  # the client's defaults: orange 14 days before the expected close, red 3


def card_html(page: str, pk: int) -> str:
    return page.split(f'id="kaart-{pk}"')[1].split("</li>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_left", "level", "text"),
    [
        (N + 1, "green", "nog 15 dagen"),
        (N, "orange", "nog 14 dagen"),
        (M + 1, "orange", "nog 4 dagen"),
        (M, "red", "nog 3 dagen"),
        (0, "red", "vandaag"),
        (-1, "overdue", "verlopen, 1 dag"),
    ],
)
def test_remaining_days_on_the_card(client_for, am, sales_select, eb, days_left, level, text):
    traject = TrajectFactory(
        accountmanagers=[am], business_type=eb,
        expected_close=TODAY + datetime.timedelta(days=days_left),
    )  # fmt: skip
    card = card_html(client_for(am).get(board_url(business_type=eb.pk)).text, traject.pk)
    assert f'data-remaining-level="{level}"' in card
    assert text in card
    # Colour is never the only signal: the level in words is the badge's accessible name.
    assert re.search(r'class="visually-hidden">Resterende dagen: [^<]+<', card)


@pytest.mark.django_db
def test_days_in_stage_and_stilstaand_on_the_card(client_for, am, sales_select, eb):
    Stage.objects.filter(name="Voorstel").update(stale_after_days=10)
    moment = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)  # 14 days before TODAY
    stale = TrajectFactory(
        accountmanagers=[am], business_type=eb, stage=stage("Voorstel"), stage_changed_at=moment
    )
    fresh = TrajectFactory(
        accountmanagers=[am], business_type=eb, stage=stage("Voorstel"),
        stage_changed_at=datetime.datetime(2027, 3, 12, 12, tzinfo=datetime.UTC),
    )  # fmt: skip
    page = client_for(am).get(board_url(business_type=eb.pk)).text
    assert 'data-days-in-stage="14"' in card_html(page, stale.pk)
    assert "stilstaand" in card_html(page, stale.pk)
    assert 'data-days-in-stage="3"' in card_html(page, fresh.pk)
    assert "stilstaand" not in card_html(page, fresh.pk)

    page = client_for(am).get(board_url(business_type=eb.pk, stilstaand="1")).text
    assert card_ids(page) == [stale.pk]
    assert 'name="stilstaand" value="1" checked' in page
    # The filter travels with the tabs, not to the overview (which has no such criterion).
    overview = page.split("Dezelfde selectie in het overzicht")[0].rsplit('href="', 1)[1]
    assert "stilstaand" not in overview
    # A garbage value is no choice.
    page = client_for(am).get(board_url(business_type=eb.pk, stilstaand="ja<script>")).text
    assert set(card_ids(page)) == {stale.pk, fresh.pk}
