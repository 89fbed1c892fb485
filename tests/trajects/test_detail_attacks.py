"""Bad input and attacks on the detail page: strangers, forged fields, markup in text."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from crm.models import Appointment
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject, TrajectAccountmanager

from ..factories import TrajectFactory
from .conftest import WIDGET_IDS, htmx, loaded_form, url

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the page could change."""
    return (
        list(Traject.objects.order_by("pk").values()),
        list(TrajectAccountmanager.objects.order_by("pk").values("traject", "user")),
        list(DossierEntry.objects.order_by("pk").values("pk", "kind", "text", "author")),
        list(Appointment.objects.order_by("pk").values("pk", "start", "owner", "traject")),
    )


@pytest.fixture
def world(am, other_am, traject, contact):
    """A traject of am with a note and an appointment, a deleted one, and what a POST sends."""
    note = services.dossier_note_add(traject=traject, user=am, text="Van Anna")
    appointment = services.traject_appointment_create(
        traject=traject, user=am, start=timezone.now()
    )
    deleted = TrajectFactory(accountmanagers=[am])
    services.traject_delete(traject=deleted, user=am)
    owner = Client()
    owner.force_login(am)
    form = loaded_form(owner, traject) | {"probability": "99", "subject": "Gekaapt"}
    return {
        "traject": traject,
        "note": note,
        "appointment": appointment,
        "deleted": deleted,
        "form": form,
        "other_am": other_am,
    }


def page_urls(world):
    """(url, POST data) for every URL of the detail page."""
    t, me = world["traject"].pk, world["other_am"].pk
    note, appointment = world["note"].pk, world["appointment"].pk
    return [
        (url("detail", t), {}),
        (url("informatie", t), world["form"]),
        (url("informatie_fragment", t), {"relation": "1"}),
        (url("omzet", t), {"probability": "50", "value": "10"}),
        (url("accountmanager_add", t), {"accountmanager": me}),
        (url("accountmanager_remove", t, world["traject"].accountmanagers.first().pk), {}),
        (url("hand_over", t), {"overdragen-accountmanager": me}),
        (url("note_add", t), {"text": "ingebroken"}),
        (url("note_edit", t, note), {f"notitie-{note}-text": "ingebroken"}),
        (url("note_delete", t, note), {}),
        (url("appointment_add", t), {"date": "2026-05-04", "time": "10:00", "kind": "visit"}),
        (url("appointment_delete", t, appointment), {}),
        (url("delete", t), {}),
        (url("restore", world["deleted"].pk), {}),
    ]


