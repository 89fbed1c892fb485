"""Moving a card over HTTP (issue 13, points 5 and 6): every refusal changes nothing.

404 for a traject the user may not see or a user without Sales Select; 403 with a message for
an undo of someone else's move; 400/409/422 with a message for bad input, a stale board or a
refused rule. The default stages belong to NB and EB both, so the business-type test configures
a stage of its own.
"""

import datetime
import re
import threading

import pytest
from django.db import close_old_connections
from django.urls import reverse

from settings_app.models import BusinessType, ClientSettings, Stage, WinLossReason
from settings_app.services import user_settings_set
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import TrajectFactory
from .conftest import board_url, htmx, stage

LIVE = "board-live"


def move_url(traject, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("board:move", args=[traject.pk])
    return url + (f"?{urlencode(query)}" if query else "")


def param(stage_or_none) -> str:
    return str(stage_or_none.pk) if stage_or_none is not None else "geen"


def post_move(client, traject, to, seen, **extra):
    data = {"stage": param(to), "stage_seen": param(seen), **extra}
    return client.post(move_url(traject), data, headers=htmx(LIVE))


def reload(traject):
    return Traject.objects.select_related("stage", "type").get(pk=traject.pk)


def stage_moves(traject) -> list[tuple[str, str]]:
    return list(
        DossierEntry.objects.filter(traject=traject, kind=DossierKind.STAGE_CHANGE)
        .order_by("created_at", "pk")
        .values_list("data__old", "data__new")
    )


def header(html: str, column) -> str:
    """The out-of-band header of this column in a move's response."""
    return re.search(rf'id="kolom-{column.pk}-kop".*?</header>', html, re.S).group(0)


def geen_header(html: str) -> str:
    return re.search(r'id="kolom-geen-kop" hx-swap-oob="true".*?</header>', html, re.S).group(0)


def undo_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def card(am, sales_select):
    return TrajectFactory(
        subject="Glazen deuren", accountmanagers=[am], stage=stage("Voorstel"), probability=60
    )


@pytest.fixture
def anna(client_for, am):
    return client_for(am)


class TestMove:
    def test_moves_and_returns_the_card_both_headers_and_an_undo(self, anna, card):
        response = post_move(anna, card, stage("Onderhandeling"), stage("Voorstel"))
        assert response.status_code == 200
        assert reload(card).stage == stage("Onderhandeling")
        assert stage_moves(card) == [("Voorstel", "Onderhandeling")]
        html = response.text
        assert html.startswith("“Glazen deuren” verplaatst naar Onderhandeling.")
        assert f'<li id="kaart-{card.pk}" hx-swap-oob="delete">' in html
        to = stage("Onderhandeling").pk
        assert f'hx-swap-oob="afterbegin:#kolom-{to}-kaarten"' in html
        for key in (stage("Voorstel").pk, to):
            assert re.search(rf'id="kolom-{key}-kop" hx-swap-oob="true"', html)
        assert "Ongedaan maken" in html and undo_token(html)

    def test_the_headers_count_the_move(self, anna, card, am):
        TrajectFactory(accountmanagers=[am], stage=stage("Onderhandeling"))
        html = post_move(anna, card, stage("Onderhandeling"), stage("Voorstel")).text
        to, left = header(html, stage("Onderhandeling")), header(html, stage("Voorstel"))
        assert 'data-count="2"' in to and 'data-count="0"' in left

    def test_without_htmx_redirects_back_to_the_board(self, anna, card):
        response = anna.post(move_url(card), {"stage": param(stage("Introductie")),
                                              "stage_seen": param(stage("Voorstel"))})  # fmt: skip
        assert response.status_code == 302 and response.url.startswith(reverse("board:index"))
        assert reload(card).stage == stage("Introductie")

    def test_back_to_no_stage(self, anna, card):
        response = post_move(anna, card, None, stage("Voorstel"))
        assert response.status_code == 200 and reload(card).stage is None
        assert 'hx-swap-oob="afterbegin:#kolom-geen-kaarten"' in response.text
        assert 'data-count="1"' in geen_header(response.text)
        assert 'data-count="0"' in header(response.text, stage("Voorstel"))

    def test_from_no_stage_updates_its_header(self, anna, am, sales_select):
        lead = TrajectFactory(accountmanagers=[am], stage=None)
        response = post_move(anna, lead, stage("Introductie"), None)
        assert 'data-count="0"' in geen_header(response.text)
        assert 'data-count="1"' in header(response.text, stage("Introductie"))

    def test_a_lead_moved_by_its_accountmanager_converts(self, anna, am, sales_select):
        lead = TrajectFactory(accountmanagers=[am], converted_at=None, stage=None)
        assert post_move(anna, lead, stage("Introductie"), None).status_code == 200
        assert reload(lead).converted_at is not None

    def test_a_colleagues_change_of_kans_does_not_block_it(self, anna, card, am, other_am):
        services.traject_accountmanager_add(traject=card, user=am, accountmanager=other_am)
        services.traject_update(traject=card, user=other_am, changes={"probability": 80})
        assert post_move(anna, card, stage("Introductie"), stage("Voorstel")).status_code == 200
        assert reload(card).stage == stage("Introductie") and reload(card).probability == 80

    def test_a_move_keeps_the_boards_filters_in_the_headers(self, anna, card, am):
        TrajectFactory(accountmanagers=[am], stage=stage("Onderhandeling"), subject="Anders")
        response = anna.post(
            move_url(card, keyword="Glazen"),
            {"stage": param(stage("Onderhandeling")), "stage_seen": param(stage("Voorstel"))},
            headers=htmx(LIVE),
        )
        assert 'data-count="1"' in header(response.text, stage("Onderhandeling"))

    def test_queries_are_bounded(self, anna, card, django_assert_max_num_queries):
        with django_assert_max_num_queries(40):
            post_move(anna, card, stage("Onderhandeling"), stage("Voorstel"))


class TestRefused:
    def test_a_traject_the_user_may_not_see_is_404(self, client_for, other_am, card):
        response = post_move(client_for(other_am), card, stage("Introductie"), stage("Voorstel"))
        assert response.status_code == 404
        assert reload(card).stage == stage("Voorstel")

    def test_a_user_without_sales_select_gets_404(self, anna, card):
        ClientSettings.objects.filter(pk=1).update(sales_select_enabled=False)
        response = post_move(anna, card, stage("Introductie"), stage("Voorstel"))
        assert response.status_code == 404 and reload(card).stage == stage("Voorstel")

    def test_get_shows_the_menu_and_moves_nothing(self, anna, card):
        response = anna.get(move_url(card, seen=stage("Voorstel").pk), headers=htmx())
        assert response.status_code == 200 and 'class="board-move-form"' in response.text
        assert reload(card).stage == stage("Voorstel") and stage_moves(card) == []

    def test_the_menu_of_an_invisible_card_is_404(self, client_for, other_am, card):
        assert client_for(other_am).get(move_url(card)).status_code == 404

    @pytest.mark.parametrize("seen", ["x" * 3000, "99999", "²"])
    def test_the_menu_with_a_garbage_seen_stage(self, anna, card, seen):
        response = anna.get(move_url(card, seen=seen), headers=htmx())
        assert response.status_code == 422

    def test_a_stage_of_another_business_type(self, anna, card):
        nb_only = Stage.objects.create(name="Pitch NB", order=2)
        nb_only.business_types.add(BusinessType.objects.get(code="NB"))
        response = post_move(anna, card, nb_only, stage("Voorstel"))
        assert response.status_code == 422
        assert "hoort niet bij business" in response.text
        assert reload(card).stage == stage("Voorstel") and stage_moves(card) == []
        # the card goes back where it is
        assert f"afterbegin:#kolom-{stage('Voorstel').pk}-kaarten" in response.text

    def test_an_inactive_stage(self, anna, card):
        Stage.objects.filter(name="Introductie").update(active=False)
        response = post_move(anna, card, stage("Introductie"), stage("Voorstel"))
        assert response.status_code == 422 and "niet meer actief" in response.text
        assert reload(card).stage == stage("Voorstel")

    @pytest.mark.parametrize(
        "raw", ["999999", "abc", "-1", "0", "²", "١٢", "9" * 40, "x" * 10_000, "1 OR 1=1"]
    )
    def test_a_stage_that_does_not_exist(self, anna, card, raw):
        response = anna.post(
            move_url(card), {"stage": raw, "stage_seen": param(stage("Voorstel"))},
            headers=htmx(LIVE),
        )  # fmt: skip
        assert response.status_code == 422 and "bestaat niet" in response.text
        assert reload(card).stage == stage("Voorstel")

    def test_no_stage_at_all(self, anna, card):
        response = anna.post(move_url(card), {"stage_seen": "geen"}, headers=htmx(LIVE))
        assert response.status_code == 400 and reload(card).stage == stage("Voorstel")

    def test_a_missing_stage_seen(self, anna, card):
        response = anna.post(
            move_url(card), {"stage": param(stage("Introductie"))}, headers=htmx(LIVE)
        )
        assert response.status_code == 400 and "Herlaad het bord" in response.text
        assert reload(card).stage == stage("Voorstel")

    def test_a_garbage_stage_seen(self, anna, card):
        response = anna.post(
            move_url(card), {"stage": param(stage("Introductie")), "stage_seen": "x" * 5000},
            headers=htmx(LIVE),
        )  # fmt: skip
        assert response.status_code == 422 and reload(card).stage == stage("Voorstel")

    def test_a_stale_stage_seen_shows_the_card_where_it_really_is(
        self, anna, card, am, other_am, client_for
    ):
        services.traject_accountmanager_add(traject=card, user=am, accountmanager=other_am)
        bob = client_for(other_am)
        assert post_move(bob, card, stage("Onderhandeling"), stage("Voorstel")).status_code == 200
        anna = client_for(am)
        response = post_move(anna, card, stage("Introductie"), stage("Voorstel"))
        assert response.status_code == 409
        assert "intussen gewijzigd in “Onderhandeling”" in response.text
        assert other_am.get_full_name() in response.text
        assert f"afterbegin:#kolom-{stage('Onderhandeling').pk}-kaarten" in response.text
        assert reload(card).stage == stage("Onderhandeling")
        assert len(stage_moves(card)) == 1

    def test_a_refusal_without_htmx_is_a_page_with_the_message(self, anna, card):
        response = anna.post(move_url(card), {"stage": param(stage("Introductie"))})
        assert response.status_code == 400 and "Terug naar het bord" in response.text


@pytest.fixture
def lost_stage():
    return stage("Verloren")


class TestOutcome:
    def test_an_outcome_stage_asks_for_the_reason_of_that_outcome_only(
        self, anna, card, lost_stage
    ):
        response = post_move(anna, card, lost_stage, stage("Voorstel"))
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#board-dialog"
        for reason in WinLossReason.objects.filter(outcome="lost"):
            assert f">{reason.reason}</option>" in response.text
        for reason in WinLossReason.objects.filter(outcome="won"):
            assert f">{reason.reason}</option>" not in response.text
        assert 'name="reden" id="board-reden" required' in response.text
        traject = reload(card)
        assert traject.stage == stage("Voorstel") and traject.type.outcome == "open"

    def test_the_reason_is_optional_when_rule_6_does_not_ask_for_it(
        self, client_for, beheerder, card, lost_stage
    ):
        """Sales Select on for the beheerder alone, off for the client and the traject's
        accountmanager: rule 6 does not ask for a reason, whoever moves it."""
        ClientSettings.objects.filter(pk=1).update(sales_select_enabled=False)
        user_settings_set(user=beheerder, beheerder=True, sales_select=True)
        viewer = client_for(beheerder)
        response = post_move(viewer, card, lost_stage, stage("Voorstel"))
        assert response.status_code == 200 and "(optioneel)" in response.text
        assert 'id="board-reden" required' not in response.text
        response = post_move(viewer, card, lost_stage, stage("Voorstel"), bevestigd="1")
        assert response.status_code == 200
        traject = reload(card)
        assert traject.type.outcome == "lost" and traject.win_loss_reason is None

    def test_required_when_an_accountmanager_on_the_traject_has_sales_select(
        self, client_for, am, card, lost_stage
    ):
        ClientSettings.objects.filter(pk=1).update(sales_select_enabled=False)
        user_settings_set(user=am, accountmanager=True, sales_select=True)
        response = post_move(client_for(am), card, lost_stage, stage("Voorstel"))
        assert 'id="board-reden" required' in response.text

    def test_confirming_without_a_required_reason_is_refused(self, anna, card, lost_stage):
        response = post_move(anna, card, lost_stage, stage("Voorstel"), bevestigd="1")
        assert response.status_code == 422
        assert "Kies een gewonnen/verloren reden" in response.text
        assert response["HX-Retarget"] == "#board-dialog"
        assert reload(card).type.outcome == "open" and stage_moves(card) == []

    def test_a_reason_of_the_other_outcome_is_refused(self, anna, card, lost_stage):
        won_reason = WinLossReason.objects.filter(outcome="won").first()
        response = post_move(
            anna, card, lost_stage, stage("Voorstel"), bevestigd="1", reden=won_reason.pk
        )
        assert response.status_code == 422
        assert reload(card).type.outcome == "open" and stage_moves(card) == []

    def test_a_reason_that_does_not_exist(self, anna, card, lost_stage):
        response = post_move(anna, card, lost_stage, stage("Voorstel"), bevestigd="1", reden="x")
        assert response.status_code == 422 and reload(card).type.outcome == "open"

    def test_confirming_with_a_reason_closes_and_the_card_leaves(self, anna, card, lost_stage):
        reason = WinLossReason.objects.get(reason="Te duur")
        response = post_move(
            anna, card, lost_stage, stage("Voorstel"), bevestigd="1", reden=reason.pk
        )
        assert response.status_code == 200
        traject = reload(card)
        assert traject.type.outcome == "lost" and traject.probability == 0
        assert traject.win_loss_reason == reason
        assert traject.closed_from_stage == stage("Voorstel")
        assert f'<li id="kaart-{card.pk}" hx-swap-oob="delete">' in response.text
        assert "afterbegin:" not in response.text  # not on the open board any more
        assert stage_moves(card) == [("Voorstel", "Verloren")]

    def test_no_lost_reasons_configured(self, anna, card, lost_stage):
        WinLossReason.objects.filter(outcome="lost").update(active=False)
        page = anna.get(board_url())
        assert "geen verloren-redenen ingesteld" in page.text
        menu = anna.get(move_url(card, seen=stage("Voorstel").pk), headers=htmx()).text
        assert f'name="stage" value="{lost_stage.pk}"' not in menu  # no button into it
        assert "Verloren · geen redenen ingesteld" in menu
        assert f'name="stage" value="{stage("Gewonnen").pk}"' in menu
        response = post_move(anna, card, lost_stage, stage("Voorstel"))
        assert response.status_code == 422 and "geen verloren-redenen" in response.text
        assert reload(card).type.outcome == "open"


class TestUndo:
    def test_undo_within_ten_seconds_moves_it_back(self, anna, card, time_machine):
        token = undo_token(post_move(anna, card, stage("Introductie"), stage("Voorstel")).text)
        time_machine.shift(datetime.timedelta(seconds=9))
        response = anna.post(reverse("board:undo"), {"token": token}, headers=htmx(LIVE))
        assert response.status_code == 200 and "Ongedaan gemaakt" in response.text
        assert reload(card).stage == stage("Voorstel")
        assert stage_moves(card) == [("Voorstel", "Introductie"), ("Introductie", "Voorstel")]

    def test_undo_of_a_lost_move_reopens(self, anna, card):
        reason = WinLossReason.objects.get(reason="Te duur")
        response = post_move(
            anna, card, stage("Verloren"), stage("Voorstel"), bevestigd="1", reden=reason.pk
        )
        anna.post(reverse("board:undo"), {"token": undo_token(response.text)}, headers=htmx(LIVE))
        traject = reload(card)
        assert traject.stage == stage("Voorstel") and traject.type.outcome == "open"
        assert traject.probability == 60

    def test_undo_after_ten_seconds_is_refused(self, anna, card, time_machine):
        token = undo_token(post_move(anna, card, stage("Introductie"), stage("Voorstel")).text)
        time_machine.shift(datetime.timedelta(seconds=11))
        response = anna.post(reverse("board:undo"), {"token": token}, headers=htmx(LIVE))
        assert response.status_code == 409 and "kan niet meer" in response.text
        assert reload(card).stage == stage("Introductie")

    def test_undo_by_someone_else_is_403(self, anna, card, am, beheerder, client_for):
        token = undo_token(post_move(anna, card, stage("Introductie"), stage("Voorstel")).text)
        response = client_for(beheerder).post(reverse("board:undo"), {"token": token})
        assert response.status_code == 403 and "Alleen wie de kaart verplaatste" in response.text
        assert reload(card).stage == stage("Introductie")

    def test_undo_of_an_invisible_traject_is_404(self, anna, card, other_am, client_for):
        token = undo_token(post_move(anna, card, stage("Introductie"), stage("Voorstel")).text)
        response = client_for(other_am).post(reverse("board:undo"), {"token": token})
        assert response.status_code == 404

    @pytest.mark.parametrize("token", ["", "garbage", "x" * 10_000])
    def test_a_forged_token(self, anna, card, token):
        response = anna.post(reverse("board:undo"), {"token": token}, headers=htmx(LIVE))
        assert response.status_code == 400 and reload(card).stage == stage("Voorstel")

    def test_undo_after_someone_else_moved_it_is_refused(
        self, anna, card, am, other_am, client_for
    ):
        services.traject_accountmanager_add(traject=card, user=am, accountmanager=other_am)
        token = undo_token(post_move(anna, card, stage("Introductie"), stage("Voorstel")).text)
        post_move(client_for(other_am), card, stage("Onderhandeling"), stage("Introductie"))
        response = client_for(am).post(reverse("board:undo"), {"token": token}, headers=htmx(LIVE))
        assert response.status_code == 409
        assert reload(card).stage == stage("Onderhandeling")


class TestCardPlace:
    def test_puts_the_card_back_where_it_is(self, anna, card):
        response = anna.get(reverse("board:card", args=[card.pk]), headers=htmx(LIVE))
        assert response.status_code == 200
        assert f"afterbegin:#kolom-{stage('Voorstel').pk}-kaarten" in response.text

    def test_an_invisible_card_is_404(self, client_for, other_am, card):
        response = client_for(other_am).get(reverse("board:card", args=[card.pk]))
        assert response.status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(5))
