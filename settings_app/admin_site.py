"""The settings screen: only key-users reach it; for anyone else logged in it does not exist."""

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .roles import roles_of

# The index groups the settings as the manuals do (model name → group), in this order.
GROUPS = [
    (_("Klantinstellingen"), ["clientsettings", "trajecttype", "paymentterm"]),
    (
        _("Verkoop Selecteer – Instellingenlijsten (GE366)"),
        ["businesstype", "stage", "source", "winlossreason"],
    ),
    (_("Gebruikersinstellingen"), ["usersettings"]),
]


class SalesAdminSite(AdminSite):
    site_header = _("Sales Module – Instellingen")
    site_title = _("Instellingen")
    index_title = _("Klant- en gebruikersinstellingen")

    def has_permission(self, request):
        """Key-users (staff with the settings permission) and superusers."""
        user = request.user
        return user.is_active and (user.is_superuser or roles_of(user).keyuser)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def login(self, request, extra_context=None):
        """The login page for the anonymous; for a logged-in non-key-user the screen is absent."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        return super().login(request, extra_context)

    def get_app_list(self, request, app_label=None):
        """The settings app split into the manuals' groups; other apps follow unchanged."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        settings_app = next((a for a in app_list if a["app_label"] == "settings_app"), None)
        if settings_app is None:
            return app_list
        models = {m["object_name"].lower(): m for m in settings_app["models"]}
        groups = []
        for name, model_names in GROUPS:
            members = [models.pop(model_name) for model_name in model_names if model_name in models]
            if members:
                groups.append({**settings_app, "name": name, "models": members})
        if models:
            groups.append({**settings_app, "models": list(models.values())})
        others = [a for a in app_list if a is not settings_app]
        return groups + others
