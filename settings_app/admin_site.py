"""The settings screen: only key-users reach it; for anyone else logged in it does not exist."""

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

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


# Django's Dutch catalog of the admin's JavaScript lacks these (new in Django 5): without them
# the two-box chooser of a stage's business types speaks English ("Choose selected …").
ADMIN_JS_DUTCH = {
    "Choose selected %s": "Geselecteerde %s kiezen",
    "Choose all %s": "Alle %s kiezen",
    "Remove selected %s": "Geselecteerde %s verwijderen",
    "Remove all %s": "Alle %s verwijderen",
    'Choose %s by selecting them and then select the "Choose" arrow button.': (
        "Kies %s door ze te selecteren en dan op de pijl 'Kiezen' te klikken."
    ),
    'Remove %s by selecting them and then select the "Remove" arrow button.': (
        "Verwijder %s door ze te selecteren en dan op de pijl 'Verwijderen' te klikken."
    ),
    "(click to clear)": "(klik om te wissen)",
}


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """The admin widgets' catalog, completed in Dutch where Django's own has gaps."""

    def get_catalog(self):
        catalog = super().get_catalog()
        if get_language() == "nl":
            for msgid, dutch in ADMIN_JS_DUTCH.items():
                catalog.setdefault(msgid, dutch)
        return catalog


class SalesAdminSite(AdminSite):
    site_header = _("Sales Module – Instellingen")
    site_title = _("Instellingen")
    index_title = _("Klant- en gebruikersinstellingen")
    enable_nav_sidebar = False  # the product's top bar is the navigation

    def i18n_javascript(self, request, extra_context=None):
        """The admin's JavaScript strings in the page's language, with no English gaps."""
        return AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"])(request)

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
