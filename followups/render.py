"""The rows of Mijn taken as HTML, written in Python: up to 250 rows a page, and a template
include per row (with its url and translate tags) cost most of the page's time. Plain
f-strings with the standard library's escape (Django's format_html checks every argument for
lazy text): every value shown or put in an attribute goes through esc(). The single row htmx
swaps after Klaar / Heropenen comes from the same function."""

import datetime
from functools import lru_cache
from html import escape as esc

from django.middleware.csrf import get_token
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from settings_app.roles import client_settings_of, person_name
from trajects.badges import remaining_days_html
from trajects.indicators import traject_remaining_days

from .models import Task


class RowWriter:
    """Writes rows for one request: the texts, settings and dates are worked out once."""

    def __init__(self, request, *, today: datetime.date, next_url: str = ""):
        self.today = today
        self.settings = client_settings_of(request.user)
        self.csrf = esc(get_token(request))
        self.next_field = (
            f'<input type="hidden" name="next" value="{esc(next_url)}">' if next_url else ""
        )
        self._badges: dict = {}
        self._people: dict = {}
        self.texts = {
            "done": _("Klaar"),
            "reopen": _("Heropenen"),
            "marked": _("(klaar)"),
            "lead": _("lead"),
            "plan": _("Taak plannen"),
        }

    @staticmethod
    @lru_cache(maxsize=512)
    def _day(day: datetime.date, language: str) -> str:
        return date_format(day, "SHORT_DATE_FORMAT")

    def day(self, day: datetime.date) -> str:
        return self._day(day, get_language())

    def badge(self, traject) -> str:
        """The remaining-days badge, made once per expected close and state."""
        key = (traject.expected_close, traject.closed_at is None)
        html = self._badges.get(key)
        if html is None:
            indicator = traject_remaining_days(
                traject, today=self.today, client_settings=self.settings
            )
            html = self._badges[key] = str(remaining_days_html(indicator))
        return html

    def person(self, user) -> str:
        """A user's name, escaped, once per user."""
        html = self._people.get(user.pk)
        if html is None:
            html = self._people[user.pk] = esc(person_name(user, "–"))
        return html

    def _button(self, task: Task) -> str:
        if task.done_at:
            url, label, css = task.reopen_url, self.texts["reopen"], ' class="link"'
            text = esc(label)
        else:
            url, label, css = task.complete_url, self.texts["done"], ""
            text = "✓ " + esc(label)
        return (
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#taak-{task.pk}" '
            f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{self.csrf}">{self.next_field}<button type="submit"{css} '
            f'aria-label="{esc(label)}: {esc(task.title)}">{text}</button></form>'
        )

    def task(self, task: Task) -> str:
        """One task's row: Klaar (or Heropenen), title, due, traject, relation, days, assignee."""
        traject = task.traject
        title = esc(task.title)
        shown = (
            f'<s>{title}</s> <span class="visually-hidden">{esc(self.texts["marked"])}</span>'
            if task.done_at
            else title
        )
        due = self.day(task.due_on)
        if task.due_time:
            due += f" {task.due_time:%H:%M}"
        subject, relation = esc(traject.subject), esc(traject.relation.name)
        done = ' class="done"' if task.done_at else ""
        return (
            f'<tr id="taak-{task.pk}"{done}>\n  <td>{self._button(task)}</td>\n'
            f'  <td title="{title}">{shown}</td>\n  <td>{due}</td>\n'
            f'  <td title="{subject}"><a href="{task.traject_url}#taken">{subject}</a></td>\n'
            f'  <td title="{relation}"><a href="{task.relation_url}">{relation}</a></td>\n'
            f"  <td>{self.badge(traject)}</td>\n  <td>{self.person(task.assignee)}</td>\n</tr>\n"
        )

    def traject(self, traject) -> str:
        """One row of Zonder vervolgactie: subject (lead badge), relation, close, days, plan."""
        lead = (
            f' <span class="badge">{esc(self.texts["lead"])}</span>'
            if not traject.converted_at
            else ""
        )
        subject, relation = esc(traject.subject), esc(traject.relation.name)
        url = traject.traject_url
        return (
            f'<tr id="traject-{traject.pk}">\n'
            f'  <td title="{subject}"><a href="{url}">{subject}</a>{lead}</td>\n'
            f'  <td title="{relation}"><a href="{traject.relation_url}">{relation}</a></td>\n'
            f"  <td>{self.day(traject.expected_close)}</td>\n  <td>{self.badge(traject)}</td>\n"
            f'  <td><a href="{url}#taken">{esc(self.texts["plan"])}</a></td>\n</tr>\n'
        )

    def rows(self, rows) -> SafeString:
        """The rows of a section, tasks or trajects."""
        write = self.task if rows and isinstance(rows[0], Task) else self.traject
        # Every value above went through esc(); the markup is ours.
        return mark_safe("".join(write(row) for row in rows))  # noqa: S308


def row_writer(request, *, today: datetime.date, next_url: str = "") -> RowWriter:
    """The request's RowWriter (made once per request)."""
    writer = getattr(request, "_task_row_writer", None)
    if writer is None:
        writer = request._task_row_writer = RowWriter(request, today=today, next_url=next_url)
    return writer
