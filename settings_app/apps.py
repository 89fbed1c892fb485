from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = _("Instellingen")


class SalesAdminConfig(AdminConfig):
    """Django's admin as the key-users' settings screen ("Instellingen")."""

    default_site = "settings_app.admin_site.SalesAdminSite"
