"""Template access to the current user's roles (for showing links, never for access checks)."""

from django.utils.functional import SimpleLazyObject

from .roles import roles_of


def sales_roles(request):
    """Expose `roles` lazily so pages that never look do no query."""
    return {"roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None)))}
