"""Pages of the leads app: the leads overview, the lead form, distribution and the import."""

from urllib.parse import urlencode

from celery.result import AsyncResult
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from crm.models import Relation
from salesmodule.ahead import sending_ahead
from salesmodule.htmx import render_page
from salesmodule.ids import parse_id
from salesmodule.querystring import requery
from settings_app.roles import person_name, roles_of
from trajects import services as traject_services
from trajects.forms import SavedViewForm
from trajects.models import SavedView
from trajects.overview import PER_PAGE
from trajects.views import back_to_list, column_rows, date_filter_links
from vacancies.models import Vacancy

from . import services
from .forms import NEW, DistributeForm, LeadForm, LeadImportForm, refreshed_data
from .models import LeadImport
from .overview import (
    LEADS,
    SELECTED_MAX,
    column_choices,
    lead_overview_build,
    selection_take,
)
from .tables import DEFAULT_SORT, LeadTable


def _forbidden(request, message: str):
    """403 with the reason, as a page (or as the dialog's content for htmx)."""
    return render(request, "403.html", {"message": message}, status=403)


def _list_context(request, listing, view_form=None) -> dict:
    """What the leads overview shows beside its table (the trajects overview's, for leads)."""
    filterset, table = listing.filterset, listing.table
    shown = filterset.shown_criteria(request.GET.get("criterion", ""))
    q = " ".join(request.GET.get("relation_q", "").replace("\x00", "").split())[:100]
    relation_options = []
    if q and filterset.chosen_relation is None:
        relation_options = list(Relation.objects.matching(q)[:10])
    on_page = {row.record.pk for row in listing.page.object_list}
    return {
        "overview": "leads",
        "listing": listing,
        "f": filterset,
        "default_sort": DEFAULT_SORT,
        "relation_q": q,
        "relation_options": relation_options,
        "column_rows": column_rows(
            request.GET, listing.columns, LeadTable, column_choices(filterset)
        ),
        "view_form": view_form
        or SavedViewForm(initial={"columns": listing.columns}, table_class=LeadTable),
        "per_page_choices": PER_PAGE,
        **date_filter_links(request.GET, filterset),
        "relation_remove": requery(request.GET, relation=None),
        "active_criteria": [
            (name, label, text, requery(request.GET, **{name: None, "criterion": None}))
            for name, label, text in filterset.active()
            if name != "relation"
        ],
        "shown_criteria": shown,
        "criterion_choices": [
            (name, label) for name, label in filterset.pickable_criteria() if name not in shown
        ],
        "view_links": [
            (view, requery(request.GET, view=str(view.pk), cols=None)) for view in listing.views
        ],
        # The totals lines under the table (leads/_lead_table.html): its label, its figures.
        # Read here, before the page renders (dict): its forms read their choices with
        # server-side cursors, which the connection cannot open while the totals sent ahead
        # (salesmodule.ahead) are still on their way.
        "foot_lines": [
            ({"text": _("Pagina"), "css": "page-totals"}, listing.page_totals),
            ({"text": _("Totaal"), "css": "all-totals"}, dict(listing.totals)),
        ],
        "can_distribute": table.selectable,
        "distribute_form": DistributeForm() if table.selectable else None,
        "selected": sorted(table.selected),
        "selected_elsewhere": sorted(table.selected - on_page),
        "clear_selection": requery(request.GET),
    }


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@sending_ahead()
def lead_list(request):
    """The leads overview (manual 4.1): the trajects overview's date filter (on the lead date),
    criteria, columns, saved views and totals lines, and the beheerder's distribution."""
    wanted = selection_take(request)
    listing = lead_overview_build(request, wanted=wanted)
    context = _list_context(request, listing)
    return render_page(request, "leads/lead_list.html", context, partials=("overview", "results"))


@require_POST
@sending_ahead()
def saved_view_save(request):
    """Save the leads overview's shown columns as a named weergave of the user."""
    form = SavedViewForm(request.POST, table_class=LeadTable)
    next_query = request.POST.get("next", "")[:4000]
    if form.is_valid():
        view = traject_services.saved_view_save(
            user=request.user,
            name=form.cleaned_data["name"],
            columns=form.cleaned_data["columns"],
            is_default=form.cleaned_data["is_default"],
            overview=LEADS.name,
        )
        messages.success(request, _("Weergave “%(name)s” is bewaard.") % {"name": view.name})
        return back_to_list(next_query, view, reverse("leads:list"))
    # The overview of the URL the form came from, with the message beside the field.
    request.GET = QueryDict(next_query)
    listing = lead_overview_build(request)
    context = _list_context(request, listing, view_form=form)
    context["views_open"] = True
    return render(request, "leads/lead_list.html", context)


@require_POST
def saved_view_default(request, pk: int):
    """Make one of the user's leads weergaven his default there."""
    view = get_object_or_404(SavedView.objects.of(request.user, LEADS.name), pk=pk)
    traject_services.saved_view_make_default(view=view)
    messages.success(request, _("“%(name)s” is nu uw standaardweergave.") % {"name": view.name})
    return back_to_list(request.POST.get("next", "")[:4000], view, reverse("leads:list"))


@require_POST
def saved_view_delete(request, pk: int):
    """Delete one of the user's leads weergaven."""
    view = get_object_or_404(SavedView.objects.of(request.user, LEADS.name), pk=pk)
    traject_services.saved_view_delete(view=view)
    messages.success(request, _("Weergave “%(name)s” is verwijderd.") % {"name": view.name})
    params = QueryDict(request.POST.get("next", "")[:4000], mutable=True)
    if params.get("view") == str(pk):
        params.pop("view")
    return back_to_list(params.urlencode(), list_url=reverse("leads:list"))


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

    back = safe_path(request, request.POST.get("next") or request.GET.get("next"))
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
                # From a board column's "+": back to that board, where the new card stands.
                url = back or reverse("trajects:detail", args=[lead.pk])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx and "relation" in form.fields:
        form.fields["relation"].widget.options = ()  # the picker's no-JavaScript radios
    context = {"form": form, "vacancy": vacancy, "next": back}
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


def safe_path(request, raw: str) -> str:
    """A "next" that is a path on this site, else "" (redirect() would read a bare word as a
    URL name, and another site is no place to send a user back to)."""
    raw = raw or ""
    if not raw.startswith("/") or not url_has_allowed_host_and_scheme(raw, {request.get_host()}):
        return ""
    return raw


@require_POST
def lead_distribute(request):
    """A beheerder gives the ticked leads to one or more accountmanagers (403 for others)."""
    if not roles_of(request.user).beheerder:
        return _forbidden(request, _("Alleen een sales beheerder kan leads verdelen."))
    form = DistributeForm(request.POST)
    back = safe_path(request, request.POST.get("next", "")) or reverse("leads:list")
    # What went wrong keeps the ticks (the overview carries them as ?leads=).
    ticked = [pk for pk in map(parse_id, request.POST.getlist("leads")[:SELECTED_MAX]) if pk]
    keep = back + ("&" if "?" in back else "?") + urlencode([("leads", pk) for pk in ticked])
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
            return redirect(keep if ticked else back)
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
        return redirect(keep if ticked else back)
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
