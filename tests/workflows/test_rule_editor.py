"""Issue 15, points 4 and 6: key-users make rules in Instellingen; every refusal is a message
beside its field and saves nothing; nobody else finds the screen (404)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from settings_app.models import Stage
from workflows.models import Action, Rule

from .conftest import reason, rule_make, stage

pytestmark = pytest.mark.django_db
ADD = reverse("admin:workflows_rule_add")


def rule_data(**fields) -> dict:
    data = {
        "name": "Voorstel opvolgen",
        "active": "on",
        "trigger": "stage",
        "stage": str(stage("Voorstel").pk),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def action_data(*actions: dict) -> dict:
    data = {
        "actions-TOTAL_FORMS": str(len(actions)),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for index, action in enumerate(actions):
        data[f"actions-{index}-position"] = str(index)
        for key, value in action.items():
            data[f"actions-{index}-{key}"] = str(value)
    return data


TASK = {"kind": "task", "title": "Offerte nabellen", "days": "3"}


def errors_of(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", e).strip()
        for e in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    ]


def post(client, **kwargs):
    actions = kwargs.pop("actions", (TASK,))
    return client.post(ADD, rule_data(**kwargs) | action_data(*actions))


def test_a_keyuser_makes_a_rule(client_for, keyuser):
    response = post(client_for(keyuser))
    assert response.status_code == 302, errors_of(response.text)
    rule = Rule.objects.get()
    assert (rule.name, rule.stage, rule.active) == ("Voorstel opvolgen", stage("Voorstel"), True)
    assert list(rule.actions.values_list("kind", "title", "days")) == [
        ("task", "Offerte nabellen", 3)
    ]


@pytest.mark.parametrize("user_fixture", ["am", "beheerder", "nobody"])
def test_nobody_else_finds_the_rules(client_for, request, user_fixture):
    rule = rule_make(stage=stage("Voorstel"), actions=[TASK])
    client = client_for(request.getfixturevalue(user_fixture))
    assert client.get(reverse("admin:workflows_rule_changelist")).status_code == 404
    assert client.get(reverse("admin:workflows_rule_change", args=[rule.pk])).status_code == 404
    assert post(client).status_code == 404
    assert client.get(reverse("admin:workflows_actionrun_changelist")).status_code == 404
    assert Rule.objects.count() == 1


@pytest.mark.parametrize(
    "fields, actions, message",
    [
        (
            {},
            ({"kind": "task", "title": "x", "days": "-1"},),
            "Het aantal dagen mag niet negatief zijn.",
        ),
        ({}, ({"kind": "move_close", "days": "-5"},), "Het aantal dagen mag niet negatief zijn."),
        ({}, ({"kind": "probability", "probability": "101"},), "De kans ligt tussen 0 en 100."),
        ({}, ({"kind": "probability", "probability": "-1"},), "De kans ligt tussen 0 en 100."),
        ({}, ({"kind": "probability", "probability": "veel"},), "Voer een geheel getal in."),
        (
            {},
            ({"kind": "email", "recipients": "contact", "title": "Hallo", "text": ""},),
            "Een e-mail heeft een tekst (het sjabloon).",
        ),
        ({}, ({"kind": "email", "title": "Hallo", "text": "Tekst"},), "Kies de ontvangers."),
        (
            {},
            ({"kind": "email", "recipients": "contact", "title": "Hallo {naam}", "text": "x"},),
            "Onbekend veld: {naam}.",
        ),
        ({}, ({"kind": "note", "text": "Voor {klant}"},), "Onbekend veld: {klant}."),
        ({}, ({"kind": "add_am"},), "Kies de accountmanager."),
        ({}, (), "Een regel heeft minstens één actie."),
        ({"stage": ""}, (TASK,), "Kies de stage waarop de regel start."),
        ({"trigger": "status", "outcome": "", "stage": ""}, (TASK,), "Kies gewonnen of verloren."),
    ],
)
def test_refused_beside_the_field(client_for, keyuser, fields, actions, message):
    response = post(client_for(keyuser), actions=actions, **fields)
    assert response.status_code == 200
    assert any(message in error for error in errors_of(response.text)), errors_of(response.text)
    assert not Rule.objects.exists() and not Action.objects.exists()


def test_a_trigger_on_an_inactive_stage_is_refused(client_for, keyuser):
    Stage.objects.filter(name="Voorstel").update(active=False)
    response = post(client_for(keyuser))
    assert "Deze stage is niet actief; kies een actieve stage." in errors_of(response.text)
    assert not Rule.objects.exists()


def test_a_stage_outside_the_named_business_types_is_refused(client_for, keyuser, nb, eb):
    own = Stage.objects.create(name="Alleen NB", order=9)
    own.business_types.add(nb)
    response = client_for(keyuser).post(
        ADD, rule_data(stage=str(own.pk)) | {"business_types": [str(eb.pk)]} | action_data(TASK)
    )
    assert "Stage “Alleen NB” hoort niet bij: Existing business." in errors_of(response.text)
    assert not Rule.objects.exists()
    # Within its own business type it is fine.
    response = client_for(keyuser).post(
        ADD, rule_data(stage=str(own.pk)) | {"business_types": [str(nb.pk)]} | action_data(TASK)
    )
    assert response.status_code == 302 and list(Rule.objects.get().business_types.all()) == [nb]


def test_a_reason_of_the_other_status_is_refused(client_for, keyuser):
    response = post(
        client_for(keyuser),
        trigger="status",
        stage="",
        outcome="won",
        reason=str(reason("Te duur").pk),
    )
    assert "Deze reden hoort bij de andere status." in errors_of(response.text)


def test_a_forged_stage_id_is_a_message_not_a_500(client_for, keyuser):
    response = post(client_for(keyuser), stage="999999")
    assert response.status_code == 200 and errors_of(response.text)
    response = post(client_for(keyuser), actions=({"kind": "stage", "stage": "abc"},))
    assert response.status_code == 200 and errors_of(response.text)
    response = post(client_for(keyuser), name="x" * 5000)
    assert response.status_code == 200 and errors_of(response.text)
    assert not Rule.objects.exists()


def test_switching_a_rule_off_keeps_it(client_for, keyuser):
    rule = rule_make(stage=stage("Voorstel"), actions=[TASK])
    change = reverse("admin:workflows_rule_change", args=[rule.pk])
    action = rule.actions.get()
    data = rule_data() | {"active": ""} | action_data(TASK)
    data |= {
        "actions-INITIAL_FORMS": "1",
        "actions-0-id": str(action.pk),
        "actions-0-rule": str(rule.pk),
    }
    response = client_for(keyuser).post(change, data)
    assert response.status_code == 302, errors_of(response.text)
    rule.refresh_from_db()
    assert rule.active is False and rule.actions.count() == 1


def test_a_deactivated_stage_shows_a_warning_on_the_rule(client_for, keyuser):
    rule = rule_make(stage=stage("Voorstel"), actions=[TASK])
    Stage.objects.filter(name="Voorstel").update(active=False)
    client = client_for(keyuser)
    assert (
        "De stage “Voorstel” is niet meer actief"
        in client.get(reverse("admin:workflows_rule_changelist")).text
    )
    assert (
        "De stage “Voorstel” is niet meer actief"
        in client.get(reverse("admin:workflows_rule_change", args=[rule.pk])).text
    )


def test_the_test_email_goes_to_the_keyuser(client_for, keyuser):
    keyuser.email = "kees@bureau.example"
    keyuser.save()
    rule = rule_make(
        stage=stage("Voorstel"),
        actions=[
            {
                "kind": "email",
                "recipients": "contact",
                "title": "Voorstel {onderwerp}",
                "text": "Beste {contactpersoon}",
            }
        ],
    )
    client = client_for(keyuser)
    page = client.get(reverse("admin:workflows_rule_change", args=[rule.pk])).text
    assert "Test-e-mail naar mijzelf" in page
    response = client.post(reverse("admin:workflows_rule_test_email", args=[rule.pk]), follow=True)
    assert "Test-e-mail verzonden naar kees@bureau.example" in response.text
    (sent,) = mail.outbox
    assert sent.to == ["kees@bureau.example"] and sent.subject == "[Test] Voorstel Voorbeeldtraject"
    assert sent.body == "Beste Jan Jansen"
