"""Pages of the leads app: the leads overview, the lead form, distribution and the import."""

from celery.result import AsyncResult
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm.models import Relation
from salesmodule.htmx import render_page
from salesmodule.ids import parse_id
from settings_app.roles import person_name, roles_of
from trajects.models import Traject
from vacancies.models import Vacancy

from . import services
from .filters import LeadFilterForm
from .forms import NEW, DistributeForm, LeadForm, LeadImportForm, refreshed_data
from .models import LeadImport

PER_PAGE = 25


def _forbidden(request, message: str):
    """403 with the reason, as a page (or as the dialog's content for htmx)."""
    return render(request, "403.html", {"message": message}, status=403)


@require_GET
def lead_list(request):
    """The leads overview: keyword, 'Ook geconverteerde leads', sort and page in the URL."""
    filters = LeadFilterForm(request.GET or None)
    leads = filters.apply(
        Traject.objects.visible_to(request.user)
        .select_related("relation", "business_type", "source", "lead_by")
        .prefetch_related("accountmanagers")
    )
    page = Paginator(leads, PER_PAGE).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    context = {
        "page": page,
        "filters": filters,
        "overview": "leads",
        "show_converted": filters.show_converted,
        "can_distribute": roles.beheerder,
        "distribute_form": DistributeForm() if roles.beheerder else None,
    }
    return render_page(request, "leads/lead_list.html", context, partials=("results",))


@require_http_methods(["GET", "POST"])
def lead_create(request):
    """The lead form: an htmx dialog over the overview, a plain page without JavaScript."""
    if not roles_of(request.user).can_create_leads:
        return _forbidden(
            request, _("Alleen accountmanagers en sales beheerders kunnen leads aanmaken.")
        )
    vacancy_id = request.POST.get("vacancy") or request.GET.get("vacancy")
    vacancy = None
    if vacancy_id:
        vacancy = get_object_or_404(
            Vacancy.objects.select_related("relation"),
            pk=parse_id(vacancy_id) or 0,
        )
        if vacancy.relation_id is None:
            context = {"vacancy": vacancy, "message": services.vacancy_without_relation_message()}
            return render_page(
                request, "leads/lead_form.html", context, partials=("lead-form", "lead-dialog")
            )

    if request.method == "GET":
        form = LeadForm(user=request.user, vacancy=vacancy, preset=request.GET)
    elif request.POST.get("_refresh") == "business":
        # Another business chosen: offer its stages, keep everything else as typed.
        form = LeadForm(request.POST, user=request.user, vacancy=vacancy).without_errors()
    elif request.POST.get("_refresh") or request.POST.get("use_relation"):
        use = parse_id(request.POST.get("use_relation"))
        use_relation = Relation.objects.filter(pk=use).first() if use else None
        data = refreshed_data(request.POST, use_relation=use_relation)
        form = LeadForm(data, user=request.user, vacancy=vacancy).without_errors()
        if form.kind == NEW and data.get("new_relation_name", "").strip():
            # The picker's "Nieuwe relatie": the duplicate warning shows at once.
            form.similar = Relation.objects.similar_to(data["new_relation_name"][:200])
    else:
        form = LeadForm(request.POST, user=request.user, vacancy=vacancy)
        if form.is_valid():
            try:
                lead = services.lead_create(created_by=request.user, **form.service_arguments())
            except PermissionDenied as exc:
                return _forbidden(request, str(exc))
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("De lead is aangemaakt."))
                url = reverse("trajects:detail", args=[lead.pk])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx and "relation" in form.fields:
        form.fields["relation"].widget.options = ()  # the picker's no-JavaScript radios
    context = {"form": form, "vacancy": vacancy}
    return render_page(
        request, "leads/lead_form.html", context, partials=("lead-form", "lead-dialog")
    )


def _errors_to_form(form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the matching fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
def relation_similar(request):
    """'Bestaat deze relatie al?': existing relations close to the new name being typed."""
    if not roles_of(request.user).can_create_leads:
        return _forbidden(
            request, _("Alleen accountmanagers en sales beheerders kunnen leads aanmaken.")
        )
    name = request.GET.get("new_relation_name", "")[:200]
    similar = Relation.objects.similar_to(name) if name.strip() else []
    return render(request, "leads/_relation_similar.html", {"similar": similar})


@require_POST
def lead_distribute(request):
    """A beheerder gives the ticked leads to one or more accountmanagers (403 for others)."""
    if not roles_of(request.user).beheerder:
        return _forbidden(request, _("Alleen een sales beheerder kan leads verdelen."))
    form = DistributeForm(request.POST)
    back = request.POST.get("next", "")
    # Only a path on this site: redirect() would read a bare word as a URL name (NoReverseMatch).
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    back = back or reverse("leads:list")
    if form.is_valid():
        try:
            leads = services.lead_distribute(
                leads=form.cleaned_data["leads"],
                accountmanagers=form.cleaned_data["accountmanagers"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            names = ", ".join(person_name(user) for user in form.cleaned_data["accountmanagers"])
            messages.success(
                request,
                ngettext(
                    "%(count)d lead toegewezen aan %(names)s.",
                    "%(count)d leads toegewezen aan %(names)s.",
                    len(leads),
                )
                % {"count": len(leads), "names": names},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(back)


@require_http_methods(["GET", "POST"])
def lead_import(request):
    """Upload a CSV or XLSX of leads; the next page previews it (beheerders only)."""
    if not roles_of(request.user).beheerder:
        return _forbidden(request, _("Alleen een sales beheerder kan leads importeren."))
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lead_import = services.lead_import_preview(
                created_by=request.user, filename=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("leads:import_detail", pk=lead_import.pk)
    imports = LeadImport.objects.visible_to(request.user).defer("content")[:10]
    return render(request, "leads/lead_import.html", {"form": form, "imports": imports})


def _progress(lead_import: LeadImport) -> dict:
    """How far a running import is, as reported by its task ({} before it reports)."""
    if not lead_import.in_progress or not lead_import.task_id:
        return {}
    try:
        info = AsyncResult(lead_import.task_id).info
    except Exception:  # no result backend (eager mode) or it is unreachable: no figure
        return {}
    return info if isinstance(info, dict) else {}


@require_GET
def lead_import_detail(request, pk: int):
    """The preview (bad rows and why), then the progress, then the outcome of one import."""
    if not roles_of(request.user).beheerder:
        return _forbidden(request, _("Alleen een sales beheerder kan leads importeren."))
    lead_import = get_object_or_404(
        LeadImport.objects.visible_to(request.user).defer("content"), pk=pk
    )
    context = {"lead_import": lead_import, "progress": _progress(lead_import)}
    return render_page(request, "leads/lead_import_detail.html", context, partials=("status",))


@require_POST
def lead_import_start(request, pk: int):
    """Import the valid rows of a previewed file (in the background when a worker runs)."""
    if not roles_of(request.user).beheerder:
        return _forbidden(request, _("Alleen een sales beheerder kan leads importeren."))
    lead_import = get_object_or_404(LeadImport.objects.visible_to(request.user), pk=pk)
    try:
        services.lead_import_start(lead_import=lead_import, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("leads:import_detail", pk=pk)
