"""The reads of "Mijn taken": open tasks in groups by due date, and trajects without a task.

Every list is a keyset page of 50 on (due date, id) or (expected close, id): the next 50 start
after the last row shown, so "Meer laden" costs the same on page 1 and page 100. Each group is
one query over the partial index of open tasks (assignee, due date, id).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from settings_app.roles import roles_of
from trajects.models import Traject, TrajectAccountmanager

from .models import Task, open_task_exists

PAGE = 50
GROUPS = {
    "verlopen": _("Verlopen"),
    "vandaag": _("Vandaag"),
    "week": _("Deze week"),
    "later": _("Later"),
}
WITHOUT_OWNER = "zonder-eigenaar"
NO_NEXT_STEP = "zonder-vervolgactie"
EVERYONE = "alle"


def group_bounds(
    key: str, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """(first, last) due date of a group, both included; None is open-ended. "Deze week" runs
    from tomorrow to Sunday (empty on a Sunday)."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    one = datetime.timedelta(days=1)
    return {
        "verlopen": (None, today - one),
        "vandaag": (today, today),
        "week": (today + one, sunday),
        "later": (sunday + one, None),
    }[key]


def group_of(due_on: datetime.date, today: datetime.date) -> str:
    """Which group a due date falls in on `today`."""
    for key in GROUPS:
        first, last = group_bounds(key, today)
        if (first is None or due_on >= first) and (last is None or due_on <= last):
            return key
    raise AssertionError(due_on)  # the groups cover every date


def parse_after(text: str) -> tuple[datetime.date | None, int | None]:
    """'2026-12-31_123' → (date, id); anything else → (None, None), the first page."""
    day, _sep, pk = str(text or "").partition("_")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return None, None
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None, None


@dataclass
class Section:
    """One group (or "Zonder eigenaar", "Zonder vervolgactie"): its first rows and what follows."""

    key: str
    label: str
    rows: list = field(default_factory=list)
    has_more: bool = False

    @property
    def after(self) -> str:
        """The keyset of the last row shown, for "Meer laden"."""
        if not self.rows:
            return ""
        last = self.rows[-1]
        day = last.due_on if isinstance(last, Task) else last.expected_close
        return f"{day.isoformat()}_{last.pk}"


_SENTINEL = 987654321


def _pattern(name: str, anchor: str = "") -> str:
    """A URL with one id, reversed once: '/taken/%d/klaar/' (a {% url %} per row and link cost
    a third of the page's time)."""
    return reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "%d") + anchor


def links_add(rows) -> None:
    """Give each row (a task or a traject) the URLs it links to, from patterns reversed once."""
    patterns = {
        "traject": _pattern("trajects:detail"),
        "relation": _pattern("crm:relation_detail"),
        "complete": _pattern("followups:complete"),
        "reopen": _pattern("followups:reopen"),
    }
    for row in rows:
        if isinstance(row, Task):
            traject = row.traject
            row.complete_url = patterns["complete"] % row.pk
            row.reopen_url = patterns["reopen"] % row.pk
        else:
            traject = row
        row.traject_url = patterns["traject"] % traject.pk
        row.relation_url = patterns["relation"] % traject.relation_id


def open_tasks(viewer, subject=None):
    """Open tasks the viewer may see, of `subject` (everyone's for None), with what a row shows."""
    tasks = Task.objects.visible_to(viewer).open()
    if subject is not None:
        tasks = tasks.assigned_to(subject)
    return tasks.select_related("traject", "traject__relation", "assignee").only(
        "title", "due_on", "due_time", "done_at", "assignee", "traject_id",
        "traject__subject", "traject__expected_close", "traject__closed_at",
        "traject__converted_at", "traject__relation_id", "traject__relation__name",
        "assignee__username", "assignee__first_name", "assignee__last_name",
        "assignee__is_active",
    )  # fmt: skip


def _page(rows_query, limit: int = PAGE) -> tuple[list, bool]:
    rows = list(rows_query[: limit + 1])
    links_add(rows[:limit])
    return rows[:limit], len(rows) > limit


def task_section(viewer, subject, key: str, today: datetime.date, after: str = "") -> Section:
    """The next 50 open tasks of one group (or of "Zonder eigenaar") after `after`."""
    label = GROUPS.get(key) or _("Zonder eigenaar")
    section = Section(key, label)
    if key == WITHOUT_OWNER:
        tasks = open_tasks(viewer).without_owner()
    else:
        first, last = group_bounds(key, today)
        if first is not None and last is not None and first > last:
            return section  # "Deze week" on a Sunday
        tasks = open_tasks(viewer, subject).due_between(first, last)
    tasks = tasks.after(*parse_after(after)).in_list_order()
    section.rows, section.has_more = _page(tasks)
    return section


def no_next_step_section(viewer, subject, after: str = "") -> Section:
    """Open leads and trajects of `subject` (everyone's for None) with no open task: the next
    50 by expected close."""
    section = Section(NO_NEXT_STEP, _("Zonder vervolgactie"))
    trajects = Traject.objects.visible_to(viewer).filter(closed_at__isnull=True)
    if subject is not None and roles_of(viewer).beheerder:
        # For an accountmanager visible_to is already "assigned to me"; a second condition on
        # the links (a join) made PostgreSQL read every one of his trajects' rows, 30 ms at
        # 200,000 trajects, where the semi-join over the open trajects' index takes 4.
        links = TrajectAccountmanager.objects.filter(traject=OuterRef("pk"), user=subject)
        trajects = trajects.filter(Exists(links))
    day, pk = parse_after(after)
    if day is not None:
        trajects = trajects.filter(Q(expected_close__gt=day) | Q(expected_close=day, pk__gt=pk))
    # First the page's ids, from the open trajects' index alone; then those rows. In one query
    # PostgreSQL read every open traject's row (subject, relation) before it sorted.
    chosen = list(
        trajects.filter(~open_task_exists())
        .order_by("expected_close", "pk")
        .values_list("pk", flat=True)[: PAGE + 1]
    )
    rows = (
        Traject.objects.filter(pk__in=chosen)
        .select_related("relation")
        .only(
            "subject",
            "expected_close",
            "closed_at",
            "converted_at",
            "relation_id",
            "relation__name",
        )  # fmt: skip
        .order_by("expected_close", "pk")
    )
    section.rows, section.has_more = _page(rows)
    return section


def overdue_and_today_count(user, today: datetime.date) -> int:
    """The navigation's badge: the user's open tasks due today or earlier (one indexed count)."""
    return (
        Task.objects.open()
        .assigned_to(user)
        .due_by(today)
        .filter(traject__deleted_at__isnull=True)
        .count()
    )
