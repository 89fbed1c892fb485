from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import Appointment
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import AppointmentFactory, TrajectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("probability", [101, 150])
def test_probability_over_100_is_refused_by_a_direct_save(am, probability):
    traject = TrajectFactory(accountmanagers=[am])
    Traject.objects.filter(pk=traject.pk).update()  # the row exists
    traject.probability = probability
    with pytest.raises(IntegrityError), transaction.atomic():
        traject.save()
    traject.refresh_from_db()
    assert traject.probability == 50


def test_negative_value_is_refused_by_a_direct_save(am):
    traject = TrajectFactory(accountmanagers=[am])
    with pytest.raises(IntegrityError), transaction.atomic():
        Traject.objects.filter(pk=traject.pk).update(value=Decimal("-1"))
    traject.refresh_from_db()
    assert traject.value == Decimal("1000.00")


def test_value_may_be_unknown_and_weighted_value_follows(am):
    traject = TrajectFactory(accountmanagers=[am], value=None)
    assert traject.weighted_value is None
    traject = TrajectFactory(accountmanagers=[am], value=Decimal("10000"), probability=50)
    assert traject.weighted_value == Decimal("5000.00")
    traject = TrajectFactory(accountmanagers=[am], value=Decimal("99.99"), probability=33)
    assert traject.weighted_value == Decimal("33.00")  # 32.9967 rounded to cents


def test_assignment_keeps_the_stored_count_and_copies_expected_close(am, other_am):
    traject = TrajectFactory(accountmanagers=[am, other_am])
    assert traject.accountmanager_count == 2
    links = list(traject.accountmanager_links.values_list("expected_close", flat=True))
    assert links == [traject.expected_close] * 2


class TestVisibleTo:
    """DESIGN 'Who uses it': beheerder all, accountmanager his own, deleted nobody."""

    @pytest.fixture
    def world(self, am, other_am):
        return {
            "mine": TrajectFactory(accountmanagers=[am]),
            "shared": TrajectFactory(accountmanagers=[am, other_am]),
            "theirs": TrajectFactory(accountmanagers=[other_am]),
            "my_lead": TrajectFactory(accountmanagers=[am], converted_at=None),
            "pool": TrajectFactory(converted_at=None),
            "deleted": TrajectFactory(accountmanagers=[am], deleted_at=timezone.now()),
        }

    def names(self, world, queryset):
        ids = set(queryset.values_list("pk", flat=True))
        return {name for name, traject in world.items() if traject.pk in ids}

    def test_accountmanager_sees_only_what_he_is_assigned_to(self, world, am):
        visible = Traject.objects.visible_to(am)
        assert self.names(world, visible) == {"mine", "shared", "my_lead"}
        assert self.names(world, visible.leads()) == {"my_lead"}
        assert self.names(world, visible.trajects()) == {"mine", "shared"}

    def test_other_accountmanager(self, world, other_am):
        assert self.names(world, Traject.objects.visible_to(other_am)) == {"shared", "theirs"}

    def test_beheerder_sees_all_but_deleted_including_the_pool(self, world, beheerder):
        visible = Traject.objects.visible_to(beheerder)
        assert self.names(world, visible) == set(world) - {"deleted"}
        assert self.names(world, visible.unassigned()) == {"pool"}

    def test_user_without_a_sales_role_and_anonymous_see_nothing(self, world, nobody, keyuser):
        from django.contrib.auth.models import AnonymousUser

        assert not Traject.objects.visible_to(nobody).exists()
        assert not Traject.objects.visible_to(keyuser).exists()
        assert not Traject.objects.visible_to(AnonymousUser()).exists()

    def test_user_with_both_settings_is_a_beheerder(self, world, am):
        from settings_app.services import user_settings_set

        user_settings_set(user=am, accountmanager=True, beheerder=True)
        assert self.names(world, Traject.objects.visible_to(am)) == set(world) - {"deleted"}

    def test_inactive_user_sees_nothing(self, world, am):
        am.is_active = False
        am.save()
        assert not Traject.objects.visible_to(am).exists()

    def test_dossier_entries_follow_their_traject(self, world, am, other_am, beheerder):
        entries = {
            name: DossierEntry.objects.create(traject=t, kind=DossierKind.NOTE, text=name)
            for name, t in world.items()
        }

        def texts(user):
            return set(DossierEntry.objects.visible_to(user).values_list("text", flat=True))

        assert texts(am) == {"mine", "shared", "my_lead"}
        assert texts(other_am) == {"shared", "theirs"}
        assert texts(beheerder) == set(entries) - {"deleted"}

    def test_appointments_owner_and_whoever_sees_the_traject(self, world, am, other_am, beheerder):
        own_loose = AppointmentFactory(owner=am, subject="own, no traject")
        on_theirs = AppointmentFactory(owner=other_am, traject=world["theirs"], subject="theirs")
        on_shared = AppointmentFactory(owner=other_am, traject=world["shared"], subject="shared")
        on_deleted = AppointmentFactory(owner=am, traject=world["deleted"], subject="deleted")

        def subjects(user):
            return set(Appointment.objects.visible_to(user).values_list("subject", flat=True))

        assert subjects(am) == {own_loose.subject, on_shared.subject, on_deleted.subject}
        assert subjects(other_am) == {on_theirs.subject, on_shared.subject}
        # A beheerder sees the appointments of every traject, not someone's private agenda.
        assert subjects(beheerder) == {on_theirs.subject, on_shared.subject}
        assert Appointment.objects.visits().count() == 4