def test_two_simultaneous_moves_over_http_one_succeeds(am, other_am, client, run):
    from django.test import Client

    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": True})
    traject = TrajectFactory(accountmanagers=[am, other_am], stage=stage("Voorstel"))
    clients = [Client(), Client()]
    clients[0].force_login(am)
    clients[1].force_login(other_am)
    targets = [stage("Introductie"), stage("Onderhandeling")]
    seen = stage("Voorstel")
    barrier = threading.Barrier(2)
    results = [None, None]

    def run_move(i):
        try:
            barrier.wait()
            results[i] = post_move(clients[i], traject, targets[i], seen)
        except Exception as exc:  # noqa: BLE001 -- the test inspects every outcome
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run_move, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(getattr(r, "status_code", r) for r in results)
    assert statuses == [200, 409], results
    winner = 0 if results[0].status_code == 200 else 1
    assert reload(traject).stage == targets[winner]
    assert stage_moves(traject) == [("Voorstel", targets[winner].name)]


class TestWithoutJavaScript:
    def test_an_outcome_move_asks_the_reason_on_a_page_then_saves(self, anna, card):
        data = {"stage": param(stage("Verloren")), "stage_seen": param(stage("Voorstel"))}
        page = anna.post(move_url(card), data)
        assert page.status_code == 200 and '<select name="reden"' in page.text
        assert 'name="bevestigd" value="1"' in page.text
        assert reload(card).type.outcome == "open"
        reason = WinLossReason.objects.get(reason="Geen budget")
        response = anna.post(move_url(card), data | {"bevestigd": "1", "reden": reason.pk})
        assert response.status_code == 302
        assert reload(card).win_loss_reason == reason

    def test_the_menu_is_a_link_to_a_page_with_a_plain_form(self, anna, card):
        html = anna.get(board_url()).text
        link = f'href="{move_url(card)}?seen={stage("Voorstel").pk}'
        assert link in html
        page = anna.get(move_url(card, seen=stage("Voorstel").pk))
        assert page.status_code == 200 and "<!doctype html>" in page.text
        assert f'action="{move_url(card)}"' in page.text
        assert f'name="stage_seen" value="{stage("Voorstel").pk}"' in page.text
        targets = re.findall(r'name="stage" value="([^"]+)"[^>]*>([^<]+)<', page.text)
        assert [name for _value, name in targets] == [
            "Geen stage", "Introductie", "Behoefteanalyse", "Onderhandeling", "Gewonnen",
            "Verloren",
        ]  # fmt: skip
        response = anna.post(
            move_url(card), {"stage": targets[1][0], "stage_seen": stage("Voorstel").pk}
        )
        assert response.status_code == 302 and reload(card).stage == stage("Introductie")

    def test_the_menu_keeps_the_stage_the_board_showed(self, anna, card, am, other_am):
        """The board showed the card in Voorstel; a colleague moved it since: the menu still
        sends Voorstel as seen, so the move is refused rather than made blind."""
        services.traject_accountmanager_add(traject=card, user=am, accountmanager=other_am)
        services.traject_update(
            traject=card, user=other_am, changes={"stage": stage("Introductie")}
        )
        menu = anna.get(move_url(card, seen=stage("Voorstel").pk), headers=htmx()).text
        assert f'name="stage_seen" value="{stage("Voorstel").pk}"' in menu
