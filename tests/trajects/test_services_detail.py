"""The services the detail page added: hand over, the permission predicates, bulk audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


class TestHandOver:
    def test_hand_over_adds_the_other_and_removes_oneself(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_hand_over(traject=traject, user=am, accountmanager=other_am)
        assert list(reload(traject).accountmanagers.all()) == [other_am]
        assert reload(traject).accountmanager_count == 1

    def test_not_to_oneself(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.traject_hand_over(traject=traject, user=am, accountmanager=am)

    def test_a_beheerder_not_on_it_cannot_hand_over_and_nothing_changes(
        self, am, other_am, beheerder
    ):
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.traject_hand_over(traject=traject, user=beheerder, accountmanager=other_am)
        assert list(reload(traject).accountmanagers.all()) == [am]
        assert not DossierEntry.objects.filter(kind=DossierKind.SHARE).exists()

    def test_a_stranger_gets_does_not_exist(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[other_am])
        with pytest.raises(Traject.DoesNotExist):
            services.traject_hand_over(traject=traject, user=am, accountmanager=am)


class TestPredicates:
    def test_who_may_remove_whom(self, am, other_am, beheerder):
        assert services.may_remove_accountmanager(user=am, accountmanager=am)
        assert not services.may_remove_accountmanager(user=am, accountmanager=other_am)
        assert services.may_remove_accountmanager(user=beheerder, accountmanager=other_am)

    def test_notes_and_appointments(self, am, other_am, beheerder):
        traject = TrajectFactory(accountmanagers=[am, other_am])
        note = services.dossier_note_add(traject=traject, user=am, text="x")
        assert services.may_change_note(note=note, user=am)
        assert not services.may_change_note(note=note, user=other_am)
        assert not services.may_change_note(note=note, user=beheerder)
        appointment = services.traject_appointment_create(
            traject=traject, user=am, start=timezone.now()
        )
        assert services.may_delete_appointment(appointment=appointment, user=am)
        assert services.may_delete_appointment(appointment=appointment, user=beheerder)
        assert not services.may_delete_appointment(appointment=appointment, user=other_am)
        with pytest.raises(PermissionDenied):
            services.traject_appointment_delete(appointment=appointment, user=other_am)


class TestAccountmanagersSetAudit:
    def test_distribution_from_the_pool_is_written_with_who(self, am, beheerder):
        lead = TrajectFactory(converted_at=None)
        services.traject_accountmanagers_set(traject=lead, users=[am], by=beheerder)
        entry = DossierEntry.objects.get(kind=DossierKind.SHARE)
        assert (entry.author, entry.data["old"], entry.data["new"]) == (
            beheerder,
            "–",
            am.get_full_name(),
        )

    def test_the_first_assignment_of_a_new_record_without_by_writes_nothing(self, am):
        TrajectFactory(accountmanagers=[am])
        assert not DossierEntry.objects.exists()

    def test_a_change_is_written_even_without_by(self, am, other_am):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_accountmanagers_set(traject=traject, users=[am, other_am])
        assert DossierEntry.objects.get(kind=DossierKind.SHARE).data["old"] == am.get_full_name()


class TestQuerysets:
    def test_recycle_bin_holds_the_last_30_days(self, am):
        recent, old, alive = TrajectFactory.create_batch(3, accountmanagers=[am])
        services.traject_delete(traject=recent, user=am)
        services.traject_delete(traject=old, user=am)
        Traject.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=30, seconds=1)
        )
        assert list(Traject.objects.in_recycle_bin()) == [reload(recent)]
        assert set(Traject.objects.alive()) == {reload(alive)}

    def test_can_open_follows_visible_to(self, am, other_am, beheerder):
        mine = TrajectFactory(accountmanagers=[am])
        theirs = TrajectFactory(accountmanagers=[other_am], relation=mine.relation)
        pool = TrajectFactory(converted_at=None, relation=mine.relation)
        rows = Traject.objects.filter(relation=mine.relation)
        assert {t.pk: t.can_open for t in rows.with_can_open(am)} == {
            mine.pk: True,
            theirs.pk: False,
            pool.pk: False,
        }
        assert all(t.can_open for t in rows.with_can_open(beheerder))
