"""The board's cards written in Python (board.render) are the markup of board/_card.html.

The page writes its cards in Python for speed; the template stays the reference (and renders
single cards after a move). Every kind of card is rendered both ways and must match."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import RequestFactory

from board.columns import board_build
from board.render import CardWriter
from settings_app.models import BusinessType, ClientSettings, Stage, WinLossReason
from settings_app.roles import roles_of
from trajects.models import Traject

pytestmark = pytest.mark.django_db

TEMPLATE = Template('{% for card in cards %}{% include "board/_card.html" %}{% endfor %}')


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def both_ways(user, query: str):
    """(template HTML, Python HTML, number of cards) of every column of one board."""
    request = RequestFactory().get(f"/sales/bord/?{query}")
    request.user = user
    board = board_build(request)
    token = get_token(request)
    filter_query = board.filterset.query().urlencode()
    cards = [card for column in board.columns for card in column.cards]
    context = Context(
        {
            "request": request,
            "board": board,
            "cards": cards,
            "filter_query": filter_query,
            "csrf_token": token,
        }
    )
    template_html = TEMPLATE.render(context)
    writer = CardWriter(request, board, filter_query=filter_query)
    return normalised(template_html), normalised(writer.cards(cards)), len(cards)


def test_python_cards_equal_the_template_cards():
    call_command("seed_demo", "--trajects", "300", stdout=StringIO(), stderr=StringIO())
    ClientSettings.objects.update(sales_select_enabled=True)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    beheerder = User.objects.get(username="beheerder")
    am = User.objects.get(username="am1")
    assert roles_of(beheerder).sales_select
    # Every kind of card: misplaced (inactive stage), stilstaand, lead, unassigned, closed
    # (the toggle), a missing reason (muted menu item), a subject that needs escaping.
    existing = BusinessType.objects.get(code="EB")
    Stage.objects.filter(name="Behoefteanalyse").update(stale_after_days=3)
    Stage.objects.filter(name="Verlenging").update(active=False)
    first = (
        Traject.objects.filter(business_type=existing, closed_at__isnull=True)
        .order_by("pk")
        .first()
    )
    Traject.objects.filter(pk=first.pk).update(subject="<b>\"Glas\" & 'deuren'</b>")
    WinLossReason.objects.filter(outcome="won").update(active=False)
    kinds = 0
    for user, query in [
        (beheerder, f"business_type={existing.pk}"),
        (beheerder, f"business_type={existing.pk}&gesloten=1"),
        (beheerder, f"business_type={existing.pk}&source=1&keyword=a"),
        (am, "gesloten=1"),
    ]:
        template_html, python_html, count = both_ways(user, query)
        assert count > 0, query
        assert python_html == template_html, query
        kinds += sum(
            word in python_html
            for word in ("misplaced", "stage-age-stale", "badge lead", "closed", "&lt;b&gt;")
        )
    assert kinds >= 5


def test_badges_follow_the_language_and_the_thresholds(beheerder, time_machine):
    """The badges' HTML is kept between pages: by language and thresholds, never stale."""
    import datetime

    from django.utils import translation

    from ..factories import TrajectFactory

    time_machine.move_to(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC), tick=False)
    ClientSettings.objects.update(
        sales_select_enabled=True, remaining_days_orange=10, remaining_days_red=2
    )
    existing = BusinessType.objects.get(code="EB")
    stage = Stage.objects.filter(business_types=existing).order_by("order").first()
    TrajectFactory(business_type=existing, stage=stage, expected_close=datetime.date(2026, 12, 8))
    query = f"business_type={existing.pk}"

    def card_html():  # a fresh user: the client's settings are kept on him for a request
        return both_ways(type(beheerder).objects.get(pk=beheerder.pk), query)[1]

    with translation.override("nl"):
        dutch = card_html()
    with translation.override("en"):
        english = card_html()
    assert "nog 5 dagen" in dutch and 'data-remaining-level="orange"' in dutch
    assert "5 days left" in english and "nog 5 dagen" not in english
    ClientSettings.objects.update(remaining_days_orange=3)
    with translation.override("nl"):
        assert 'data-remaining-level="green"' in card_html()
