"""Point 4: the board's selection opens in the overview, and the overview's on the board."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from settings_app.models import Source

from ..factories import TrajectFactory
from .cards import card_ids
from .conftest import TODAY, board_url


def link_query(page: str, text: str) -> tuple[str, dict]:
    href = re.search(rf'href="([^"]+)"[^>]*>{text}<', page).group(1).replace("&amp;", "&")
    parts = urlsplit(href)
    return parts.path, parse_qs(parts.query)


@pytest.mark.django_db
def test_board_to_overview_keeps_the_selection(client_for, beheerder, am, sales_select, eb):
    website = Source.objects.get(name="Website")
    traject = TrajectFactory(
        accountmanagers=[am], business_type=eb, source=website, subject="Glazen deuren"
    )
    client = client_for(beheerder)
    page = client.get(
        board_url(business_type=eb.pk, accountmanager=am.pk, source=website.pk, keyword="glazen")
    ).text
    path, query = link_query(page, "Dezelfde selectie in het overzicht")
    assert path == reverse("trajects:list")
    assert query == {
        "accountmanager": [str(am.pk)],
        "source": [str(website.pk)],
        "keyword": ["glazen"],
        "business_type": [str(eb.pk)],
        "dates": ["1"],  # the board's default, all dates; the overview's is this month
    }
    listing = client.get(path, query)
    assert listing.status_code == 200
    assert "Glazen deuren" in listing.text
    # With a month chosen the overview gets that month, no "all dates".
    page = client.get(board_url(business_type=eb.pk, month=3, year=2027)).text
    _path, query = link_query(page, "Dezelfde selectie in het overzicht")
    assert query["month"] == ["3"] and query["year"] == ["2027"] and "dates" not in query
    assert traject.pk in card_ids(page)


@pytest.mark.django_db
def test_overview_to_board_keeps_the_selection(client_for, am, sales_select, eb):
    TrajectFactory(accountmanagers=[am], business_type=eb)
    client = client_for(am)
    selection = {"business_type": eb.pk, "dates": "1", "keyword": "x"}
    page = client.get(reverse("trajects:list"), selection).text
    path, query = link_query(page, "Op het bord")
    assert path == reverse("board:index")
    assert query == {"keyword": ["x"], "business_type": [str(eb.pk)]}
    # The overview's own default (no date choice) is the current month: so is the board's link.
    page = client.get(reverse("trajects:list")).text
    _path, query = link_query(page, "Op het bord")
    assert query == {"month": [str(TODAY.month)], "year": [str(TODAY.year)]}


@pytest.mark.django_db
def test_no_board_link_in_the_overview_without_sales_select(client_for, am):
    assert "Op het bord" not in client_for(am).get(reverse("trajects:list")).text
