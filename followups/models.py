"""Follow-up tasks ("Taak"): a next step on a traject with a due date and one assignee."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from salesmodule.visibility import VisibleQuerySet

TITLE_MAX = 200


class TaskQuerySet(VisibleQuerySet):
    traject_path = "traject"

    def open(self):
        """Not done yet."""
        return self.filter(done_at__isnull=True)

    def done(self):
        """Completed."""
        return self.filter(done_at__isnull=False)

    def alive(self):
        """On a traject that is not in the recycle bin."""
        return self.filter(traject__deleted_at__isnull=True)

    def assigned_to(self, user):
        """The user's own tasks."""
        return self.filter(assignee=user)

    def without_owner(self):
        """Assigned to a deactivated user: nobody will do them ("Zonder eigenaar")."""
        return self.filter(assignee__is_active=False)

    def due_by(self, day: datetime.date):
        """Due on or before the day (overdue and today's on that day)."""
        return self.filter(due_on__lte=day)

    def due_between(self, first: datetime.date | None, last: datetime.date | None):
        """Due from `first` to `last`, both included; None leaves that side open."""
        tasks = self
        if first is not None:
            tasks = tasks.filter(due_on__gte=first)
        if last is not None:
            tasks = tasks.filter(due_on__lte=last)
        return tasks

    def after(self, due_on: datetime.date | None, pk: int | None):
        """Keyset: the tasks after (due_on, pk) in the lists' order."""
        if due_on is None or pk is None:
            return self
        return self.filter(Q(due_on__gt=due_on) | Q(due_on=due_on, pk__gt=pk))

    def in_list_order(self):
        """By due date, then by creation (the id), as every task list shows them."""
        return self.order_by("due_on", "pk")


class Task(models.Model):
    """One follow-up on a traject: a title, a due date (optionally a time), one assignee."""

    traject = models.ForeignKey(
        "trajects.Traject",
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("traject"),
    )
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    due_on = models.DateField(_("vervaldatum"))
    due_time = models.TimeField(_("tijd"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="followup_tasks",
        verbose_name=_("toegewezen aan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("taak")
        verbose_name_plural = _("taken")
        ordering = ["due_on", "pk"]
        indexes = [
            # "My open tasks by due date" (Mijn taken, the badge's count) reads only this.
            models.Index(
                fields=["assignee", "due_on", "id"],
                condition=Q(done_at__isnull=True),
                name="task_open_assignee_due",
            ),
            # The beheerder's "everyone" view: all open tasks by due date.
            models.Index(
                fields=["due_on", "id"], condition=Q(done_at__isnull=True), name="task_open_due"
            ),
            # "Zonder vervolgactie" asks per traject whether an open task exists.
            models.Index(
                fields=["traject"], condition=Q(done_at__isnull=True), name="task_open_traject"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


def open_task_exists():
    """Exists(an open task on the outer traject): for "Zonder vervolgactie"."""
    return Exists(Task.objects.open().filter(traject=OuterRef("pk")))
