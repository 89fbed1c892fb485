"""Sharing and handover, notes, appointments, delete, the recycle bin and the audit trail."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from crm.models import Appointment
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import AccountmanagerFactory, ContactFactory, TrajectFactory
from .conftest import htmx, url

pytestmark = pytest.mark.django_db


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


class TestSharing:
    """Manual 4.6 and rule 7 over HTTP."""

    def test_accountmanager_shares_and_the_other_then_sees_it(
        self, client_for, am, other_am, traject
    ):
        client = client_for(am)
        response = client.post(
            url("accountmanager_add", traject.pk),
            {"accountmanager": other_am.pk},
            headers=htmx("accountmanagers"),
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="accountmanagers"')
        assert escape(other_am.get_full_name()) in response.text
        assert "dossier-changed" in response["HX-Trigger"]
        assert reload(traject).accountmanager_count == 2
        assert client_for(other_am).get(url("detail", traject.pk)).status_code == 200
        entry = DossierEntry.objects.get(kind=DossierKind.SHARE, author=am)
        assert (entry.data["added"], entry.data["name"]) == (other_am.pk, other_am.get_full_name())

    def test_plain_form_share_redirects_back(self, client_for, am, other_am, traject):
        response = client_for(am).post(
            url("accountmanager_add", traject.pk), {"accountmanager": other_am.pk}
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#accountmanagers")

    def test_only_active_accountmanagers_can_be_added(self, client_for, am, nobody, traject):
        client = client_for(am)
        gone = AccountmanagerFactory(username="am_weg", is_active=False)
        for user in (nobody, gone):
            response = client.post(
                url("accountmanager_add", traject.pk), {"accountmanager": user.pk}
            )
            assert response.status_code == 200
            beside = response.text.split('name="accountmanager"')[1].split("</div>")[0]
            assert "geldige keuze" in beside
        assert reload(traject).accountmanager_count == 1

    def test_accountmanager_may_not_remove_a_colleague(self, client_for, am, other_am, traject):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        client = client_for(am)
        page = client.get(url("detail", traject.pk)).text
        assert url("accountmanager_remove", traject.pk, other_am.pk) not in page  # no button
        response = client.post(url("accountmanager_remove", traject.pk, other_am.pk))
        assert response.status_code == 403
        assert "U kunt alleen uzelf van dit traject halen" in response.text
        assert reload(traject).accountmanager_count == 2

    def test_removing_himself_hands_over_and_then_it_is_404(
        self, client_for, am, other_am, traject
    ):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        client = client_for(am)
        response = client.post(
            url("accountmanager_remove", traject.pk, am.pk), headers=htmx("accountmanagers")
        )
        assert response.status_code == 200 and response["HX-Redirect"] == url("list")
        assert client.get(url("detail", traject.pk)).status_code == 404
        assert list(reload(traject).accountmanagers.all()) == [other_am]

    def test_hand_over_in_one_step(self, client_for, am, other_am, traject):
        client = client_for(am)
        response = client.post(
            url("hand_over", traject.pk), {"overdragen-accountmanager": other_am.pk}
        )
        assert response.status_code == 302 and response["Location"] == url("list")
        assert client.get(url("detail", traject.pk)).status_code == 404
        assert list(reload(traject).accountmanagers.all()) == [other_am]
        assert client_for(other_am).get(url("detail", traject.pk)).status_code == 200
        shares = DossierEntry.objects.filter(kind=DossierKind.SHARE, author=am)
        assert shares.count() == 2  # added, then removed: both in the audit trail

    def test_the_last_accountmanager_stays(self, client_for, am, traject):
        response = client_for(am).post(
            url("accountmanager_remove", traject.pk, am.pk), headers=htmx("accountmanagers")
        )
        assert response.status_code == 200
        assert "voeg eerst de nieuwe toe" in response.text
        assert reload(traject).accountmanager_count == 1

    def test_cannot_put_himself_on_someone_elses_traject(self, client_for, am, other_am):
        theirs = TrajectFactory(accountmanagers=[other_am])
        client = client_for(am)
        assert (
            client.post(url("accountmanager_add", theirs.pk), {"accountmanager": am.pk}).status_code
            == 404
        )
        assert (
            client.post(
                url("hand_over", theirs.pk), {"overdragen-accountmanager": am.pk}
            ).status_code
            == 404
        )
        assert reload(theirs).accountmanager_count == 1

    def test_beheerder_adds_and_removes_anyone(self, client_for, am, other_am, beheerder, traject):
        client = client_for(beheerder)
        page = client.get(url("detail", traject.pk)).text
        assert url("hand_over", traject.pk) not in page  # he is not on it
        client.post(url("accountmanager_add", traject.pk), {"accountmanager": other_am.pk})
        response = client.post(url("accountmanager_remove", traject.pk, am.pk))
        assert response.status_code == 302
        assert list(reload(traject).accountmanagers.all()) == [other_am]

    def test_removing_someone_not_on_it_is_404(self, client_for, beheerder, other_am, traject):
        response = client_for(beheerder).post(url("accountmanager_remove", traject.pk, other_am.pk))
        assert response.status_code == 404


class TestNotes:
    def test_add_edit_and_delete_his_own_note(self, client_for, am, traject):
        client = client_for(am)
        response = client.post(
            url("note_add", traject.pk),
            {"text": "Gebeld met Jan.\nVolgende week terugbellen."},
            headers=htmx("notities"),
        )
        assert response.status_code == 200
        assert "Gebeld met Jan.<br>Volgende week terugbellen." in response.text
        assert "dossier-changed" in response["HX-Trigger"]
        note = DossierEntry.objects.get(kind=DossierKind.NOTE)
        assert note.text == "Gebeld met Jan.\nVolgende week terugbellen."
        edit = client.get(url("note_edit", traject.pk, note.pk), headers=htmx("notities"))
        assert f'name="notitie-{note.pk}-text"' in edit.text
        response = client.post(
            url("note_edit", traject.pk, note.pk), {f"notitie-{note.pk}-text": "Toch gemaild."}
        )
        assert response.status_code == 302
        note.refresh_from_db()
        assert note.text == "Toch gemaild."
        assert client.post(url("note_delete", traject.pk, note.pk)).status_code == 302
        assert not DossierEntry.objects.filter(kind=DossierKind.NOTE).exists()

    def test_empty_note_comes_back_with_a_message(self, client_for, am, traject):
        response = client_for(am).post(url("note_add", traject.pk), {"text": "   "})
        assert response.status_code == 200
        assert "Een notitie mag niet leeg zijn." in response.text
        assert not DossierEntry.objects.filter(kind=DossierKind.NOTE).exists()

    def test_too_long_note_keeps_what_was_typed(self, client_for, am, traject):
        text = "lang " * 4001
        response = client_for(am).post(url("note_add", traject.pk), {"text": text})
        assert "hooguit 20.000 tekens" in response.text and text.strip() in response.text

    def test_a_colleagues_note_cannot_be_changed(self, client_for, am, other_am, traject):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        note = services.dossier_note_add(traject=traject, user=other_am, text="Van Bob")
        client = client_for(am)
        page = client.get(url("detail", traject.pk)).text
        assert url("note_edit", traject.pk, note.pk) not in page
        assert client.get(url("note_edit", traject.pk, note.pk)).status_code == 403
        response = client.post(url("note_edit", traject.pk, note.pk), {"text": "Overschreven"})
        assert response.status_code == 403 and "eigen notities" in response.text
        assert client.post(url("note_delete", traject.pk, note.pk)).status_code == 403
        note.refresh_from_db()
        assert note.text == "Van Bob"

    def test_a_note_of_another_traject_is_404_here(self, client_for, am, traject):
        other = TrajectFactory(accountmanagers=[am])
        note = services.dossier_note_add(traject=other, user=am, text="Elders")
        client = client_for(am)
        assert client.get(url("note_edit", traject.pk, note.pk)).status_code == 404
        assert client.post(url("note_delete", traject.pk, note.pk)).status_code == 404
        assert DossierEntry.objects.filter(pk=note.pk).exists()

    def test_a_field_change_entry_is_not_a_note(self, client_for, am, traject):
        services.traject_update(traject=traject, user=am, changes={"probability": 70})
        entry = DossierEntry.objects.get(kind=DossierKind.FIELD_CHANGE)
        assert client_for(am).post(url("note_delete", traject.pk, entry.pk)).status_code == 404
        assert DossierEntry.objects.filter(pk=entry.pk).exists()


class TestAppointments:
    """Rule 8 over HTTP; visit appointments feed the visits of the totals row."""

    def plan(self, client, traject, **fields):
        data = {"date": "2026-05-04", "time": "10:00", "kind": "visit"} | fields
        return client.post(url("appointment_add", traject.pk), data)

    def test_first_visit_follows_the_first_appointment_only(self, client_for, am, traject):
        client = client_for(am)
        response = client.post(
            url("appointment_add", traject.pk),
            {"date": "2026-05-04", "time": "10:00", "kind": "visit", "subject": "Kennismaking"},
            headers=htmx("afspraken"),
        )
        assert response.status_code == 200
        assert "informatie-changed" in response["HX-Trigger"]
        assert "Kennismaking" in response.text
        self.plan(client, traject, date="2026-04-01", kind="call")
        self.plan(client, traject, date="2026-06-01")
        traject = reload(traject)
        assert traject.first_visit_on == datetime.date(2026, 5, 4)
        assert traject.visit_count == 2  # visits only, planned ones included
        page = client.get(url("detail", traject.pk)).text
        assert '<dd id="datum-1e-bezoek">04-05-2026</dd>' in page  # dd-mm-jjjj

    def test_a_lead_or_an_unassigned_beheerder_does_not_set_it(
        self, client_for, am, beheerder, contact
    ):
        lead = TrajectFactory(
            converted_at=None, accountmanagers=[am], relation=contact.relation, contact=contact
        )
        self.plan(client_for(am), lead)
        assert reload(lead).first_visit_on is None
        traject = TrajectFactory(accountmanagers=[am], relation=contact.relation, contact=contact)
        self.plan(client_for(beheerder), traject)
        traject = reload(traject)
        assert traject.first_visit_on is None and traject.visit_count == 1

    def test_another_contact_of_the_relation_does_not_set_it(self, client_for, am, traject):
        colleague = ContactFactory(relation=traject.relation)
        response = self.plan(client_for(am), traject, contact=colleague.pk)
        assert response.status_code == 200  # saved; the form says why beside the contact field
        assert Appointment.objects.filter(contact=colleague).exists()
        assert reload(traject).first_visit_on is None

    @pytest.mark.parametrize(
        ("field", "typed", "message"),
        [
            ("date", "2026-02-31", "geldige datum"),
            ("date", "", "verplicht"),
            ("time", "25:00", "geldige tijd"),
            ("kind", "feest", "geldige keuze"),
            ("contact", "999999", "geldige keuze"),
        ],
    )
    def test_bad_input_comes_back_beside_the_field(
        self, client_for, am, traject, field, typed, message
    ):
        response = self.plan(client_for(am), traject, subject="Bewaard", **{field: typed})
        assert response.status_code == 200
        assert message in response.text.split(f'name="{field}"')[1].split("</div>")[0]
        assert 'value="Bewaard"' in response.text
        assert not Appointment.objects.exists()

    def test_a_contact_of_another_relation_is_refused(self, client_for, am, traject):
        stranger = ContactFactory()
        response = self.plan(client_for(am), traject, contact=stranger.pk)
        assert response.status_code == 200 and not Appointment.objects.exists()

    def test_owner_deletes_a_colleague_may_not(self, client_for, am, other_am, traject):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        appointment = services.traject_appointment_create(
            traject=traject, user=other_am, start=timezone.now()
        )
        client = client_for(am)
        assert (
            url("appointment_delete", traject.pk, appointment.pk)
            not in client.get(url("detail", traject.pk)).text
        )
        response = client.post(url("appointment_delete", traject.pk, appointment.pk))
        assert response.status_code == 403
        assert (
            client_for(other_am)
            .post(url("appointment_delete", traject.pk, appointment.pk))
            .status_code
            == 302
        )
        assert reload(traject).visit_count == 0

    def test_an_appointment_of_another_traject_is_404_here(self, client_for, am, traject):
        other = TrajectFactory(accountmanagers=[am])
        appointment = services.traject_appointment_create(
            traject=other, user=am, start=timezone.now()
        )
        response = client_for(am).post(url("appointment_delete", traject.pk, appointment.pk))
        assert response.status_code == 404
        assert Appointment.objects.filter(pk=appointment.pk).exists()


class TestDelete:
    """Manual 4.5 and rule 10."""

    ADVICE = "Verwijder alleen een lead of traject dat per ongeluk dubbel is aangemaakt."
    KEEP_LOST = "Verwijder ook geen trajecten die niet positief zijn afgerond"

    def test_the_dialog_repeats_the_manuals_advice(self, client_for, am, traject):
        client = client_for(am)
        page = client.get(url("detail", traject.pk)).text
        dialog = page.split('<dialog id="verwijderen-dialoog"')[1].split("</dialog>")[0]
        assert self.ADVICE in dialog and self.KEEP_LOST in dialog
        assert f'action="{url("delete", traject.pk)}"' in dialog
        confirm = client.get(url("delete", traject.pk))  # the same without JavaScript
        assert confirm.status_code == 200
        assert self.ADVICE in confirm.text and self.KEEP_LOST in confirm.text
        assert reload(traject).deleted_at is None

    def test_accountmanager_deletes_his_own(self, client_for, am, traject):
        client = client_for(am)
        response = client.post(url("delete", traject.pk))
        assert response.status_code == 302 and response["Location"] == url("list")
        traject = Traject.objects.get(pk=traject.pk)
        assert traject.deleted_at is not None and traject.deleted_by == am
        assert client.get(url("detail", traject.pk)).status_code == 404
        client.get(url("list"))  # shows the message once
        assert "Glazen deuren" not in client.get(url("list")).text
        assert DossierEntry.objects.filter(kind=DossierKind.DELETED, author=am).exists()

    def test_a_deleted_lead_goes_back_to_the_leads(self, client_for, am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        response = client_for(am).post(url("delete", lead.pk))
        assert response["Location"] == "/sales/leads/"

    def test_beheerder_deletes_any(self, client_for, beheerder, traject):
        assert client_for(beheerder).post(url("delete", traject.pk)).status_code == 302
        assert reload(traject).deleted_by == beheerder


class TestRecycleBin:
    def test_beheerder_sees_who_deleted_what_and_when_and_restores_it_intact(
        self, client_for, am, other_am, beheerder, traject
    ):
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        services.dossier_note_add(traject=traject, user=am, text="Blijft bewaard")
        services.traject_appointment_create(traject=traject, user=am, start=timezone.now())
        client_for(am).post(url("delete", traject.pk))
        client = client_for(beheerder)
        page = client.get(url("bin"))
        assert page.status_code == 200
        row = page.text.split(f'id="prullenbak-{traject.pk}"')[1].split("</tr>")[0]
        assert "Glazen deuren" in row and escape(am.get_full_name()) in row
        assert timezone.localtime(reload(traject).deleted_at).strftime("%d-%m-%Y") in row
        response = client.post(url("restore", traject.pk))
        assert response.status_code == 302 and response["Location"] == url("detail", traject.pk)
        traject = reload(traject)
        assert traject.deleted_at is None and traject.accountmanager_count == 2
        assert traject.visit_count == 1 and traject.appointments.count() == 1
        assert traject.dossier_entries.filter(text="Blijft bewaard").exists()
        assert client_for(other_am).get(url("detail", traject.pk)).status_code == 200
        assert DossierEntry.objects.filter(kind=DossierKind.RESTORED, author=beheerder).exists()
        assert "Glazen deuren" not in client.get(url("bin")).text

    def test_only_a_beheerder_has_the_menu_item(self, client_for, am, beheerder):
        link = f'href="{url("bin")}"'
        assert link in client_for(beheerder).get(url("list")).text
        assert link not in client_for(am).get(url("list")).text

    def test_not_a_beheerders_page(self, client_for, am, nobody, keyuser, traject):
        client_for(am).post(url("delete", traject.pk))
        for user in (am, nobody, keyuser):
            client = client_for(user)
            assert client.get(url("bin")).status_code == 404
            assert client.post(url("restore", traject.pk)).status_code == 404
        assert reload(traject).deleted_at is not None

    def test_older_than_30_days_is_gone_from_the_bin(self, client_for, am, beheerder, traject):
        services.traject_delete(traject=traject, user=am)
        Traject.objects.filter(pk=traject.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        client = client_for(beheerder)
        assert "Glazen deuren" not in client.get(url("bin")).text
        assert client.post(url("restore", traject.pk)).status_code == 404
        assert reload(traject).deleted_at is not None

    def test_restore_of_a_living_traject_is_404(self, client_for, beheerder, traject):
        assert client_for(beheerder).post(url("restore", traject.pk)).status_code == 404

    def test_purge_command_removes_only_what_is_older_than_the_retention(self, am, contact):
        old = TrajectFactory(accountmanagers=[am], relation=contact.relation, contact=contact)
        recent = TrajectFactory(accountmanagers=[am])
        alive = TrajectFactory(accountmanagers=[am])
        services.traject_appointment_create(traject=old, user=am, start=timezone.now())
        services.dossier_note_add(traject=old, user=am, text="weg")
        services.traject_delete(traject=old, user=am)
        services.traject_delete(traject=recent, user=am)
        Traject.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=30, minutes=1)
        )
        out = StringIO()
        call_command("purge_deleted_trajects", "--dry-run", stdout=out)
        assert "would purge 1 traject(s); 1 stay restorable" in out.getvalue()
        assert Traject.objects.count() == 3
        out = StringIO()
        call_command("purge_deleted_trajects", stdout=out)
        assert "purged 1 traject(s)" in out.getvalue()
        assert set(Traject.objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
        assert not Appointment.objects.exists()
        assert not DossierEntry.objects.filter(traject_id=old.pk).exists()

    def test_the_purge_task_does_the_same(self, am, celery_eager):
        from trajects.tasks import trajects_purge_deleted

        old = TrajectFactory(accountmanagers=[am])
        services.traject_delete(traject=old, user=am)
        Traject.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=40)
        )
        assert trajects_purge_deleted.apply().get() == 1
        assert trajects_purge_deleted.apply().get() == 0  # safe to run twice


class TestAudit:
    """Every change is in the dossier with who, when and old → new."""

    def test_the_dossier_shows_every_kind_of_change(
        self, client_for, am, other_am, beheerder, traject
    ):
        from settings_app.models import Stage, TrajectType

        client = client_for(am)
        services.traject_update(
            traject=traject,
            user=am,
            changes={
                "value": "2500",
                "type": TrajectType.objects.get(name="Lost").pk,
                "stage": Stage.objects.get(name="Voorstel").pk,
            },
        )
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        services.traject_delete(traject=traject, user=am)
        services.traject_restore(traject_id=traject.pk, user=beheerder)
        text = client.get(url("detail", traject.pk), headers=htmx("dossier")).text
        assert "Waarde: <del>€ 1.000,00</del> → <ins>€ 2.500,00</ins>" in text
        assert "Type: <del>Prospect</del> → <ins>Lost</ins>" in text
        assert "Stage: <del>–</del> → <ins>Voorstel</ins>" in text
        assert f"{escape(other_am.get_full_name())} toegevoegd" in text
        for label in ("Verwijderd", "Hersteld", "Type gewijzigd", "Stage gewijzigd"):
            assert f"<strong>{label}</strong>" in text
        assert escape(beheerder.get_full_name()) in text
        entries = DossierEntry.objects.filter(traject=traject, author__isnull=False)
        assert "Kans: <del>50%</del> → <ins>0%</ins>" in text  # lost: kans 0 (rule 6)
        assert entries.count() == 7  # value, type, stage, kans, share, deleted, restored
        assert all(e.created_at for e in entries)

    def test_bulk_updates_are_audited_like_single_edits(self, am, traject):
        second = TrajectFactory(accountmanagers=[am], probability=20)
        services.traject_bulk_update(
            traject_ids=[traject.pk, second.pk], user=am, changes={"probability": 90}
        )
        entries = DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE)
        assert {(e.traject_id, e.data["old"], e.data["new"]) for e in entries} == {
            (traject.pk, "50", "90"),
            (second.pk, "20", "90"),
        }

    def test_bulk_update_of_an_invisible_traject_changes_nothing(self, am, other_am, traject):
        theirs = TrajectFactory(accountmanagers=[other_am])
        with pytest.raises(Traject.DoesNotExist):
            services.traject_bulk_update(
                traject_ids=[traject.pk, theirs.pk], user=am, changes={"probability": 90}
            )
        assert reload(traject).probability == 50 and reload(theirs).probability == 50
        assert not DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE).exists()

    def test_setting_the_accountmanagers_in_bulk_is_audited(self, am, other_am, beheerder, traject):
        services.traject_accountmanagers_set(traject=traject, users=[other_am], by=beheerder)
        entry = DossierEntry.objects.get(kind=DossierKind.SHARE, author=beheerder)
        assert entry.data["field"] == "accountmanagers"
        assert entry.data["old"] == am.get_full_name()
        assert entry.data["new"] == other_am.get_full_name()
        services.traject_accountmanagers_set(traject=traject, users=[other_am], by=beheerder)
        assert DossierEntry.objects.filter(author=beheerder).count() == 1  # no change, no entry

    def test_money_stays_decimal(self, client_for, am, traject):
        client = client_for(am)
        from .conftest import loaded_form

        data = loaded_form(client, traject) | {"value": "0,10", "probability": "33"}
        client.post(url("informatie", traject.pk), data)
        traject = reload(traject)
        assert traject.value == Decimal("0.10") and isinstance(traject.value, Decimal)
        assert traject.weighted_value == Decimal("0.03")
