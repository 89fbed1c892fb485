"""Issue 15, point 1: tasks are created, completed, reopened and deleted through services that
write the dossier; bad input is refused beside the field; a leaver's open tasks move on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from followups import services
from followups.models import Task
from trajects import services as traject_services
from trajects.dossier import summary
from trajects.models import DossierKind, Traject

from ..factories import AccountmanagerFactory, TaskFactory, TrajectFactory

DAY = datetime.date(2026, 12, 31)


def task_lines(traject):
    return [
        summary(entry)
        for entry in traject.dossier_entries.filter(kind=DossierKind.TASK).order_by("pk")
    ]


@pytest.mark.django_db
def test_create_complete_reopen_delete_each_write_the_dossier(am):
    traject = TrajectFactory(accountmanagers=[am])
    task = services.task_create(traject=traject, user=am, title="  Offerte   nabellen ", due_on=DAY)
    assert (task.title, task.assignee, task.created_by, task.done_at) == (
        "Offerte nabellen",
        am,
        am,
        None,
    )
    services.task_complete(task=task, user=am)
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == am
    services.task_complete(task=task, user=am)  # a second click writes nothing
    services.task_reopen(task=task, user=am)
    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None
    services.task_delete(task=task, user=am)
    assert not Task.objects.exists()
    name = am.get_full_name() or am.username
    with translation.override("nl"):
        assert task_lines(traject) == [
            f"Taak aangemaakt: Offerte nabellen (vervalt 31-12-2026, voor {name})",
            "Taak afgerond: Offerte nabellen",
            "Taak heropend: Offerte nabellen",
            "Taak verwijderd: Offerte nabellen",
        ]
    # Never a stored sentence: the lines are said from kind and data when read.
    assert not traject.dossier_entries.filter(kind=DossierKind.TASK).exclude(text="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"due_on": datetime.date(1899, 12, 31)}, "due_on"),
        ({"due_on": datetime.date(2101, 1, 1)}, "due_on"),
        ({"due_on": "2026-12-31"}, "due_on"),
    ],
)
def test_bad_input_is_refused_beside_the_field(am, changes, field):
    traject = TrajectFactory(accountmanagers=[am])
    arguments = {"traject": traject, "user": am, "title": "Bellen", "due_on": DAY, **changes}
    with pytest.raises(ValidationError) as refused:
        services.task_create(**arguments)
    assert list(refused.value.message_dict) == [field]
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_the_assignee_is_an_accountmanager_of_the_traject_or_the_creator(am, other_am, beheerder):
    traject = TrajectFactory(accountmanagers=[am])
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            traject=traject, user=am, title="Bellen", due_on=DAY, assignee=other_am
        )
    assert list(refused.value.message_dict) == ["assignee"]
    # A beheerder plans one for himself, or for an accountmanager of the traject.
    own = services.task_create(traject=traject, user=beheerder, title="Checken", due_on=DAY)
    theirs = services.task_create(
        traject=traject, user=beheerder, title="Bellen", due_on=DAY, assignee=am
    )
    assert (own.assignee, theirs.assignee) == (beheerder, am)


@pytest.mark.django_db
def test_a_traject_one_may_not_see_does_not_exist_for_tasks(am, other_am, keyuser):
    traject = TrajectFactory(accountmanagers=[am])
    task = TaskFactory(traject=traject, due_on=DAY)
    for stranger in (other_am, keyuser):
        with pytest.raises(Traject.DoesNotExist):
            services.task_create(traject=traject, user=stranger, title="x", due_on=DAY)
        for action in (services.task_complete, services.task_reopen, services.task_delete):
            with pytest.raises(Task.DoesNotExist):
                action(task=task, user=stranger)


@pytest.mark.django_db
def test_only_the_creator_or_a_beheerder_deletes(am, other_am, beheerder):
    traject = TrajectFactory(accountmanagers=[am, other_am])
    task = TaskFactory(traject=traject, assignee=am, created_by=am, due_on=DAY)
    with pytest.raises(PermissionDenied, match="Alleen wie de taak aanmaakte"):
        services.task_delete(task=task, user=other_am)
    services.task_complete(task=task, user=other_am)  # any accountmanager of it may tick it off
    services.task_delete(task=task, user=beheerder)
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_hand_over_moves_the_open_tasks_to_the_new_accountmanager(
    am, other_am, django_capture_on_commit_callbacks
):
    third = AccountmanagerFactory(username="am_cor")
    traject = TrajectFactory(accountmanagers=[am, third])
    open_task = TaskFactory(traject=traject, assignee=am, due_on=DAY)
    done = TaskFactory(traject=traject, assignee=am, due_on=DAY)
    services.task_complete(task=done, user=am)
    theirs = TaskFactory(traject=traject, assignee=third, due_on=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        traject_services.traject_hand_over(traject=traject, user=am, accountmanager=other_am)
    open_task.refresh_from_db(), done.refresh_from_db(), theirs.refresh_from_db()
    # The one who takes his place gets them, not the one who was already there.
    assert open_task.assignee == other_am
    assert (done.assignee, theirs.assignee) == (am, third)
    with translation.override("nl"):
        moved = task_lines(traject)[-1]
    name = lambda user: user.get_full_name() or user.username  # noqa: E731
    assert moved == f"Taak {open_task.title} overgedragen van {name(am)} aan {name(other_am)}"


@pytest.mark.django_db
def test_removal_moves_the_open_tasks_to_the_first_who_stays(
    am, other_am, beheerder, django_capture_on_commit_callbacks
):
    traject = TrajectFactory(accountmanagers=[am, other_am])
    task = TaskFactory(traject=traject, assignee=other_am, due_on=DAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        traject_services.traject_accountmanager_remove(
            traject=traject, user=beheerder, accountmanager=other_am
        )
    assert len(callbacks) == 1
    task.refresh_from_db()
    assert task.assignee == am


@pytest.mark.django_db
def test_the_signal_is_sent_only_after_commit_and_carries_old_and_new(
    am, other_am, django_capture_on_commit_callbacks
):
    from trajects.signals import traject_changed

    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    traject_changed.connect(listener)
    try:
        traject = TrajectFactory(accountmanagers=[am])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            traject_services.traject_accountmanager_add(
                traject=traject, user=am, accountmanager=other_am
            )
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        traject_changed.disconnect(listener)
    assert heard[0]["changes"] == {"accountmanagers": {"old": [am.pk], "new": [am.pk, other_am.pk]}}
    assert heard[0]["user"] == am and heard[0]["traject"].pk == traject.pk


@pytest.mark.django_db
def test_the_task_lines_read_in_the_readers_language(am):
    """Never a stored sentence: the same entries read in English, dates in its notation."""
    traject = TrajectFactory(accountmanagers=[am])
    task = services.task_create(traject=traject, user=am, title="Offerte nabellen", due_on=DAY)
    services.task_complete(task=task, user=am)
    name = am.get_full_name() or am.username
    with translation.override("en"):
        assert task_lines(traject) == [
            f"Task created: Offerte nabellen (due 31/12/2026, for {name})",
            "Task completed: Offerte nabellen",
        ]
