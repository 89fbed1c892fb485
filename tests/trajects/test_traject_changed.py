"""traject_changed (DESIGN, layering): one signal after commit from every write path, with
what changed (ids for relations) and where the change came from."""

import datetime
from decimal import Decimal

import pytest

from crm.models import AppointmentKind
from leads import services as lead_services
from settings_app.models import Stage, TrajectType, WinLossReason
from trajects import services
from trajects.signals import IMPORT, USER, WORKFLOW, acting_as, traject_changed

from ..factories import ContactFactory, RelationFactory, TrajectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listener(sender, *, traject, changes, user, origin, **kwargs):
        calls.append((traject.pk, changes, user, origin))

    traject_changed.connect(listener, dispatch_uid="test-heard")
    yield calls
    traject_changed.disconnect(dispatch_uid="test-heard")


@pytest.fixture
def traject(am):
    contact = ContactFactory()
    return TrajectFactory(
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        probability=50,
        value=Decimal("100.00"),
        expected_close=datetime.date(2027, 5, 1),
    )


def test_an_edit_announces_each_changed_field_after_commit(
    am, traject, heard, django_capture_on_commit_callbacks
):
    voorstel = Stage.objects.get(name="Voorstel")
    with django_capture_on_commit_callbacks(execute=True):
        services.traject_update(
            traject=traject, user=am, changes={"probability": 70, "stage": voorstel}
        )
        assert heard == []  # nothing before the commit
    assert heard == [
        (
            traject.pk,
            {"probability": {"old": 50, "new": 70}, "stage": {"old": None, "new": voorstel.pk}},
            am,
            USER,
        )
    ]


def test_fields_the_outcome_rule_changes_along_are_announced_too(
    am, traject, heard, django_capture_on_commit_callbacks
):
    gewonnen = Stage.objects.get(name="Gewonnen")
    reason = WinLossReason.objects.get(reason="Relatie")
    order = TrajectType.objects.get(name="Order")
    prospect = TrajectType.objects.get(name="Prospect")
    with django_capture_on_commit_callbacks(execute=True):
        services.traject_update(
            traject=traject, user=am, changes={"stage": gewonnen, "win_loss_reason": reason}
        )
    ((_pk, changes, _user, _origin),) = heard
    assert changes["type"] == {"old": prospect.pk, "new": order.pk}
    assert changes["probability"] == {"old": 50, "new": 100}


def test_appointments_announce_their_update_of_visits_and_first_visit(
    am, traject, heard, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2027, 3, 15, 9, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.traject_appointment_create(
            traject=traject, user=am, start=start, kind=AppointmentKind.VISIT
        )
    assert heard[-1][1] == {
        "visit_count": {"old": 0, "new": 1},
        "first_visit_on": {"old": None, "new": datetime.date(2027, 3, 15)},
    }
    traject.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.traject_appointment_delete(appointment=appointment, user=am)
    assert heard[-1][1] == {
        "visit_count": {"old": 1, "new": 0},
        "first_visit_on": {"old": datetime.date(2027, 3, 15), "new": None},
    }


def test_delete_and_restore(am, beheerder, traject, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.traject_delete(traject=traject, user=am)
        services.traject_restore(traject_id=traject.pk, user=beheerder)
    assert [changes for _pk, changes, _u, _o in heard] == [
        {"deleted": {"old": False, "new": True}},
        {"deleted": {"old": True, "new": False}},
    ]


def test_a_new_lead_and_an_import_and_a_workflow_say_where_they_come_from(
    am, beheerder, traject, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_services.lead_create(created_by=am, subject="Nieuw", relation=RelationFactory())
    assert heard[-1] == (
        lead.pk,
        {"created": {"old": None, "new": True}, "type": {"old": None, "new": lead.type_id}},
        am,
        USER,
    )
    with django_capture_on_commit_callbacks(execute=True), acting_as(IMPORT):
        services.traject_update(traject=traject, user=am, changes={"probability": 10})
    assert heard[-1][3] == IMPORT
    with django_capture_on_commit_callbacks(execute=True), acting_as(WORKFLOW, "Regel"):
        services.traject_update(traject=traject, user=None, changes={"probability": 20})
    assert heard[-1][2:] == (None, WORKFLOW)


def test_no_user_outside_a_workflow_sees_nothing(traject):
    from trajects.models import Traject

    with pytest.raises(Traject.DoesNotExist):
        services.traject_update(traject=traject, user=None, changes={"probability": 20})
