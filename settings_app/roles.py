"""Who is what: the three roles of DESIGN.md, read once per request from UserSettings."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import CharField, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

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
    """The user's roles, cached on the user object for the rest of the request.

    One query reads them together with the client's settings (see client_settings_of), which
    say whether Sales Select is on for everyone.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_sales_roles", None)
    if cached is not None:
        return cached
    from .models import ClientSettings, UserPreferences, UserSettings

    own = UserSettings.objects.filter(user=user)
    # The user's own preferences (density, shortcuts) come along in the same query.
    preferences = UserPreferences.objects.filter(user=user)
    client = (
        ClientSettings.objects.filter(pk=1)
        .annotate(
            user_is_accountmanager=Subquery(own.values("is_accountmanager")),
            user_is_beheerder=Subquery(own.values("is_beheerder")),
            user_sales_select=Subquery(own.values("sales_select_enabled")),
            **{
                f"preference_{name}": Subquery(preferences.values(name))
                for name in UserPreferences.preference_fields()
            },
        )
        .first()
    )
    if client is None:
        # A fresh database: load() creates the client's row with its defaults.
        client = ClientSettings.load()
        mine = own.first()
        flags = (
            (mine.is_accountmanager, mine.is_beheerder, mine.sales_select_enabled) if mine else ()
        )
    else:
        # No settings row for the user: the subqueries give None, which is False here.
        flags = (client.user_is_accountmanager, client.user_is_beheerder, client.user_sales_select)
    accountmanager, beheerder, sales_select = (bool(flag) for flag in flags or (0, 0, 0))
    roles = Roles(
        accountmanager=accountmanager,
        beheerder=beheerder,
        keyuser=user.is_staff and user.has_perm(KEYUSER_PERMISSION),
        sales_select=client.sales_select_enabled or sales_select,
    )
    user._sales_roles = roles
    user._client_settings = client
    values = {
        name: getattr(client, f"preference_{name}", None)
        for name in UserPreferences.preference_fields()
    }
    # None: no row yet (or a fresh database), so the field's default.
    user._preferences = UserPreferences(
        user=user, **{name: value for name, value in values.items() if value is not None}
    )
    return roles


def preferences_of(user):
    """The user's "Mijn instellingen" (settings_app.UserPreferences), read with his roles in
    one query and kept for the request; the defaults for someone not logged in."""
    from .models import UserPreferences

    if user is None or not user.is_authenticated:
        return UserPreferences()
    roles_of(user)
    cached = getattr(user, "_preferences", None)
    return cached if cached is not None else UserPreferences(user=user)


def client_settings_of(user):
    """The client's settings, read with the user's roles in one query and kept for the request."""
    from .models import ClientSettings

    roles_of(user)
    cached = getattr(user, "_client_settings", None)
    return cached if cached is not None else ClientSettings.load()


def accountmanagers():
    """Active users with the accountmanager setting (DB79): who a traject can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, sales_settings__is_accountmanager=True)
        .order_by("first_name", "last_name", "username")
    )


def person_name(user, empty: str = "") -> str:
    """A user as every page names him: 'Jan de Vries', else his login name 'jdevries';
    `empty` when there is nobody."""
    if not user:
        return empty
    return user.get_full_name() or user.get_username()


def person_label(prefix: str = ""):
    """person_name as the database writes it, for a query's column: 'Jan de Vries', else
    'jdevries'. `prefix` reaches the user through a relation ('user__')."""
    return Coalesce(
        NullIf(Trim(Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name")), Value("")),
        f"{prefix}username",
        output_field=CharField(),
    )
