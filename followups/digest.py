"""The daily task e-mail (issue 15, point 3): at 07:00 one e-mail per person with his overdue
and today's open tasks, to every active assignee who has any and has not switched it off in
"Mijn instellingen". Tasks on a traject in the recycle bin are left out, as on Mijn taken.
"""

import datetime
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from settings_app.roles import person_name

from .models import Task


def digest_tasks(today: datetime.date) -> dict:
    """{assignee: [his open tasks due on or before today]} of the people who get the e-mail,
    in one query, each list by due date."""
    users = get_user_model()
    switched_off = users.objects.filter(preferences__task_digest=False).values("pk")
    tasks = (
        # Only what each assignee may see (a task left behind on a traject he was taken off).
        Task.objects.visible_to_their("assignee")
        .open()
        .due_by(today)
        .filter(assignee__is_active=True)
        .exclude(assignee__email="")
        .exclude(assignee__in=switched_off)
        .select_related("assignee", "traject__relation")
        .order_by("assignee_id", "due_on", "pk")
    )
    return {
        assignee: list(rows) for assignee, rows in groupby(tasks, key=lambda task: task.assignee)
    }


def digest_message(user, tasks: list[Task], today: datetime.date) -> EmailMessage:
    """One person's e-mail, in the product's language."""
    overdue = [task for task in tasks if task.due_on < today]
    due_today = [task for task in tasks if task.due_on == today]
    subject = ngettext(
        "Mijn taken: %(count)s taak verlopen of voor vandaag",
        "Mijn taken: %(count)s taken verlopen of voor vandaag",
        len(tasks),
    ) % {"count": len(tasks)}
    body = render_to_string(
        "followups/email/digest.txt",
        {
            "name": person_name(user),
            "overdue": overdue,
            "due_today": due_today,
            "today": today,
            "url": settings.SITE_URL + reverse("followups:mine"),
            "settings_url": settings.SITE_URL + reverse("settings_app:preferences"),
        },
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])


def task_digest_send(*, today: datetime.date | None = None) -> int:
    """Send today's e-mails; returns how many were sent (one per person at most)."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            digest_message(user, tasks, today) for user, tasks in digest_tasks(today).items()
        ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
