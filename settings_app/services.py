"""Writes on settings: users' roles, the key-user group, client settings and the lists."""

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ClientSettings, TrajectType, UserPreferences, UserSettings
from .price_ranges import thresholds_parse, thresholds_text
from .signals import price_ranges_changed

KEYUSER_GROUP = "Key-users"


@transaction.atomic
def keyuser_group_ensure() -> Group:
    """The group whose members (staff) edit client and user settings: every settings permission."""
    group, _created = Group.objects.get_or_create(name=KEYUSER_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="settings_app"))
    return group


@transaction.atomic
def user_settings_set(
    *, user, accountmanager: bool = False, beheerder: bool = False, sales_select: bool = False
) -> UserSettings:
    """Give a user the Sales Module settings DB79 (accountmanager), SE818 (beheerder), SE3573."""
    settings, _created = UserSettings.objects.update_or_create(
        user=user,
        defaults={
            "is_accountmanager": accountmanager,
            "is_beheerder": beheerder,
            "sales_select_enabled": sales_select,
        },
    )
    user.__dict__.pop("_sales_roles", None)
    return settings


@transaction.atomic
def user_preferences_set(*, user, **values) -> UserPreferences:
    """Store what a user chose in "Mijn instellingen" (only the fields given), made on demand."""
    preferences, _created = UserPreferences.objects.get_or_create(user=user)
    for name, value in values.items():
        setattr(preferences, name, value)
    preferences.full_clean()
    preferences.save()
    user.__dict__.pop("_sales_roles", None)
    user.__dict__.pop("_preferences", None)
    return preferences


@transaction.atomic
def user_unlock(*, user) -> int:
    """Lift the login lock (too many failed logins) on a user's account at every address."""
    return axes_reset(username=user.get_username())


class ListEntryInUse(Exception):
    """A list entry others refer to: it may be deactivated, never deleted."""

    def __init__(self, entry, usage: list[tuple[str, int]]):
        self.entry, self.usage = entry, usage
        super().__init__(list_entry_in_use_message(entry, usage))


def list_entry_in_use_message(entry, usage: list[tuple[str, int]]) -> str:
    """'Prospect is in gebruik (12 trajecten): ...' — why it cannot be deleted."""
    where = ", ".join(f"{count} {name}" for name, count in usage)
    return _(
        "%(entry)s is in gebruik (%(where)s) en kan daarom niet worden verwijderd, alleen "
        "gedeactiveerd: zet 'actief' uit. Bestaande gegevens houden het dan; nieuwe kunnen het "
        "niet meer kiezen."
    ) % {"entry": entry, "where": where}


@transaction.atomic
def list_entry_delete(*, entry) -> None:
    """Delete a list entry nobody refers to; raise ListEntryInUse otherwise.

    The row lock makes a concurrent insert that refers to the entry wait for (and then fail
    on) the delete, or makes the delete see that insert.
    """
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    usage = entry.usage()
    if usage:
        raise ListEntryInUse(entry, usage)
    if getattr(entry, "is_default", False):
        raise ListEntryInUse(entry, [(str(_("standaardtype")), 1)])
    entry.delete()


@transaction.atomic
def list_entries_set_active(*, entries, active: bool) -> list:
    """(De)activate list entries; the default traject type stays active. Returns the refused."""
    entries = list(entries)
    refused = [e for e in entries if not active and getattr(e, "is_default", False)]
    ids = [e.pk for e in entries if e not in refused]
    if ids:
        type(entries[0]).objects.filter(pk__in=ids).update(active=active)
    return refused


@transaction.atomic
def traject_type_save(*, traject_type: TrajectType) -> TrajectType:
    """Save a traject type (GE78); making it the default takes the default from the other one."""
    if traject_type.is_default:
        TrajectType.objects.select_for_update().filter(is_default=True).exclude(
            pk=traject_type.pk
        ).update(is_default=False)
    traject_type.save()
    return traject_type


@transaction.atomic
def client_settings_save(*, client_settings: ClientSettings) -> ClientSettings:
    """Save the client settings; new price ranges send `price_ranges_changed` (trajects listens)."""
    stored = ClientSettings.objects.select_for_update().filter(pk=client_settings.pk).first()
    old = thresholds_text(stored.thresholds) if stored else None
    client_settings.price_range_thresholds = thresholds_text(
        thresholds_parse(client_settings.price_range_thresholds)
    )
    client_settings.save()
    if client_settings.price_range_thresholds != old:
        price_ranges_changed.send(
            sender=ClientSettings,
            thresholds=thresholds_parse(client_settings.price_range_thresholds),
        )
    return client_settings
