"""The rows of Mijn taken as HTML, written in Python: up to 250 rows a page, and a template
include per row (with its url and translate tags) cost most of the page's time. The single
row htmx swaps after Klaar / Heropenen comes from the same function."""

import datetime
from functools import lru_cache

from django.middleware.csrf import get_token
from django.utils.formats import date_format
from django.utils.html import escape, format_html
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
        self.csrf = escape(get_token(request))
        self.next_field = (
            format_html('<input type="hidden" name="next" value="{}">', next_url)
            if next_url
            else ""
        )
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

    def _button(self, task: Task) -> str:
        if task.done_at:
            url, label, css = task.reopen_url, self.texts["reopen"], ' class="link"'
            text = label
        else:
            url, label, css = task.complete_url, self.texts["done"], ""
            text = "✓ " + label
        return format_html(
            '<form method="post" action="{url}" hx-post="{url}" hx-target="#taak-{pk}" '
            'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '{next}<button type="submit"{css} aria-label="{label}: {title}">{text}</button></form>',
            url=url, pk=task.pk, csrf=mark_safe(self.csrf), next=self.next_field,  # noqa: S308
            css=mark_safe(css), label=label, title=task.title, text=text,  # noqa: S308
        )  # fmt: skip

    def task(self, task: Task) -> SafeString:
        """One task's row: Klaar (or Heropenen), title, due, traject, relation, days, assignee."""
        traject = task.traject
        title = (
            format_html('<s>{}</s> <span class="visually-hidden">{}</span>', task.title,
                        self.texts["marked"])
            if task.done_at else escape(task.title)
        )  # fmt: skip
        due = self.day(task.due_on)
        if task.due_time:
            due += f" {task.due_time:%H:%M}"
        indicator = traject_remaining_days(traject, today=self.today, client_settings=self.settings)
        return format_html(
            '<tr id="taak-{pk}"{done}>\n  <td>{button}</td>\n  <td title="{plain}">{title}</td>\n'
            "  <td>{due}</td>\n"
            '  <td title="{subject}"><a href="{traject_url}#taken">{subject}</a></td>\n'
            '  <td title="{relation}"><a href="{relation_url}">{relation}</a></td>\n'
            "  <td>{badge}</td>\n  <td>{assignee}</td>\n</tr>\n",
            pk=task.pk, done=mark_safe(' class="done"' if task.done_at else ""),  # noqa: S308
            button=self._button(task), plain=task.title, title=title, due=due,
            subject=traject.subject, traject_url=task.traject_url,
            relation=traject.relation.name, relation_url=task.relation_url,
            badge=remaining_days_html(indicator), assignee=person_name(task.assignee, "–"),
        )  # fmt: skip

    def traject(self, traject) -> SafeString:
        """One row of Zonder vervolgactie: subject (lead badge), relation, close, days, plan."""
        lead = (
            format_html(' <span class="badge">{}</span>', self.texts["lead"])
            if not traject.converted_at
            else ""
        )
        indicator = traject_remaining_days(traject, today=self.today, client_settings=self.settings)
        return format_html(
            '<tr id="traject-{pk}">\n'
            '  <td title="{subject}"><a href="{url}">{subject}</a>{lead}</td>\n'
            '  <td title="{relation}"><a href="{relation_url}">{relation}</a></td>\n'
            "  <td>{close}</td>\n  <td>{badge}</td>\n"
            '  <td><a href="{url}#taken">{plan}</a></td>\n</tr>\n',
            pk=traject.pk, subject=traject.subject, url=traject.traject_url, lead=lead,
            relation=traject.relation.name, relation_url=traject.relation_url,
            close=self.day(traject.expected_close), badge=remaining_days_html(indicator),
            plan=self.texts["plan"],
        )  # fmt: skip

    def rows(self, rows) -> SafeString:
        """The rows of a section, tasks or trajects."""
        write = self.task if rows and isinstance(rows[0], Task) else self.traject
        return mark_safe("".join(write(row) for row in rows))  # noqa: S308


def row_writer(request, *, today: datetime.date, next_url: str = "") -> RowWriter:
    """The request's RowWriter (made once per request)."""
    writer = getattr(request, "_task_row_writer", None)
    if writer is None:
        writer = request._task_row_writer = RowWriter(request, today=today, next_url=next_url)
    return writer
