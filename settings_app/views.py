"""Pages of settings_app that every user reaches: "Mijn instellingen" (issue 14)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import DensityForm, PreferencesForm
from .roles import preferences_of
from .services import user_preferences_set


@require_http_methods(["GET", "POST"])
def preferences(request):
    """The user's own settings: table density, keyboard shortcuts, the daily task e-mail."""
    current = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=current)
        if form.is_valid():
            user_preferences_set(
                user=request.user,
                **{name: form.cleaned_data[name] for name in PreferencesForm.Meta.fields},
            )
            messages.success(request, _("Uw instellingen zijn bewaard."))
            return redirect("settings_app:preferences")
        status = 400
    else:
        form = PreferencesForm(instance=current)
        status = 200
    context = {"form": form, "overview": "preferences"}
    return render(request, "settings_app/preferences.html", context, status=status)


@require_POST
def density_set(request):
    """The compact/comfortable switch above a table: stored for the user, back to the table."""
    form = DensityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies compact of ruim."))
    else:
        user_preferences_set(user=request.user, density=form.cleaned_data["density"])
    return HttpResponseRedirect(_back(request))


def _back(request) -> str:
    """Where the form came from (`next`), only on this site; else the trajects overview."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"
