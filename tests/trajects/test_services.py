import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone

from settings_app.models import ClientSettings, Stage, TrajectType, WinLossReason
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import AccountmanagerFactory, ContactFactory, TrajectFactory

pytestmark = pytest.mark.django_db


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


class TestConversion:
    """Rule 1: the assigned accountmanager's first saved change converts a lead, once."""

    def test_assigned_accountmanager_converts_with_a_changed_value(self, am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        services.traject_update(traject=lead, user=am, changes={"probability": 60})
        lead = reload(lead)
        assert lead.converted_at is not None and lead.probability == 60
        assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1

    def test_saving_unchanged_values_does_not_convert(self, am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am], probability=50)
        services.traject_update(
            traject=lead, user=am, changes={"probability": "50", "value": "1000.00"}
        )
        assert reload(lead).converted_at is None

    def test_unassigned_beheerder_does_not_convert(self, am, beheerder):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        services.traject_update(traject=lead, user=beheerder, changes={"subject": "Nieuw"})
        lead = reload(lead)
        assert lead.subject == "Nieuw" and lead.converted_at is None

    def test_notes_appointments_and_shares_do_not_convert(self, am, other_am):
        contact = ContactFactory()
        lead = TrajectFactory(
            converted_at=None, accountmanagers=[am], relation=contact.relation, contact=contact
        )
        services.dossier_note_add(traject=lead, user=am, text="Gebeld")
        services.traject_appointment_create(traject=lead, user=am, start=timezone.now())
        services.traject_accountmanager_add(traject=lead, user=am, accountmanager=other_am)
        lead = reload(lead)
        assert lead.converted_at is None
        assert lead.first_visit_on is None  # a lead's appointment does not set it (rule 8)

    def test_conversion_happens_once_and_keeps_its_time(self, am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        services.traject_update(traject=lead, user=am, changes={"probability": 60})
        first = reload(lead).converted_at
        services.traject_update(traject=lead, user=am, changes={"probability": 70})
        assert reload(lead).converted_at == first

    def test_someone_who_cannot_see_it_gets_does_not_exist(self, am, other_am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        with pytest.raises(Traject.DoesNotExist):
            services.traject_update(traject=lead, user=other_am, changes={"probability": 10})
        assert reload(lead).probability == 50


class TestUpdate:
    def test_forged_fields_are_ignored(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_update(
            traject=traject,
            user=am,
            changes={"deleted_at": timezone.now(), "version": 99, "converted_at": None},
        )
        traject = reload(traject)
        assert traject.deleted_at is None and traject.version == 1
        assert traject.converted_at is not None

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("probability", 101),
            ("probability", "abc"),
            ("value", "-1"),
            ("value", "abc"),
            ("expected_close", "2026-02-31"),
            ("relation", "999999"),
            ("subject", "x" * 300),
        ],
    )
    def test_bad_values_come_back_on_their_field_and_save_nothing(self, am, field, value):
        traject = TrajectFactory(accountmanagers=[am])
        before = Traject.objects.filter(pk=traject.pk).values().get()
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={field: value})
        assert field in error.value.message_dict
        assert Traject.objects.filter(pk=traject.pk).values().get() == before

    def test_changes_are_written_to_the_dossier_with_old_and_new(self, am):
        traject = TrajectFactory(accountmanagers=[am], value=Decimal("1000"))
        services.traject_update(traject=traject, user=am, changes={"value": "2500"})
        entry = DossierEntry.objects.get(traject=traject, kind=DossierKind.FIELD_CHANGE)
        assert entry.data == {"field": "value", "old": "1000.00", "new": "2500.00"}
        assert entry.author == am

    def test_expected_close_change_moves_the_link_copies(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        new = datetime.date(2027, 3, 15)
        services.traject_update(traject=traject, user=am, changes={"expected_close": new})
        assert set(traject.accountmanager_links.values_list("expected_close", flat=True)) == {new}

    def test_contact_of_another_relation_is_refused(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        stranger = ContactFactory()
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"contact": stranger.pk})
        assert "contact" in error.value.message_dict


class TestConflicts:
    """Rule 9: a field changed by someone else since loading is never silently overwritten."""

    def test_same_field_changed_meanwhile_is_refused_naming_who(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am], probability=50)
        loaded = {"probability": 50, "value": "1000.00"}
        services.traject_update(
            traject=traject, user=other_am, changes={"probability": 80}, loaded=loaded
        )
        with pytest.raises(services.TrajectConflict) as conflict:
            services.traject_update(
                traject=traject, user=am, changes={"probability": 30}, loaded=loaded
            )
        (only,) = conflict.value.conflicts
        assert (only.field, only.current) == ("probability", "80")
        assert other_am.username in only.changed_by or other_am.last_name in only.changed_by
        assert reload(traject).probability == 80

    def test_different_fields_both_go_through(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am], probability=50)
        loaded = {"probability": 50, "value": "1000.00"}
        services.traject_update(
            traject=traject, user=other_am, changes={"probability": 80}, loaded=loaded
        )
        services.traject_update(traject=traject, user=am, changes={"value": "3000"}, loaded=loaded)
        traject = reload(traject)
        assert (traject.probability, traject.value) == (80, Decimal("3000.00"))
        assert traject.version == 3


