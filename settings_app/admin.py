"""The Instellingen screen: key-users edit the client settings, user settings and lists here.

Grouped and named after the manuals' settings and codes (SE1894, GE65, GE78, GE366, SE3573,
DB79, SE818) so a key-user recognises them.
"""

from pathlib import Path

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .forms import BusinessTypeForm, ClientSettingsForm, TrajectTypeForm, price_ranges_preview
from .models import (
    BusinessType,
    ClientSettings,
    PaymentTerm,
    Source,
    Stage,
    TrajectType,
    UserSettings,
    WinLossReason,
)
from .services import (
    ListEntryInUse,
    client_settings_save,
    list_entries_set_active,
    list_entry_delete,
    list_entry_in_use_message,
    traject_type_save,
    user_unlock,
)


@admin.register(ClientSettings)
class ClientSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it."""

    form = ClientSettingsForm

    def get_fieldsets(self, request, obj=None):
        try:
            statistics_url = reverse("admin:trajects_statisticsset_changelist")
            statistics = format_html(
                '<a href="{}">{}</a>', statistics_url, _("Statistieken van de kansberekening")
            )
        except NoReverseMatch:
            statistics = ""
        return [
            (
                _("Sales Manager – Prijs ranges (SE1894)"),
                {"fields": ["price_range_thresholds"], "description": statistics},
            ),
            (_("Leads"), {"fields": ["default_probability"]}),
            (_("Verkoop selecteren (SE3573)"), {"fields": ["sales_select_enabled"]}),
            (
                _("Verkoop Selecteer – Indicator resterende dagen (GE366)"),
                {"fields": ["remaining_days_orange", "remaining_days_red"]},
            ),
            (
                _("Offertes: gegevens van het bureau"),
                {"fields": ["agency_name", "agency_address", "agency_logo"]},
            ),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        widget = form.base_fields["price_range_thresholds"].widget
        widget.preview_url = reverse("admin:settings_app_clientsettings_preview")
        form.base_fields["agency_logo"].widget.logo_url = reverse(
            "admin:settings_app_clientsettings_logo"
        )
        return form

    def get_urls(self):
        preview = self.admin_site.admin_view(require_GET(self.preview_view))
        logo = self.admin_site.admin_view(require_GET(self.logo_view))
        return [
            path("preview/", preview, name="settings_app_clientsettings_preview"),
            path("logo/", logo, name="settings_app_clientsettings_logo"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The live preview of the ranges while the key-user types (an htmx fragment)."""
        return HttpResponse(price_ranges_preview(request.GET.get("price_range_thresholds", "")))

    def logo_view(self, request):
        """The agency logo, for the form's link to it: MEDIA_ROOT itself is not served."""
        logo = ClientSettings.load().agency_logo
        if not logo:
            raise Http404
        try:
            return FileResponse(logo.open("rb"), filename=Path(logo.name).name)
        except OSError as error:
            raise Http404 from error

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:settings_app_clientsettings_change", ClientSettings.load().pk)

    def has_add_permission(self, request):
        return not ClientSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = ClientSettings.objects.filter(pk=obj.pk).values_list(
            "price_range_thresholds", flat=True
        )
        old = before.first()
        client_settings_save(client_settings=obj)
        if old is not None and obj.price_range_thresholds != old:
            messages.info(
                request,
                _(
                    "De prijs ranges zijn gewijzigd: de statistieken van de kansberekening zijn "
                    "verwijderd en worden nu opnieuw gegenereerd."
                ),
            )


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "username",
        "full_name",
        "is_accountmanager",
        "is_beheerder",
        "sales_select_enabled",
        "login_locked",
    ]
    list_editable = ["is_accountmanager", "is_beheerder", "sales_select_enabled"]
    actions = ["unlock_selected"]
    list_filter = ["is_accountmanager", "is_beheerder", "sales_select_enabled"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fieldsets = [
        (None, {"fields": ["user"]}),
        (
            gettext_lazy("Gebruikersinstellingen Sales Module"),
            {"fields": ["is_accountmanager", "is_beheerder", "sales_select_enabled"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_login_locked()

    @admin.display(description=gettext_lazy("gebruiker"), ordering="user__username")
    def username(self, obj):
        return obj.user.get_username()

    @admin.display(description=gettext_lazy("naam"), ordering="user__last_name")
    def full_name(self, obj):
        return obj.user.get_full_name()

    @admin.display(description=gettext_lazy("inloggen geblokkeerd"), boolean=True)
    def login_locked(self, obj):
        return obj.login_locked

    @admin.action(
        description=gettext_lazy("Inlogblokkade opheffen (na te veel mislukte inlogpogingen)"),
        permissions=["change"],
    )
    def unlock_selected(self, request, queryset):
        users = [entry.user for entry in queryset.select_related("user")]
        for user in users:
            user_unlock(user=user)
        self.message_user(
            request,
            _("De inlogblokkade van %(users)s is opgeheven: zij kunnen weer inloggen.")
            % {"users": ", ".join(str(user) for user in users)},
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["label"] = _("Gebruiker")
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True)
                .order_by("first_name", "last_name", "username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def entry_label(obj) -> str:
    """How a key-user knows an entry: its name ("New business"), not its code ("NB")."""
    return str(getattr(obj, "name", "") or obj)


class ListEntryAdmin(admin.ModelAdmin):
    """A configurable list: an entry in use is deactivated, never deleted, and the page says why."""

    list_filter = ["active"]
    delete_confirmation_template = "admin/settings_app/entry_delete_confirmation.html"
    actions = ["deactivate_selected", "activate_selected", "delete_unused_selected"]

    def get_fields(self, request, obj=None):
        """What the entry is first (Naam …), then its place and state, then its use."""
        fields = list(super().get_fields(request, obj))
        last = [f for f in ("order", "active") if f in fields]
        fields = [f for f in fields if f not in (*last, "usage_note")] + last
        return [*fields, "usage_note"] if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        return ["usage_note"] if obj is not None else []

    def get_list_display(self, request):
        return [*super().get_list_display(request), "in_use"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # ours refuses entries in use and says why
        return actions

    @admin.display(description=gettext_lazy("in gebruik"))
    def in_use(self, obj):
        usage = obj.usage()
        return ", ".join(f"{count} {name}" for name, count in usage) if usage else "–"

    @admin.display(description=gettext_lazy("gebruik"))
    def usage_note(self, obj):
        usage = obj.usage()
        if usage:
            return list_entry_in_use_message(obj, usage)
        if getattr(obj, "is_default", False):
            return _("Dit is het standaardtype: het kan niet worden verwijderd of gedeactiveerd.")
        return _("Niet in gebruik: dit item kan worden verwijderd.")

    def _refusal(self, obj) -> str:
        usage = obj.usage()
        if usage:
            return list_entry_in_use_message(obj, usage)
        if getattr(obj, "is_default", False):
            return _("%(entry)s is het standaardtype en kan niet worden verwijderd.") % {
                "entry": obj
            }
        return ""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._refusal(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = obj is not None and self._refusal(obj)
        if not refusal:
            if obj is not None:
                request.settings_entry_label = entry_label(obj)
                extra_context = {**(extra_context or {}), "object_label": entry_label(obj)}
            try:
                return super().delete_view(request, object_id, extra_context)
            except ListEntryInUse as error:  # came into use between the page and the click
                refusal = str(error)
        self.message_user(request, refusal, messages.ERROR)
        opts = self.opts
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)

    def delete_model(self, request, obj):
        list_entry_delete(entry=obj)

    def response_delete(self, request, obj_display, obj_id):
        """The message after deleting names the entry as the dialog did (by its name)."""
        label = getattr(request, "settings_entry_label", obj_display)
        return super().response_delete(request, label, obj_id)

    @admin.action(description=gettext_lazy("Geselecteerde items deactiveren"))
    def deactivate_selected(self, request, queryset):
        refused = list_entries_set_active(entries=queryset, active=False)
        for entry in refused:
            self.message_user(
                request,
                _("%(entry)s is het standaardtype en blijft actief.") % {"entry": entry},
                messages.WARNING,
            )
        done = queryset.count() - len(refused)
        if done:
            self.message_user(request, _("%(n)s item(s) gedeactiveerd.") % {"n": done})

    @admin.action(description=gettext_lazy("Geselecteerde items activeren"))
    def activate_selected(self, request, queryset):
        list_entries_set_active(entries=queryset, active=True)
        self.message_user(request, _("%(n)s item(s) geactiveerd.") % {"n": queryset.count()})

    @admin.action(
        description=gettext_lazy(
            "Geselecteerde items verwijderen (alleen als ze niet in gebruik zijn)"
        ),
        permissions=["delete"],
    )
    def delete_unused_selected(self, request, queryset):
        deleted = 0
        for entry in list(queryset):
            try:
                list_entry_delete(entry=entry)
                deleted += 1
            except ListEntryInUse as error:
                self.message_user(request, str(error), messages.ERROR)
        if deleted:
            self.message_user(request, _("%(n)s item(s) verwijderd.") % {"n": deleted})


@admin.register(TrajectType)
class TrajectTypeAdmin(ListEntryAdmin):
    form = TrajectTypeForm
    list_display = ["name", "outcome", "is_default", "order", "active"]

    def save_model(self, request, obj, form, change):
        traject_type_save(traject_type=obj)


@admin.register(BusinessType)
class BusinessTypeAdmin(ListEntryAdmin):
    form = BusinessTypeForm
    list_display = ["name", "code", "swatch", "order", "active"]

    @admin.display(description=gettext_lazy("kleur"), ordering="colour")
    def swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};'
            'vertical-align:middle;border:1px solid #999"></span> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(Stage)
class StageAdmin(ListEntryAdmin):
    list_display = [
        "name",
        "business_type_names",
        "outcome_on_entry",
        "stale_after_days",
        "order",
        "active",
    ]
    list_filter = ["active", "business_types", "outcome_on_entry"]
    filter_horizontal = ["business_types"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("business_types")

    @admin.display(description=gettext_lazy("business types"))
    def business_type_names(self, obj):
        return ", ".join(str(b) for b in obj.business_types.all())


@admin.register(Source)
class SourceAdmin(ListEntryAdmin):
    list_display = ["name", "order", "active"]


@admin.register(WinLossReason)
class WinLossReasonAdmin(ListEntryAdmin):
    list_display = ["reason", "outcome", "order", "active"]
    list_filter = ["active", "outcome"]


@admin.register(PaymentTerm)
class PaymentTermAdmin(ListEntryAdmin):
    list_display = ["name", "days", "order", "active"]
