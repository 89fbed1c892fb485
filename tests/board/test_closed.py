"""Won and lost on the board (issue 13, point 6): the outcome columns' 30-day counts and the
"Toon gewonnen/verloren" toggle, which shows the cards closed (by closed_at) in the last 30 days,
each saying the stage it closed from."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings_app.models import TrajectType, WinLossReason
from trajects.models import Traject

from ..factories import TrajectFactory
from .conftest import board_url, htmx, stage

NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)


def closed(user, outcome: str, days_ago: float, subject: str, *, from_stage="Voorstel"):
    name = "Lost" if outcome == "lost" else "Order"
    return TrajectFactory(
        subject=subject,
        accountmanagers=[user],
        type=TrajectType.objects.get(name=name),
        stage=stage("Verloren" if outcome == "lost" else "Gewonnen"),
        probability=0 if outcome == "lost" else 100,
        win_loss_reason=WinLossReason.objects.filter(outcome=outcome).first(),
        closed_at=NOW - datetime.timedelta(days=days_ago),
        closed_from_stage=stage(from_stage),
        open_probability=60,
    )


def column_html(html: str, name: str) -> str:
    pk = stage(name).pk
    match = re.search(rf'<section[^>]*id="kolom-{pk}".*?</section>', html, re.S)
    return match.group(0)


@pytest.fixture
def history(am, other_am, sales_select):
    TrajectFactory(subject="Open deur", accountmanagers=[am], stage=stage("Voorstel"))
    return {
        "recent": closed(am, "lost", 10, "Verloren dak"),
        "edge": closed(am, "lost", 29.9, "Net binnen"),
        "old": closed(am, "lost", 31, "Oud verlies"),
        "won": closed(am, "won", 2, "Gewonnen raam", from_stage="Onderhandeling"),
        "theirs": closed(other_am, "lost", 3, "Niet van mij"),
    }


def test_the_open_board_counts_closed_cards_but_does_not_show_them(client_for, am, history):
    html = client_for(am).get(board_url()).text
    lost = column_html(html, "Verloren")
    assert 'data-closed-count="2"' in lost and "2 verloren in de laatste 30 dagen" in lost
    assert 'data-closed-count="1"' in column_html(html, "Gewonnen")
    for subject in ("Verloren dak", "Net binnen", "Gewonnen raam", "Oud verlies"):
        assert subject not in html
    assert "Open deur" in html


def test_the_toggle_shows_the_last_30_days_with_the_stage_they_closed_from(client_for, am, history):
    html = client_for(am).get(board_url(gesloten="1")).text
    lost = column_html(html, "Verloren")
    assert "Verloren dak" in lost and "Net binnen" in lost
    assert "Gesloten vanuit Voorstel" in lost
    assert lost.index("Verloren dak") < lost.index("Net binnen")  # newest first
    assert "Oud verlies" not in html and "Niet van mij" not in html
    won = column_html(html, "Gewonnen")
    assert "Gewonnen raam" in won and "Gesloten vanuit Onderhandeling" in won
    assert 'name="gesloten" value="1" checked' in html
    # closed cards are not offered a move
    assert f'action="/sales/bord/kaart/{history["recent"].pk}/verplaats/' not in html


def test_the_beheerder_sees_everyones(client_for, beheerder, history):
    html = client_for(beheerder).get(board_url(gesloten="1")).text
    assert "Niet van mij" in html and "Oud verlies" not in html


def test_the_toggle_keeps_to_the_filters(client_for, am, history):
    html = client_for(am).get(board_url(gesloten="1", keyword="dak")).text
    assert "Verloren dak" in html and "Net binnen" not in html
    assert 'data-closed-count="1"' in column_html(html, "Verloren")


def test_a_lost_move_with_the_toggle_on_lands_in_the_lost_column(client_for, am, history):
    card = TrajectFactory(subject="Nieuw verlies", accountmanagers=[am], stage=stage("Voorstel"))
    reason = WinLossReason.objects.get(reason="Te duur")
    response = client_for(am).post(
        f"/sales/bord/kaart/{card.pk}/verplaats/?gesloten=1",
        {"stage": stage("Verloren").pk, "stage_seen": stage("Voorstel").pk, "bevestigd": "1",
         "reden": reason.pk},
        headers=htmx("board-live"),
    )  # fmt: skip
    assert response.status_code == 200
    assert f"afterbegin:#kolom-{stage('Verloren').pk}-kaarten" in response.text
    assert "Gesloten vanuit Voorstel" in response.text
    assert 'data-closed-count="3"' in response.text
    assert Traject.objects.get(pk=card.pk).type.outcome == "lost"


def test_queries_do_not_grow_with_closed_cards(
    client_for, am, sales_select, eb, django_assert_num_queries
):
    viewer = client_for(am)
    closed(am, "lost", 1, "Eerste")
    viewer.get(board_url(gesloten="1", business_type=eb.pk))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert "Eerste" in viewer.get(board_url(gesloten="1", business_type=eb.pk)).text
    for n in range(6):
        closed(am, "lost" if n % 2 else "won", n + 1, f"Meer {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert "Meer 5" in viewer.get(board_url(gesloten="1", business_type=eb.pk)).text


def test_a_cut_list_of_closed_cards_says_so(client_for, am, history, monkeypatch):
    monkeypatch.setattr("board.columns.CARDS_PER_COLUMN", 1)
    lost = column_html(client_for(am).get(board_url(gesloten="1")).text, "Verloren")
    assert "Verloren dak" in lost and "Net binnen" not in lost  # the newest one only
    assert "De nieuwste 1 van 2; de andere staan in het overzicht." in lost
    won = column_html(client_for(am).get(board_url(gesloten="1")).text, "Gewonnen")
    assert "Gewonnen raam" in won and "De nieuwste" not in won  # all of them: no note
