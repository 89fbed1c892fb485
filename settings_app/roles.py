"""Who is what: the three roles of DESIGN.md, read once per request from UserSettings."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Subquery

KEYUSER_PERMISSION = "settings_app.change_clientsettings"


@dataclass(frozen=True)
class Roles:
    accountmanager: bool = False
    beheerder: bool = False
    keyuser: bool = False
    sales_select: bool = False

    @property
    def can_create_leads(self) -> bool:
        """Accountmanagers and beheerders create leads; a user with neither setting cannot."""
        return self.accountmanager or self.beheerder


NOBODY = Roles()


def roles_of(user) -> Roles:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_sales_roles", None)
    if cached is not None:
        return cached
    from .models import ClientSettings, UserSettings

    # The client's Sales Select setting comes along in the same query; load() only when
    # either row is missing (it creates the client's row).
    client_setting = ClientSettings.objects.filter(pk=1).values("sales_select_enabled")
    user_settings = (
        UserSettings.objects.filter(user=user)
        .annotate(client_select=Subquery(client_setting))
        .first()
    )
    if user_settings is None or user_settings.client_select is None:
        client_select = ClientSettings.load().sales_select_enabled
    else:
        client_select = user_settings.client_select
    roles = Roles(
        accountmanager=bool(user_settings and user_settings.is_accountmanager),
        beheerder=bool(user_settings and user_settings.is_beheerder),
        keyuser=user.is_staff and user.has_perm(KEYUSER_PERMISSION),
        sales_select=client_select or bool(user_settings and user_settings.sales_select_enabled),
    )
    user._sales_roles = roles
    return roles


def accountmanagers():
    """Active users with the accountmanager setting (DB79): who a traject can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, sales_settings__is_accountmanager=True)
        .order_by("first_name", "last_name", "username")
    )
