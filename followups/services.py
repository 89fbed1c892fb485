"""Writes on follow-up tasks: each a small function, one transaction, a dossier entry, the task.

A task follows its traject's visibility: a traject or task the user may not see raises
DoesNotExist (the view answers 404), an action he may not perform raises PermissionDenied
with a message (403), bad input a ValidationError naming the field.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesmodule.fields import DATE_MAX, DATE_MIN
from settings_app.roles import person_name, roles_of
from trajects.models import DossierKind, Traject, TrajectAccountmanager
from trajects.services import dossier_log

from .models import TITLE_MAX, Task


def task_assignees(traject: Traject):
    """Who a task on this traject can be assigned to: its accountmanagers, in their order."""
    return (
        get_user_model()
        .objects.filter(traject_links__traject=traject)
        .order_by("traject_links__position", "traject_links__pk")
    )


def may_delete_task(*, task: Task, user) -> bool:
    """A task is deleted by whoever created it, or by a beheerder."""
    return task.created_by_id == user.pk or roles_of(user).beheerder


def _visible_traject(traject: Traject | int, user) -> Traject:
    pk = traject.pk if isinstance(traject, Traject) else traject
    return Traject.objects.visible_to(user).get(pk=pk)


def _locked_task(task: Task | int, user) -> Task:
    """The task re-read under a row lock, if the user may see its traject."""
    pk = task.pk if isinstance(task, Task) else task
    tasks = Task.objects.visible_to(user).select_for_update(of=("self",))
    return tasks.select_related("traject", "assignee").get(pk=pk)


def _clean_title(title) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise ValidationError({"title": _("Geef de taak een titel.")})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Een titel is hoogstens %(max)s tekens.") % {"max": TITLE_MAX}}
        )
    return title


def _clean_due(due_on) -> datetime.date:
    if not isinstance(due_on, datetime.date) or not DATE_MIN <= due_on <= DATE_MAX:
        raise ValidationError({"due_on": _("Kies een datum tussen 1900 en 2100.")})
    return due_on


def _clean_assignee(traject: Traject, user, assignee):
    """The chosen assignee: an accountmanager of the traject, or the creator himself."""
    if assignee is None or assignee.pk == user.pk:
        return user
    if not TrajectAccountmanager.objects.filter(traject=traject, user=assignee).exists():
        raise ValidationError({"assignee": _("Kies een accountmanager van dit traject, of uzelf.")})
    return assignee


def _log(task: Task, action: str, user, **data) -> None:
    dossier_log(
        traject=task.traject,
        kind=DossierKind.TASK,
        author=user,
        action=action,
        task=task.pk,
        title=task.title,
        due=task.due_on.isoformat(),
        **data,
    )


@transaction.atomic
def task_create(
    *,
    traject: Traject | int,
    user,
    title: str,
    due_on: datetime.date,
    due_time: datetime.time | None = None,
    assignee=None,
) -> Task:
    """Plan a follow-up on a traject the user sees; assigned to him unless he names one of the
    traject's accountmanagers."""
    traject = _visible_traject(traject, user)
    task = Task(
        traject=traject,
        title=_clean_title(title),
        due_on=_clean_due(due_on),
        due_time=due_time,
        assignee=_clean_assignee(traject, user, assignee),
        created_by=user,
    )
    task.save()
    _log(task, "created", user, assignee=person_name(task.assignee))
    return task


@transaction.atomic
def task_complete(*, task: Task | int, user) -> Task:
    """Mark a task done (once: a second click changes nothing and writes nothing)."""
    task = _locked_task(task, user)
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), user
        task.save(update_fields=["done_at", "done_by"])
        _log(task, "done", user)
    return task


@transaction.atomic
def task_reopen(*, task: Task | int, user) -> Task:
    """Make a done task open again."""
    task = _locked_task(task, user)
    if task.done_at is not None:
        task.done_at, task.done_by = None, None
        task.save(update_fields=["done_at", "done_by"])
        _log(task, "reopened", user)
    return task


@transaction.atomic
def task_delete(*, task: Task | int, user) -> None:
    """Delete a task: its creator or a beheerder."""
    task = _locked_task(task, user)
    if not may_delete_task(task=task, user=user):
        raise PermissionDenied(
            _("Alleen wie de taak aanmaakte of een beheerder kan haar verwijderen.")
        )
    _log(task, "deleted", user)
    task.delete()


@transaction.atomic
def task_reassign_leavers(*, traject: Traject, old: list[int], new: list[int], user=None) -> int:
    """The open tasks of accountmanagers who left the traject go to the one who came on (a
    hand-over), else to the first one who stayed; each move is written in the dossier. Tasks
    of a creator who was never an accountmanager (a beheerder's own) stay his."""
    left = set(old) - set(new)
    if not left or not new:
        return 0
    came = [pk for pk in new if pk not in old]
    heir = get_user_model().objects.get(pk=came[0] if came else new[0])
    tasks = list(
        Task.objects.open()
        .filter(traject=traject, assignee_id__in=left)
        .select_related("assignee", "traject")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for task in tasks:
        previous = task.assignee
        task.assignee = heir
        task.save(update_fields=["assignee"])
        _log(task, "moved", user, old=person_name(previous), new=person_name(heir))
    return len(tasks)
