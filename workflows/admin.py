"""Workflows in Instellingen: the rule editor and the "Workflow-fouten" list (key-users)."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.mail import EmailMessage
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from settings_app.roles import roles_of

from .engine import render_template
from .forms import ActionForm, ActionFormSet, RuleForm
from .models import PLACEHOLDERS, Action, ActionKind, ActionRun, ActionState, Rule


class KeyUserOnly:
    """Key-users manage workflows (the Instellingen screen's own rule, settings_app.admin_site)."""

    def has_module_permission(self, request):
        return roles_of(request.user).keyuser

    def has_view_permission(self, request, obj=None):
        return roles_of(request.user).keyuser

    def has_add_permission(self, request, *args):
        return roles_of(request.user).keyuser

    def has_change_permission(self, request, obj=None):
        return roles_of(request.user).keyuser

    def has_delete_permission(self, request, obj=None):
        return roles_of(request.user).keyuser

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Plain choices: no add/change/delete icons beside a stage, reason or user (the lists
        have their own screens)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and hasattr(field.widget, "can_add_related"):
            field.widget = field.widget.widget
        return field


class ActionInline(KeyUserOnly, admin.StackedInline):
    model = Action
    form = ActionForm
    formset = ActionFormSet
    extra = 1
    min_num = 0
    ordering = ["position", "pk"]


@admin.register(Rule)
class RuleAdmin(KeyUserOnly, admin.ModelAdmin):
    form = RuleForm
    inlines = [ActionInline]
    list_display = ["name", "active", "trigger_display", "action_count", "warning_display"]
    list_filter = ["active"]
    change_form_template = "workflows/rule_change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "active", "on_import"]}),
        (
            gettext_lazy("Wanneer"),
            {
                "fields": ["trigger", "stage", "business_types", "outcome", "reason"],
                "description": gettext_lazy(
                    "“Stage wordt”: kies de stage (en eventueel de business types). "
                    "“Status wordt”: kies gewonnen of verloren (en eventueel de reden). "
                    "Wijzigingen die een workflow zelf maakt, starten geen regels."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage", "reason")

    @admin.display(description=gettext_lazy("wanneer"))
    def trigger_display(self, obj):
        from .engine import trigger_text

        return trigger_text(obj)

    @admin.display(description=gettext_lazy("acties"))
    def action_count(self, obj):
        return obj.actions.count()

    @admin.display(description=gettext_lazy("waarschuwing"))
    def warning_display(self, obj):
        return obj.warning() or "–"

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["placeholders"] = ", ".join(f"{{{word}}}" for word in PLACEHOLDERS)
        context["rule_warning"] = obj.warning() if obj else ""
        context["has_email"] = bool(obj and obj.actions.filter(kind=ActionKind.EMAIL).exists())
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        urls = [
            path(
                "<int:rule_id>/test-email/",
                self.admin_site.admin_view(require_POST(self.test_email_view)),
                name="workflows_rule_test_email",
            )
        ]
        return urls + super().get_urls()

    def test_email_view(self, request, rule_id):
        """Send each e-mail action of the rule to the key-user, with example values."""
        rule = get_object_or_404(Rule, pk=rule_id)
        back = reverse("admin:workflows_rule_change", args=[rule.pk])
        if not request.user.email:
            messages.error(request, _("Uw account heeft geen e-mailadres om naar te sturen."))
            return redirect(back)
        example = {
            "onderwerp": _("Voorbeeldtraject"),
            "relatie": _("Voorbeeld B.V."),
            "contactpersoon": "Jan Jansen",
            "stage": rule.stage.name if rule.stage_id else _("Voorstel"),
            "accountmanagers": "Anna de Vries",
            "waarde": "€ 12.500,00",
        }
        actions = list(rule.actions.filter(kind=ActionKind.EMAIL))
        if not actions:
            messages.error(request, _("Deze regel heeft geen e-mailactie."))
            return redirect(back)
        try:
            for action in actions:
                EmailMessage(
                    subject=_("[Test] ") + render_template(action.title, example)[:240],
                    body=render_template(action.text, example),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[request.user.email],
                ).send(fail_silently=False)
        except OSError as exc:  # smtplib's errors are OSErrors
            messages.error(
                request,
                _("De test-e-mail kon niet worden verzonden (%(error)s).")
                % {"error": exc.__class__.__name__},
            )
            return redirect(back)
        messages.success(
            request, _("Test-e-mail verzonden naar %(email)s.") % {"email": request.user.email}
        )
        return redirect(back)


@admin.register(ActionRun)
class WorkflowErrorAdmin(KeyUserOnly, admin.ModelAdmin):
    """Workflow-fouten: actions that failed for good, and e-mails perhaps not sent."""

    list_display = [
        "updated_at",
        "rule_name",
        "traject_link",
        "action_display",
        "state",
        "attempts",
        "error",
    ]
    list_filter = ["state"]
    list_display_links = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(state__in=[ActionState.FAILED, ActionState.UNCONFIRMED])
            .select_related("run__rule", "run__traject", "action")
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("regel"))
    def rule_name(self, obj):
        return obj.run.rule.name

    @admin.display(description=gettext_lazy("traject"))
    def traject_link(self, obj):
        traject = obj.run.traject
        return format_html(
            '<a href="{}">{}</a>', reverse("trajects:detail", args=[traject.pk]), traject.subject
        )

    @admin.display(description=gettext_lazy("actie"))
    def action_display(self, obj):
        return obj.action.get_kind_display() if obj.action else "–"
