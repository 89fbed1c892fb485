"""The Taken widget's data, read where the widget is included (the traject page includes it
without importing followups: DESIGN, layering).

    {% load followups %}{% traject_tasks traject as tasks %}
"""

from dataclasses import dataclass

from django import template

from trajects.indicators import today

from ..forms import TaskForm
from ..models import Task
from ..render import row_writer
from ..services import may_delete_task

register = template.Library()
SHOWN_DONE = 10


@dataclass
class Widget:
    open: list
    done: list
    form: TaskForm
    today: object


@register.simple_tag(takes_context=True)
def traject_tasks(context, traject, form=None):
    """The traject's open tasks (by due date), its last ten done ones, and the add form."""
    user = context["request"].user
    tasks = list(
        Task.objects.filter(traject=traject).select_related("assignee").order_by("due_on", "pk")
    )
    opened = [task for task in tasks if task.done_at is None]
    done = sorted(
        (task for task in tasks if task.done_at is not None),
        key=lambda task: (task.done_at, task.pk),
        reverse=True,
    )[:SHOWN_DONE]
    for task in opened + done:
        task.deletable = may_delete_task(task=task, user=user)
    return Widget(opened, done, form or TaskForm(traject=traject, user=user), today())


@register.simple_tag(takes_context=True)
def task_rows(context, rows):
    """The rows of a Mijn taken section (followups.render writes them)."""
    writer = row_writer(
        context["request"], today=context.get("today") or today(), next_url=context.get("next_url")
    )
    return writer.rows(list(rows))