class TestOutcomes:
    """Rule 6 and stage entry."""

    def test_won_needs_a_reason_with_sales_select(self, am):
        ClientSettings.objects.update(sales_select_enabled=True)
        traject = TrajectFactory(accountmanagers=[am])
        order = TrajectType.objects.get(name="Order")
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"type": order.pk})
        assert "win_loss_reason" in error.value.message_dict
        reason = WinLossReason.objects.get(reason="Relatie")
        services.traject_update(
            traject=traject, user=am, changes={"type": order.pk, "win_loss_reason": reason.pk}
        )
        assert reload(traject).type == order

    def test_reason_is_optional_without_sales_select(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        lost = TrajectType.objects.get(name="Lost")
        services.traject_update(traject=traject, user=am, changes={"type": lost.pk})
        assert reload(traject).type == lost

    def test_a_reason_of_the_wrong_outcome_is_refused(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        lost = TrajectType.objects.get(name="Lost")
        won_reason = WinLossReason.objects.get(reason="Relatie")
        with pytest.raises(ValidationError):
            services.traject_update(
                traject=traject, user=am, changes={"type": lost.pk, "win_loss_reason": won_reason}
            )

    def test_entering_a_winning_stage_sets_the_type(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        won_stage = Stage.objects.get(name="Gewonnen")
        services.traject_update(traject=traject, user=am, changes={"stage": won_stage.pk})
        assert reload(traject).type.outcome == "won"
        assert DossierEntry.objects.filter(traject=traject, kind=DossierKind.STAGE_CHANGE).exists()


class TestSharing:
    """Manual 4.6 and rule 7."""

    def test_accountmanager_shares_and_the_other_then_sees_it(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_accountmanager_add(traject=traject, user=am, accountmanager=other_am)
        assert Traject.objects.visible_to(other_am).filter(pk=traject.pk).exists()
        assert reload(traject).accountmanager_count == 2

    def test_hand_over_removes_it_from_his_view(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        services.traject_accountmanager_remove(traject=traject, user=am, accountmanager=am)
        assert not Traject.objects.visible_to(am).filter(pk=traject.pk).exists()

    def test_accountmanager_may_not_remove_a_colleague(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        with pytest.raises(PermissionDenied):
            services.traject_accountmanager_remove(
                traject=traject, user=am, accountmanager=other_am
            )
        assert reload(traject).accountmanager_count == 2

    def test_cannot_put_oneself_on_someone_elses_traject(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[other_am])
        with pytest.raises(Traject.DoesNotExist):
            services.traject_accountmanager_add(traject=traject, user=am, accountmanager=am)

    def test_the_last_accountmanager_stays(self, am, beheerder):
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.traject_accountmanager_remove(
                traject=traject, user=beheerder, accountmanager=am
            )
        assert reload(traject).accountmanager_count == 1

    def test_beheerder_adds_and_removes_anyone(self, am, other_am, beheerder):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_accountmanager_add(
            traject=traject, user=beheerder, accountmanager=other_am
        )
        services.traject_accountmanager_remove(traject=traject, user=beheerder, accountmanager=am)
        assert list(reload(traject).accountmanagers.all()) == [other_am]

    def test_only_active_accountmanagers_can_be_added(self, am, nobody):
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.traject_accountmanager_add(traject=traject, user=am, accountmanager=nobody)
        gone = AccountmanagerFactory(is_active=False)
        with pytest.raises(ValidationError):
            services.traject_accountmanager_add(traject=traject, user=am, accountmanager=gone)


class TestFirstVisit:
    """Rule 8."""

    def test_first_appointment_for_the_contact_sets_the_date_later_ones_do_not(self, am):
        contact = ContactFactory()
        traject = TrajectFactory(accountmanagers=[am], relation=contact.relation, contact=contact)
        first = timezone.make_aware(datetime.datetime(2026, 5, 4, 10, 0))
        services.traject_appointment_create(traject=traject, user=am, start=first)
        services.traject_appointment_create(
            traject=traject, user=am, start=first - datetime.timedelta(days=20), kind="call"
        )
        traject = reload(traject)
        assert traject.first_visit_on == datetime.date(2026, 5, 4)
        assert traject.visit_count == 1

    def test_beheerder_not_assigned_does_not_set_it(self, am, beheerder):
        contact = ContactFactory()
        traject = TrajectFactory(accountmanagers=[am], relation=contact.relation, contact=contact)
        services.traject_appointment_create(traject=traject, user=beheerder, start=timezone.now())
        traject = reload(traject)
        assert traject.first_visit_on is None and traject.visit_count == 1

    def test_appointment_with_another_contact_does_not_set_it(self, am):
        contact = ContactFactory()
        colleague = ContactFactory(relation=contact.relation)
        traject = TrajectFactory(accountmanagers=[am], relation=contact.relation, contact=contact)
        services.traject_appointment_create(
            traject=traject, user=am, start=timezone.now(), contact=colleague
        )
        assert reload(traject).first_visit_on is None

    def test_deleting_a_visit_lowers_the_count(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        appointment = services.traject_appointment_create(
            traject=traject, user=am, start=timezone.now()
        )
        services.traject_appointment_delete(appointment=appointment, user=am)
        assert reload(traject).visit_count == 0


class TestNotes:
    def test_only_the_author_edits_or_deletes_a_note(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        note = services.dossier_note_add(traject=traject, user=am, text="<b>eerste</b>")
        assert note.text == "<b>eerste</b>"
        with pytest.raises(PermissionDenied):
            services.dossier_note_update(note=note, user=other_am, text="overschreven")
        with pytest.raises(PermissionDenied):
            services.dossier_note_delete(note=note, user=other_am)
        services.dossier_note_update(note=note, user=am, text="tweede")
        note.refresh_from_db()
        assert note.text == "tweede"

    def test_empty_note_is_refused(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.dossier_note_add(traject=traject, user=am, text="   ")


class TestDeletion:
    """Rule 10."""

    def test_delete_hides_it_and_beheerder_restores_it_intact(self, am, other_am, beheerder):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        services.dossier_note_add(traject=traject, user=am, text="blijft")
        services.traject_delete(traject=traject, user=am)
        for user in (am, other_am, beheerder):
            assert not Traject.objects.visible_to(user).filter(pk=traject.pk).exists()
        with pytest.raises(PermissionDenied):
            services.traject_restore(traject_id=traject.pk, user=am)
        services.traject_restore(traject_id=traject.pk, user=beheerder)
        traject = reload(traject)
        assert traject.deleted_at is None and traject.accountmanager_count == 2
        assert traject.dossier_entries.filter(kind=DossierKind.NOTE, text="blijft").exists()
        assert Traject.objects.visible_to(other_am).filter(pk=traject.pk).exists()

    def test_restore_after_the_retention_is_impossible_and_purge_removes_only_old(
        self, am, beheerder
    ):
        old = TrajectFactory(accountmanagers=[am])
        recent = TrajectFactory(accountmanagers=[am])
        services.traject_delete(traject=old, user=am)
        services.traject_delete(traject=recent, user=am)
        Traject.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        with pytest.raises(Traject.DoesNotExist):
            services.traject_restore(traject_id=old.pk, user=beheerder)
        assert services.traject_purge() == 1
        assert not Traject.objects.filter(pk=old.pk).exists()
        assert Traject.objects.filter(pk=recent.pk).exists()


def _race(n, work):
    """Run work(i) in n threads released together; returns the results or exceptions."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 -- the test inspects every outcome
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_first_edits_convert_exactly_once(am):
    lead = TrajectFactory(converted_at=None, accountmanagers=[am], probability=50)
    results = _race(
        10,
        lambda i: services.traject_update(
            traject=lead.pk, user=am, changes={"subject": f"Versie {i}"}
        ),
    )
    assert all(isinstance(result, Traject) for result in results), results
    lead = reload(lead)
    assert lead.converted_at is not None
    assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1
    assert lead.version == 11


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(20))
def test_two_saves_of_the_same_field_one_wins_one_conflicts(am, other_am, run):
    traject = TrajectFactory(accountmanagers=[am, other_am], probability=50)
    users = [am, other_am]
    results = _race(
        2,
        lambda i: services.traject_update(
            traject=traject.pk,
            user=users[i],
            changes={"probability": 60 + i},
            loaded={"probability": 50},
        ),
    )
    wins = [r for r in results if isinstance(r, Traject)]
    conflicts = [r for r in results if isinstance(r, services.TrajectConflict)]
    assert (len(wins), len(conflicts)) == (1, 1), results
    assert reload(traject).probability == wins[0].probability


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_different_fields_both_succeed(am, other_am):
    traject = TrajectFactory(accountmanagers=[am, other_am], probability=50)
    changes = [{"probability": 70}, {"value": "4200"}]
    users = [am, other_am]
    results = _race(
        2,
        lambda i: services.traject_update(
            traject=traject.pk,
            user=users[i],
            changes=changes[i],
            loaded={"probability": 50, "value": "1000.00"},
        ),
    )
    assert all(isinstance(r, Traject) for r in results), results
    traject = reload(traject)
    assert (traject.probability, traject.value, traject.version) == (70, Decimal("4200.00"), 3)
