"""The navigation's "Mijn taken" badge: overdue plus today's open tasks of the user."""

from django.utils.functional import SimpleLazyObject

from settings_app.roles import roles_of
from trajects.indicators import today


def _count(request) -> int:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    if not (roles.accountmanager or roles.beheerder):
        return 0
    from .lists import overdue_and_today_count

    return overdue_and_today_count(user, today())


def task_badge(request):
    """Expose `task_badge` lazily: one indexed count, only on pages that show the navigation."""
    return {"task_badge": SimpleLazyObject(lambda: _count(request))}
