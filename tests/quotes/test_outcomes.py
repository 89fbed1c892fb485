"""Rule 6 on quote acceptance: the same reason rule and kans as every other entry point."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quotes import services
from quotes.models import Quote, QuoteStatus
from settings_app.models import Stage, TrajectType, WinLossReason
from settings_app.services import user_settings_set
from trajects.models import Traject
from trajects.services import traject_accountmanager_add

from ..factories import AccountmanagerFactory


@pytest.fixture
def sent(quote, am):
    return services.quote_send(quote=quote, user=am)


@pytest.fixture
def selecter(traject, am):
    """An accountmanager with Sales Select on, sharing am's traject."""
    user = AccountmanagerFactory(username="am_sel")
    user_settings_set(user=user, accountmanager=True, sales_select=True)
    traject_accountmanager_add(traject=traject, user=am, accountmanager=user)
    return user


def test_accepting_makes_the_traject_won_with_kans_100(sent, am, traject):
    services.quote_accept(quote=sent, user=am, set_order=True)
    traject = Traject.objects.get(pk=traject.pk)
    assert (traject.type.name, traject.probability, traject.open_probability) == ("Order", 100, 50)
    assert traject.closed_at is not None


def test_am_without_sales_select_needs_the_reason_on_a_shared_traject(sent, am, traject, selecter):
    with pytest.raises(ValidationError) as caught:
        services.quote_accept(quote=sent, user=am, set_order=True)
    assert "win_loss_reason" in caught.value.message_dict
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.SENT
    assert Traject.objects.get(pk=traject.pk).type.name == "Prospect"


def test_the_accept_page_asks_am_for_the_reason_on_a_shared_traject(
    client_for, sent, am, traject, selecter
):
    client = client_for(am)
    url = reverse("quotes:accept", args=[sent.pk])
    assert 'class="error">*' in client.get(url).text
    response = client.post(url, {"set_order": "on"})
    assert response.status_code == 200
    assert "Sales Select" in response.context["form"].errors["win_loss_reason"][0]
    reason = WinLossReason.objects.get(reason="Relatie")
    assert client.post(url, {"set_order": "on", "win_loss_reason": reason.pk}).status_code == 302
    assert Traject.objects.get(pk=traject.pk).win_loss_reason == reason


def test_a_traject_in_a_lost_stage_is_not_made_an_order(sent, am, traject):
    Traject.objects.filter(pk=traject.pk).update(
        stage=Stage.objects.get(name="Verloren"), type=TrajectType.objects.get(name="Lost")
    )
    with pytest.raises(ValidationError) as caught:
        services.quote_accept(quote=sent, user=am, set_order=True)
    assert "“Verloren”" in caught.value.message_dict["type"][0]
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.SENT
