"""The dossier lines of tasks, said in the reader's language from their data (trajects.dossier)."""

import datetime
from collections.abc import Mapping

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def _day(text) -> str:
    try:
        return date_format(datetime.date.fromisoformat(str(text)), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


def task_summary(data: Mapping) -> str:
    """'Taak aangemaakt: Offerte nabellen (vervalt 05-12-2026, voor Anna)' and the like."""
    values = {
        "title": data.get("title", ""),
        "due": _day(data.get("due")),
        "assignee": data.get("assignee", ""),
        "old": data.get("old", ""),
        "new": data.get("new", ""),
    }
    sentences = {
        "created": lambda: _("Taak aangemaakt: %(title)s (vervalt %(due)s, voor %(assignee)s)"),
        "done": lambda: _("Taak afgerond: %(title)s"),
        "reopened": lambda: _("Taak heropend: %(title)s"),
        "deleted": lambda: _("Taak verwijderd: %(title)s"),
        "moved": lambda: _("Taak %(title)s overgedragen van %(old)s aan %(new)s"),
    }
    sentence = sentences.get(data.get("action"))
    return sentence() % values if sentence else ""