class TestStrangers:
    """Every URL of the page answers 404 to someone not on the traject and changes nothing."""

    @pytest.mark.parametrize("stranger", ["other_am", "nobody"])
    def test_every_url_get_and_post_is_404(self, request, client_for, world, stranger):
        client = client_for(request.getfixturevalue(stranger))
        before = snapshot()
        for address, data in page_urls(world):
            for headers in ({}, htmx("informatie")):
                assert client.get(address, data, headers=headers).status_code == 404, address
                assert client.post(address, data, headers=headers).status_code == 404, address
        assert snapshot() == before

    @pytest.mark.parametrize("widget", WIDGET_IDS)
    def test_every_fragment_is_404(self, client_for, other_am, world, widget):
        response = client_for(other_am).get(
            url("detail", world["traject"].pk), headers=htmx(widget)
        )
        assert response.status_code == 404

    def test_the_owner_of_a_deleted_traject_gets_404_everywhere(self, client_for, am, world):
        client = client_for(am)
        gone = world["deleted"].pk
        before = snapshot()
        for name in ("detail", "informatie", "omzet", "note_add", "delete"):
            assert client.get(url(name, gone)).status_code == 404
            assert client.post(url(name, gone)).status_code == 404
        assert client.post(url("restore", gone)).status_code == 404
        assert snapshot() == before

    def test_anonymous_goes_to_the_login_page(self, client, world):
        for address, data in page_urls(world):
            response = client.post(address, data)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class TestForgedFields:
    FORGED = {
        "deleted_at": "2020-01-01T00:00:00Z",
        "deleted_by": "1",
        "version": "99",
        "converted_at": "",
        "created_by": "999",
        "created_at": "2001-01-01",
        "accountmanagers": "999",
        "accountmanager": "999",
        "accountmanager_count": "9",
        "visit_count": "9",
        "first_visit_on": "2001-01-01",
        "id": "999",
        "pk": "999",
        "traject": "999",
        "author": "999",
        "owner": "999",
        "kind": "field",
    }

    def test_informatie_changes_only_what_the_form_allows(self, client_for, am, other_am, traject):
        client = client_for(am)
        before = Traject.objects.values().get(pk=traject.pk)
        forged = self.FORGED | {"accountmanager": str(other_am.pk), "created_by": str(other_am.pk)}
        data = loaded_form(client, traject) | forged | {"probability": "70"}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        after = Traject.objects.values().get(pk=traject.pk)
        changed = {k for k in after if after[k] != before[k]}
        assert changed == {"probability", "version", "updated_at"}
        assert after["version"] == before["version"] + 1
        assert list(traject.accountmanagers.all()) == [am]

    def test_a_note_is_his_own_on_this_traject(self, client_for, am, other_am, traject):
        other = TrajectFactory(accountmanagers=[am])
        data = self.FORGED | {"text": "Notitie", "author": other_am.pk, "traject": other.pk}
        client_for(am).post(url("note_add", traject.pk), data)
        note = DossierEntry.objects.get(text="Notitie")
        assert (note.kind, note.author, note.traject_id) == (DossierKind.NOTE, am, traject.pk)

    def test_an_appointment_is_his_own_on_this_traject(self, client_for, am, other_am, traject):
        other = TrajectFactory(accountmanagers=[am])
        data = self.FORGED | {
            "date": "2026-05-04",
            "time": "10:00",
            "kind": "visit",
            "owner": other_am.pk,
            "traject": other.pk,
        }
        client_for(am).post(url("appointment_add", traject.pk), data)
        appointment = Appointment.objects.get()
        assert (appointment.owner, appointment.traject_id) == (am, traject.pk)

    def test_delete_records_the_real_user(self, client_for, am, other_am, traject):
        client_for(am).post(url("delete", traject.pk), {"deleted_by": other_am.pk})
        assert Traject.objects.get(pk=traject.pk).deleted_by == am

    def test_a_user_id_in_the_url_of_someone_not_on_it_is_404(self, client_for, beheerder, traject):
        other = TrajectFactory()
        response = client_for(beheerder).post(url("accountmanager_remove", other.pk, 999999))
        assert response.status_code == 404


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<div hx-get="/sales/" hx-trigger="load">x</div>',
]


class TestMarkupIsText:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_markup_in_subject_and_note_renders_as_text_everywhere(
        self, client_for, am, beheerder, traject, payload
    ):
        client = client_for(am)
        data = loaded_form(client, traject) | {"subject": payload}
        client.post(url("informatie", traject.pk), data)
        client.post(url("note_add", traject.pk), {"text": payload})
        sibling = TrajectFactory(relation=traject.relation, subject=payload, accountmanagers=[am])
        deleted = TrajectFactory(subject=payload, accountmanagers=[am])
        client.post(url("delete", deleted.pk))
        assert Traject.objects.get(pk=traject.pk).subject == payload  # kept as typed
        pages = {
            "page": client.get(url("detail", traject.pk)),
            "edit": client.get(url("informatie", traject.pk)),
            "sibling": client.get(url("detail", sibling.pk)),
            "confirm": client.get(url("delete", traject.pk)),
            "list": client.get(url("list")),
            "bin": client_for(beheerder).get(url("bin")),
        }
        client = client_for(am)
        for widget in WIDGET_IDS:
            pages[widget] = client.get(url("detail", traject.pk), headers=htmx(widget))
        for name, response in pages.items():
            assert response.status_code == 200, name
            assert payload not in response.text, name
        for name in ("page", "edit", "kop", "informatie", "dossier", "notities", "geschiedenis"):
            assert escape(payload) in pages[name].text, name
        assert escape(payload) in pages["bin"].text

    def test_markup_in_a_conflict_message_is_text(self, client_for, am, other_am, traject):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        anna, bob = client_for(am), Client()
        bob.force_login(other_am)
        stale = loaded_form(anna, traject)
        bob.post(
            url("informatie", traject.pk), loaded_form(bob, traject) | {"subject": PAYLOADS[1]}
        )
        response = anna.post(url("informatie", traject.pk), stale | {"subject": "Mijn onderwerp"})
        assert "Niet bewaard" in response.text
        assert PAYLOADS[1] not in response.text and escape(PAYLOADS[1]) in response.text


class TestDates:
    def test_a_date_of_31_february_in_any_form(self, client_for, am, traject):
        client = client_for(am)
        for field in ("expected_close", "lead_date"):
            data = loaded_form(client, traject) | {field: "2026-02-31"}
            response = client.post(url("informatie", traject.pk), data)
            assert "geldige datum" in response.text.split(f'name="{field}"')[1].split("</div>")[0]
        assert Traject.objects.get(pk=traject.pk).expected_close == datetime.date.today()
