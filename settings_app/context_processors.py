"""Template access to the current user's roles (for showing links, never for access checks)."""

from django.utils.functional import SimpleLazyObject

from .roles import preferences_of, roles_of


def sales_roles(request):
    """Expose `roles` lazily so pages that never look do no query."""
    return {"roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None)))}


def user_preferences(request):
    """Expose the user's "Mijn instellingen" (read with the roles, no query of its own)."""
    return {"preferences": SimpleLazyObject(lambda: preferences_of(getattr(request, "user", None)))}
