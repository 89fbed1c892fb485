from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

admin.site.site_header = "Sales Module"
admin.site.site_title = "Sales Module"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="trajects:list", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("sales/leads/", include("leads.urls")),
    path("sales/offertes/", include("quotes.urls")),
    path("sales/bord/", include("board.urls")),
    path("taken/", include("followups.urls")),
    path("rapportages/", include("reports.urls")),
    path("sales/", include("trajects.urls")),
    path("vacatures/", include("vacancies.urls")),
    path("crm/", include("crm.urls")),
    path("voorkeuren/", include("settings_app.urls")),  # "Mijn instellingen" (issue 14)
    path("instellingen/", admin.site.urls),
]
# MEDIA_ROOT is never served, not even with DEBUG: quote PDFs go out only through the quote's
# own URLs (visibility applies), the agency logo through the settings screen.
