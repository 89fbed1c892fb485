"""Point 1: the switch (SE3573) and the "nothing configured" page."""

import pytest
from django.urls import reverse

from settings_app.models import ClientSettings, Source, Stage, WinLossReason
from settings_app.services import user_settings_set

from ..factories import TrajectFactory
from .conftest import board_url, htmx

BOARD_URLS = [
    reverse("board:index"),
    reverse("board:more") + "?stage=geen&after=2027-01-01_1",
    reverse("board:header") + "?stage=geen",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", BOARD_URLS)
def test_without_sales_select_every_board_url_is_404(client_for, am, url):
    TrajectFactory(accountmanagers=[am])
    assert client_for(am).get(url).status_code == 404
    assert client_for(am).get(url, headers=htmx()).status_code == 404


@pytest.mark.django_db
def test_nav_item_only_with_sales_select(client_for, am):
    page = client_for(am).get(reverse("trajects:list")).text
    assert reverse("board:index") not in page
    ClientSettings.objects.filter(pk=1).update(sales_select_enabled=True)
    am.__dict__.pop("_sales_roles", None)
    page = client_for(am).get(reverse("trajects:list")).text
    assert f'href="{reverse("board:index")}"' in page
    assert ">Bord<" in page


@pytest.mark.django_db
def test_sales_select_for_one_user_only(client, am, other_am):
    user_settings_set(user=am, accountmanager=True, sales_select=True)
    client.force_login(am)
    response = client.get(board_url())
    assert response.status_code == 200
    assert f'href="{reverse("board:index")}"' in response.text
    client.force_login(other_am)
    assert client.get(board_url()).status_code == 404
    assert f'href="{reverse("board:index")}"' not in client.get(reverse("trajects:list")).text


@pytest.mark.django_db
def test_sales_select_for_the_client(client_for, am, other_am, sales_select):
    assert client_for(am).get(board_url()).status_code == 200
    assert client_for(other_am).get(board_url()).status_code == 200


def _without_stages():
    Stage.objects.update(active=False)


@pytest.mark.django_db
def test_nothing_configured_says_what_is_missing(client_for, am, sales_select):
    _without_stages()
    Source.objects.update(active=False)
    WinLossReason.objects.filter(outcome="won").update(active=False)
    response = client_for(am).get(board_url())
    assert response.status_code == 200
    page = response.text
    assert 'class="board-columns"' not in page
    steps = page.split('class="setup-steps"')[1].split("</ol>")[0]
    items = steps.split("<li")[1:]
    assert len(items) == 5
    done = {
        item.split("<strong>")[1].split("</strong>")[0]: "ontbreekt nog" not in item
        for item in items
    }
    assert done == {
        "Business types": True,
        "Stages": False,
        "Bronnen": False,
        "Indicator resterende dagen": True,
        "Gewonnen/verloren redenen": False,
    }
    assert "gewonnen" in items[4] and "Ontbreekt voor" in items[4]
    # An accountmanager gets no links into the settings (they answer 404 for him).
    assert reverse("admin:settings_app_stage_changelist") not in page


@pytest.mark.django_db
def test_nothing_configured_gives_a_keyuser_links(client_for, keyuser, sales_select):
    _without_stages()
    page = client_for(keyuser).get(board_url()).text
    for name in ("businesstype", "stage", "source", "winlossreason"):
        assert reverse(f"admin:settings_app_{name}_changelist") in page
    assert reverse("admin:settings_app_clientsettings_changelist") in page


@pytest.mark.django_db
def test_stages_of_inactive_business_types_do_not_count(client_for, am, sales_select):
    from settings_app.models import BusinessType

    BusinessType.objects.update(active=False)
    page = client_for(am).get(board_url()).text
    assert 'class="setup-steps"' in page
