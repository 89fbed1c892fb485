"""Rule 9 over HTTP: two people editing the same traject never silently overwrite each other."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.test import Client
from django.utils.html import escape

from trajects.models import DossierEntry, DossierKind, Traject

from .conftest import htmx, loaded_form, url
from .html import form_data


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


@pytest.fixture
def shared(traject, other_am):
    from trajects import services

    services.traject_accountmanager_add(
        traject=traject, user=traject.accountmanagers.first(), accountmanager=other_am
    )
    return reload(traject)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestConflicts:
    def test_same_field_is_refused_naming_who_and_what_keeping_the_typed_value(
        self, am, other_am, shared
    ):
        anna, bob = logged_in(am), logged_in(other_am)
        anna_form, bob_form = loaded_form(anna, shared), loaded_form(bob, shared)
        assert bob.post(url("informatie", shared.pk), bob_form | {"probability": "80"}).status_code
        response = anna.post(
            url("informatie", shared.pk),
            anna_form | {"probability": "30", "subject": "Anna's onderwerp"},
            headers=htmx("informatie"),
        )
        assert response.status_code == 200
        beside = response.text.split('name="probability"')[1].split("</div>")[0]
        who = escape(other_am.get_full_name())
        assert f"{who} heeft kans intussen gewijzigd in “80%”" in beside
        assert "Niet bewaard" in response.text
        shown = form_data(response.text, action=url("informatie", shared.pk))
        assert shown["probability"] == "30"  # what Anna typed is kept
        assert shown["subject"] == "Anna's onderwerp"
        assert shown["initial-probability"] == "80"  # saving again is now her choice
        traject = reload(shared)
        assert (traject.probability, traject.subject) == (80, "Glazen deuren")  # nothing saved
        # Anna read the message and saves again: now her value counts, knowingly.
        assert anna.post(url("informatie", shared.pk), shown).status_code == 302
        traject = reload(shared)
        assert (traject.probability, traject.subject) == (30, "Anna's onderwerp")

    def test_fields_the_user_did_not_touch_follow_the_other_save(self, am, other_am, shared):
        anna, bob = logged_in(am), logged_in(other_am)
        anna_form, bob_form = loaded_form(anna, shared), loaded_form(bob, shared)
        bob.post(url("informatie", shared.pk), bob_form | {"probability": "80", "value": "9000"})
        response = anna.post(url("informatie", shared.pk), anna_form | {"probability": "30"})
        shown = form_data(response.text, action=url("informatie", shared.pk))
        assert shown["value"] == "9.000,00"  # not Anna's stale 1000: she did not change it

    def test_different_fields_both_go_through(self, am, other_am, shared):
        anna, bob = logged_in(am), logged_in(other_am)
        anna_form, bob_form = loaded_form(anna, shared), loaded_form(bob, shared)
        assert (
            bob.post(url("informatie", shared.pk), bob_form | {"probability": "80"}).status_code
            == 302
        )
        # Anna's form still shows kans 50, but she did not change it: it is not sent.
        assert (
            anna.post(url("informatie", shared.pk), anna_form | {"value": "4200"}).status_code
            == 302
        )
        traject = reload(shared)
        assert (traject.probability, traject.value) == (80, Decimal("4200.00"))
        entries = DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE)
        assert {(e.data["field"], e.author_id) for e in entries} == {
            ("probability", other_am.pk),
            ("value", am.pk),
        }

    def test_the_same_value_twice_is_no_conflict(self, am, other_am, shared):
        anna, bob = logged_in(am), logged_in(other_am)
        anna_form, bob_form = loaded_form(anna, shared), loaded_form(bob, shared)
        bob.post(url("informatie", shared.pk), bob_form | {"probability": "80"})
        response = anna.post(url("informatie", shared.pk), anna_form | {"probability": "80"})
        assert response.status_code == 302

    def test_a_form_without_its_loaded_values_cannot_overwrite_blindly(self, am, shared):
        anna = logged_in(am)
        data = {k: v for k, v in loaded_form(anna, shared).items() if not k.startswith("initial-")}
        response = anna.post(url("informatie", shared.pk), data | {"probability": "10"})
        assert response.status_code == 200 and "Niet bewaard" in response.text
        assert reload(shared).probability == 50


def _race(clients, posts):
    """POST each form from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i):
        try:
            barrier.wait()
            results[i] = clients[i].post(*posts[i])
        except Exception as exc:  # noqa: BLE001 -- the test inspects every outcome
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(20))
def test_two_saves_of_the_same_field_over_http_one_wins_one_conflicts(am, other_am, shared, run):
    clients = [logged_in(am), logged_in(other_am)]
    forms = [loaded_form(client, shared) for client in clients]
    target = url("informatie", shared.pk)
    responses = _race(
        clients,
        [(target, forms[0] | {"probability": "61"}), (target, forms[1] | {"probability": "62"})],
    )
    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200, 302], responses
    won = 0 if responses[0].status_code == 302 else 1
    lost = responses[1 - won]
    winner = (am, other_am)[won]
    who = escape(winner.get_full_name())
    assert f"{who} heeft kans intussen gewijzigd in “{61 + won}%”" in lost.text
    assert form_data(lost.text, action=target)["probability"] == str(62 - won)  # kept
    traject = reload(shared)
    assert traject.probability == 61 + won
    assert DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_different_fields_over_http_both_succeed(am, other_am, shared):
    clients = [logged_in(am), logged_in(other_am)]
    forms = [loaded_form(client, shared) for client in clients]
    target = url("informatie", shared.pk)
    posts = [(target, forms[0] | {"probability": "70"}), (target, forms[1] | {"value": "4200"})]
    responses = _race(clients, posts)
    assert [r.status_code for r in responses] == [302, 302], responses
    traject = reload(shared)
    assert (traject.probability, traject.value, traject.version) == (70, Decimal("4200.00"), 3)
