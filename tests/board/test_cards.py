"""Point 2: one board per business type, its stages as columns, the open trajects as cards."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from settings_app.models import BusinessType, Stage, TrajectType

from ..factories import AccountmanagerFactory, TrajectFactory
from .cards import board_columns, card_ids
from .conftest import board_url, stage

DEFAULT_COLUMNS = [
    "Geen stage",
    "Introductie",
    "Behoefteanalyse",
    "Voorstel",
    "Onderhandeling",
    "Gewonnen",
    "Verloren",
]


@pytest.mark.django_db
def test_columns_are_the_stages_in_their_order_after_geen_stage(client_for, am, sales_select, eb):
    Stage.objects.filter(name="Voorstel").update(order=0)
    Stage.objects.filter(name="Introductie").update(order=9)
    columns = board_columns(client_for(am).get(board_url(business_type=eb.pk)).text)
    assert list(columns) == [
        "Geen stage",
        "Voorstel",
        "Behoefteanalyse",
        "Onderhandeling",
        "Gewonnen",
        "Verloren",
        "Introductie",
    ]
    assert columns["Geen stage"]["stage"] == ""
    assert columns["Voorstel"]["stage"] == str(stage("Voorstel").pk)
    # Each column is a region named by its stage.
    assert columns["Voorstel"]["label"] == f"kolom-{stage('Voorstel').pk}-naam"


@pytest.mark.django_db
def test_cards_visible_per_role(client_for, am, other_am, beheerder, sales_select, eb):
    mine = TrajectFactory(subject="Mijn deal", accountmanagers=[am], business_type=eb)
    shared = TrajectFactory(subject="Gedeeld", accountmanagers=[other_am, am], business_type=eb)
    theirs = TrajectFactory(subject="Van Bob", accountmanagers=[other_am], business_type=eb)
    my_lead = TrajectFactory(
        subject="Mijn lead", accountmanagers=[am], business_type=eb, converted_at=None
    )
    pool = TrajectFactory(subject="In de pot", business_type=eb, converted_at=None)
    url = board_url(business_type=eb.pk)

    assert set(card_ids(client_for(am).get(url).text)) == {mine.pk, shared.pk, my_lead.pk}
    assert set(card_ids(client_for(other_am).get(url).text)) == {shared.pk, theirs.pk}
    everything = {mine.pk, shared.pk, theirs.pk, my_lead.pk, pool.pk}
    assert set(card_ids(client_for(beheerder).get(url).text)) == everything
    # The invisible card is not on the page at all, not even its subject.
    assert "Van Bob" not in client_for(am).get(url).text
    assert "In de pot" not in client_for(am).get(url).text


@pytest.mark.django_db
def test_a_user_without_a_sales_role_sees_no_cards(client_for, nobody, am, sales_select, eb):
    TrajectFactory(accountmanagers=[am], business_type=eb)
    response = client_for(nobody).get(board_url(business_type=eb.pk))
    assert response.status_code == 200
    assert card_ids(response.text) == []


@pytest.mark.django_db
def test_only_open_trajects_of_the_business_type(client_for, am, sales_select, eb, nb):
    open_one = TrajectFactory(accountmanagers=[am], business_type=eb)
    won = TrajectFactory(
        accountmanagers=[am], business_type=eb, type=TrajectType.objects.get(name="Order")
    )
    lost = TrajectFactory(
        accountmanagers=[am], business_type=eb, type=TrajectType.objects.get(name="Lost")
    )
    deleted = TrajectFactory(accountmanagers=[am], business_type=eb, deleted_at=timezone.now())
    other_type = TrajectFactory(accountmanagers=[am], business_type=nb)
    ids = card_ids(client_for(am).get(board_url(business_type=eb.pk)).text)
    assert ids == [open_one.pk]
    assert won.pk not in ids and lost.pk not in ids and deleted.pk not in ids
    assert card_ids(client_for(am).get(board_url(business_type=nb.pk)).text) == [other_type.pk]


@pytest.mark.django_db
def test_default_board_is_the_first_business_type_with_my_open_trajects(
    client_for, am, other_am, sales_select, eb, nb
):
    # NB comes first in the configured order, but am has open trajects only in EB.
    assert nb.order < eb.order
    TrajectFactory(accountmanagers=[am], business_type=eb)
    TrajectFactory(accountmanagers=[other_am], business_type=nb)
    TrajectFactory(
        accountmanagers=[am], business_type=nb, type=TrajectType.objects.get(name="Order")
    )
    page = client_for(am).get(board_url()).text
    assert f'data-business-type="{eb.pk}"' in page
    tab = page.split('class="board-tabs"')[1].split("</nav>")[0]
    current = tab.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert f"business_type={eb.pk}" in current
    assert f"--tab-colour: {eb.colour}" in current
    # Nothing open anywhere: the first business type.
    page = client_for(AccountmanagerFactory()).get(board_url()).text
    assert f'data-business-type="{nb.pk}"' in page


@pytest.mark.django_db
def test_geen_stage_holds_no_stage_inactive_and_unlinked_stages(
    client_for, am, sales_select, eb, nb
):
    gone = Stage.objects.create(name="Oude stage", order=3, active=False)
    gone.business_types.add(eb)
    only_nb = Stage.objects.create(name="Alleen NB", order=3)
    only_nb.business_types.add(nb)
    none = TrajectFactory(subject="Zonder", accountmanagers=[am], business_type=eb)
    inactive = TrajectFactory(subject="Oud", accountmanagers=[am], business_type=eb, stage=gone)
    unlinked = TrajectFactory(subject="Los", accountmanagers=[am], business_type=eb, stage=only_nb)
    placed = TrajectFactory(
        subject="Goed", accountmanagers=[am], business_type=eb, stage=stage("Voorstel")
    )
    columns = board_columns(client_for(am).get(board_url(business_type=eb.pk)).text)
    geen = {card["id"]: card for card in columns["Geen stage"]["cards"]}
    assert set(geen) == {none.pk, inactive.pk, unlinked.pk}
    assert columns["Geen stage"]["count"] == 3
    assert not geen[none.pk]["misplaced"]
    assert geen[inactive.pk]["misplaced"] and "niet meer actief" in geen[inactive.pk]["text"]
    assert geen[unlinked.pk]["misplaced"] and "hoort niet bij" in geen[unlinked.pk]["text"]
    # data-stage says where the card really is (the stage the user saw), even in Geen stage.
    assert geen[inactive.pk]["stage"] == str(gone.pk)
    assert [card["id"] for card in columns["Voorstel"]["cards"]] == [placed.pk]
    assert "Alleen NB" not in columns and "Oude stage" not in columns


@pytest.mark.django_db
def test_a_stage_of_another_business_type_is_not_a_column(client_for, am, sales_select, eb, nb):
    """A configuration of its own: the default stages belong to both types, and one stage
    only to NB."""
    assert all(set(s.business_types.all()) == {eb, nb} for s in Stage.objects.all())
    own = Stage.objects.create(name="Pitch bij bureau", order=2)
    own.business_types.add(nb)
    nb_card = TrajectFactory(accountmanagers=[am], business_type=nb, stage=own)
    eb_columns = board_columns(client_for(am).get(board_url(business_type=eb.pk)).text)
    nb_columns = board_columns(client_for(am).get(board_url(business_type=nb.pk)).text)
    assert "Pitch bij bureau" not in eb_columns
    assert list(eb_columns) == DEFAULT_COLUMNS
    assert "Pitch bij bureau" in nb_columns
    assert [card["id"] for card in nb_columns["Pitch bij bureau"]["cards"]] == [nb_card.pk]
    # Nor can its column be asked for on the other board.
    more = reverse("board:more") + f"?business_type={eb.pk}&stage={own.pk}"
    assert client_for(am).get(more).status_code == 404


@pytest.mark.django_db
def test_card_content(client_for, am, other_am, sales_select, eb):
    subject = "Nieuwe glazen deuren in het gehele pand van de klant, " * 3
    am.first_name, am.last_name = "Anna", "de Vries"
    am.save()
    other_am.first_name, other_am.last_name = "Bob", "Jansen"
    other_am.save()
    traject = TrajectFactory(
        subject=subject.strip(),
        accountmanagers=[am, other_am],
        business_type=eb,
        value=Decimal("100.01"),
        probability=30,
        stage=stage("Voorstel"),
    )
    page = client_for(am).get(board_url(business_type=eb.pk)).text
    card = page.split(f'id="kaart-{traject.pk}"')[1].split("</li>")[0]
    assert f'title="{subject.strip()}"' in card  # the full subject on hover
    assert traject.relation.name in card
    assert "30%" in card
    assert '<abbr title="Anna de Vries">AV</abbr>' in card
    assert '<abbr title="Bob Jansen">BJ</abbr>' in card
    assert f'aria-labelledby="kaart-{traject.pk}-onderwerp"' in page
    # am's own board is seen per accountmanager: his share, € 50,01 of € 100,01 (the first
    # link has the remainder cent) — shown in whole euros.
    assert "€ 50" in card


@pytest.mark.django_db
def test_cards_ordered_by_expected_close(client_for, am, sales_select, eb, frozen_clock):
    later = TrajectFactory(
        accountmanagers=[am], business_type=eb, expected_close=frozen_clock + datetime.timedelta(9)
    )
    sooner = TrajectFactory(
        accountmanagers=[am], business_type=eb, expected_close=frozen_clock - datetime.timedelta(9)
    )
    assert card_ids(client_for(am).get(board_url(business_type=eb.pk)).text) == [
        sooner.pk,
        later.pk,
    ]


@pytest.mark.django_db
def test_business_types_tabs_in_their_colour(client_for, am, sales_select):
    BusinessType.objects.create(name="Detachering", code="DT", colour="#aa00cc", order=5)
    BusinessType.objects.create(name="Weg", code="WG", colour="#000000", active=False)
    page = client_for(am).get(board_url()).text
    tabs = page.split('class="board-tabs"')[1].split("</nav>")[0]
    assert "--tab-colour: #aa00cc" in tabs and "Detachering" in tabs
    assert "Weg" not in tabs


@pytest.mark.django_db
def test_the_board_says_whose_share_the_amounts_are(client_for, am, beheerder, sales_select, eb):
    am.first_name, am.last_name = "Anna", "Smit"
    am.save()
    TrajectFactory(accountmanagers=[am], business_type=eb)
    assert "het aandeel van Anna Smit" in client_for(am).get(board_url()).text
    page = client_for(beheerder).get(board_url(business_type=eb.pk)).text
    assert "het aandeel van" not in page
    page = client_for(beheerder).get(board_url(business_type=eb.pk, accountmanager=am.pk)).text
    assert "het aandeel van Anna Smit" in page


@pytest.mark.django_db
def test_a_card_plans_a_follow_up_task(client_for, am, other_am, sales_select, eb):
    """The card's "Taak plannen" opens the traject's Taken form (issue 15); a task planned there
    is the traject's; for someone who may not see the traject the link's target is 404."""
    traject = TrajectFactory(subject="Deal", accountmanagers=[am], business_type=eb)
    client = client_for(am)
    page = client.get(board_url(business_type=eb.pk)).text
    link = reverse("followups:traject", args=[traject.pk])
    card = page.split(f'id="kaart-{traject.pk}"')[1].split("</li>")[0]
    assert f'<a class="board-card-task" href="{link}">Taak plannen' in card
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].endswith("#taken")
    planned = client.post(link, {"title": "Offerte nabellen", "due_on": "07-12-2026"})
    assert planned.status_code == 302
    assert list(traject.tasks.values_list("title", flat=True)) == ["Offerte nabellen"]
    assert client_for(other_am).get(link).status_code == 404
