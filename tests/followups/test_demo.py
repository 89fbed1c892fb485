"""Issue 15: seed_demo gives about one task per open traject, in every group, some done."""

import datetime

import pytest
from django.core.management import call_command

from followups.lists import GROUPS, group_of
from followups.models import Task
from trajects.models import Traject, TrajectAccountmanager


@pytest.mark.django_db
def test_seed_demo_plans_a_task_on_most_open_trajects(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC), tick=False)
    today = datetime.date(2026, 12, 31)
    call_command("seed_demo", "--trajects", "600")
    open_assigned = Traject.objects.filter(closed_at__isnull=True, accountmanager_count__gt=0)
    tasks = list(Task.objects.select_related("traject"))
    assert 0.8 * open_assigned.count() <= len(tasks) <= open_assigned.count()
    assert all(task.traject.closed_at is None for task in tasks)
    links = set(TrajectAccountmanager.objects.values_list("traject_id", "user_id"))
    assert all((task.traject_id, task.assignee_id) in links for task in tasks)
    still_open = [task for task in tasks if task.done_at is None]
    assert {group_of(task.due_on, today) for task in still_open} == set(GROUPS)
    assert any(task.done_at for task in tasks) and any(task.due_time for task in tasks)
    # Some open trajects have no open task: "Zonder vervolgactie" has rows.
    with_open_task = {task.traject_id for task in still_open}
    assert open_assigned.exclude(pk__in=with_open_task).exists()
