"""Pages of the vacancies app: list, create, detail (with 'Meer' → 'Sales Tracker'), edit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import VacancyForm
from .models import Vacancy


@require_GET
def vacancy_list(request):
    """Every vacancy (shared by everyone), newest first."""
    vacancies = Vacancy.objects.select_related("relation")
    page = Paginator(vacancies, 25).get_page(request.GET.get("page"))
    return render(request, "vacancies/vacancy_list.html", {"page": page})


def _save(request, form: VacancyForm, vacancy: Vacancy | None):
    if request.POST.get("_refresh"):
        form._errors = (
            ErrorDict()
        )  # a search without JavaScript: show the matches, judge nothing yet
        return None
    if not form.is_valid():
        return None
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "relation": data.get("relation"),
        "description": data.get("description", ""),
    }
    if vacancy is None:
        return services.vacancy_create(created_by=request.user, **fields)
    return services.vacancy_update(vacancy=vacancy, **fields)


@require_http_methods(["GET", "POST"])
def vacancy_create(request):
    """A new vacancy."""
    form = VacancyForm(request.POST or None)
    if request.method == "POST" and (vacancy := _save(request, form, None)):
        messages.success(request, _("De vacature is aangemaakt."))
        return redirect("vacancies:detail", pk=vacancy.pk)
    return render(request, "vacancies/vacancy_form.html", {"form": form})


@require_GET
def vacancy_detail(request, pk: int):
    """One vacancy; its 'Meer' menu holds 'Sales Tracker' (a lead from this vacancy)."""
    vacancy = get_object_or_404(Vacancy.objects.select_related("relation"), pk=pk)
    trajects = vacancy.trajects.visible_to(request.user).select_related("relation")
    return render(
        request, "vacancies/vacancy_detail.html", {"vacancy": vacancy, "trajects": trajects}
    )


@require_http_methods(["GET", "POST"])
def vacancy_update(request, pk: int):
    """Change a vacancy (for instance: link the relation a lead needs)."""
    vacancy = get_object_or_404(Vacancy, pk=pk)
    form = VacancyForm(request.POST or None, instance=vacancy)
    if request.method == "POST" and _save(request, form, vacancy):
        messages.success(request, _("De vacature is bijgewerkt."))
        return redirect("vacancies:detail", pk=vacancy.pk)
    return render(request, "vacancies/vacancy_form.html", {"form": form, "vacancy": vacancy})
