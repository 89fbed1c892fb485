"""The statistics on the settings screen (Instellingen), registered from the trajects app.

Key-users see when the statistics were last generated, the figures, and start a regeneration
with a button that shows its progress. The site itself keeps everyone else out (404).
"""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import StatisticsSet
from .services import statistics_regeneration_request
from .statistics import regeneration_progress, statistics_table


@admin.register(StatisticsSet)
class StatisticsAdmin(admin.ModelAdmin):
    """Not a list of sets: one page with the current set, its age and the regenerate button."""

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "",
                view(require_GET(self.statistics_view)),
                name="trajects_statisticsset_changelist",
            ),
            path(
                "regenerate/",
                view(require_POST(self.regenerate_view)),
                name="trajects_statisticsset_regenerate",
            ),
            path(
                "progress/",
                view(require_GET(self.progress_view)),
                name="trajects_statisticsset_progress",
            ),
        ]

    def _render(self, request, template: str, progress):
        current = progress.current
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Statistieken kansberekening"),
            "progress": progress,
            "table": statistics_table(current) if current else None,
        }
        response = TemplateResponse(request, template, context)
        if request.htmx and progress.state == "done" and request.htmx.target == "progress":
            response["HX-Refresh"] = "true"  # new figures: reload the page to show them
        return response

    def statistics_view(self, request):
        """The page: last generated, the figures overall and per accountmanager, the button."""
        return self._render(request, "trajects/statistics_admin.html", regeneration_progress())

    def regenerate_view(self, request):
        """Queue a regeneration; htmx gets the progress fragment, a plain form the page again."""
        statistics_regeneration_request(by=request.user)
        if request.htmx:
            return self.progress_view(request)
        messages.info(request, _("De statistieken worden opnieuw gegenereerd."))
        return redirect("admin:trajects_statisticsset_changelist")

    def progress_view(self, request):
        """The progress fragment; it polls itself while the regeneration runs."""
        return self._render(
            request, "trajects/statistics_admin.html#progress", regeneration_progress()
        )
