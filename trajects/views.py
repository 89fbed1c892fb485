"""Pages of the trajects app: the trajects overview, its exports and views, the detail page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from crm.models import Relation
from salesmodule.ahead import sending_ahead
from salesmodule.htmx import render_page
from salesmodule.querystring import Requery, requery
from settings_app.roles import client_settings_of, person_name, roles_of

from . import services
from .exports import csv_stream, in_background, xlsx_file
from .forms import (
    AccountmanagerForm,
    AmountField,
    AppointmentForm,
    InformatieForm,
    NoteForm,
    SavedViewForm,
)
from .models import DossierEntry, ExportJob, PurgedTraject, SavedView, StatisticsSet, Traject
from .outcomes import reason_required
from .overview import PER_PAGE, overview_build
from .statistics import statistics_table
from .tables import DEFAULT_SORT, TrajectTable, esc
from .templatetags.traject_tags import field_label, field_value


def _list_context(request, listing, view_form=None) -> dict:
    f = listing.filterset
    q = _search_text(request.GET.get("relation_q", ""))
    relation_options = []
    if q and f.chosen_relation is None:
        relation_options = list(Relation.objects.matching(q)[:10])
    added = request.GET.get("criterion", "")
    shown = f.shown_criteria(added)
    return {
        "overview": "trajects",
        "listing": listing,
        "f": listing.filterset,
        "default_sort": DEFAULT_SORT,
        "relation_q": q,
        "relation_options": relation_options,
        "column_rows": column_rows(request.GET, listing.columns),
        "view_form": view_form or SavedViewForm(initial={"columns": listing.columns}),
        "export_query": request.GET.urlencode(),
        "per_page_choices": PER_PAGE,
        **date_filter_links(request.GET, f),
        "relation_remove": requery(request.GET, relation=None),
        "active_criteria": [
            (name, label, text, requery(request.GET, **{name: None, "criterion": None}))
            for name, label, text in f.active()
            if name != "relation"
        ],
        "shown_criteria": shown,
        "criterion_choices": [(n, label) for n, label in f.pickable_criteria() if n not in shown],
        "view_links": [
            (view, requery(request.GET, view=str(view.pk), cols=None)) for view in listing.views
        ],
    }


def date_filter_links(params: QueryDict, f) -> dict:
    """The date filter's links: a year back and forward, "Alle data" and "Deze maand".

    An overview that opens on the current month (the trajects') marks a chosen "every date"
    with dates=1; one that opens on every date (the leads') needs no mark.
    """
    marker = "1" if f.opens_on_current_month else None
    today = f.today
    steps = []
    for step, label, name in ((-1, "‹", _("Een jaar terug")), (1, "›", _("Een jaar verder"))):
        years = f.year_step(step)
        months = sorted(f.chosen("month"), key=int)  # the opening month too, which is no param
        link = requery(params, month=months, year=years, dates=marker) if years else ""
        steps.append((link, label, name))
    return {
        "year_back": steps[0],
        "year_forward": steps[1],
        "all_dates_query": requery(params, month=None, year=None, dates=marker),
        "current_month_query": requery(
            params, month=str(today.month), year=str(today.year), dates=None
        ),
    }


def _search_text(text: str) -> str:
    """What was typed in the relation search, cut to size; NUL bytes are refused by PostgreSQL."""
    return text.replace("\x00", "").strip()[:100]


def column_rows(
    params: QueryDict, columns: list[str], table_class=TrajectTable, choices=None
) -> list[str]:
    """Each column as a list item with links that show, hide or move it (no JavaScript needed).

    Shown columns first, in their order. Written here rather than in the template: sixteen
    items of a dozen lookups each were a fifth of the page's template time.
    """
    # Every link is the same query with another `cols` (and no saved view).
    links = Requery(params, "cols", drop=("page", "view"))

    def link(cols: list[str]) -> str:
        return esc(links.link(cols))

    hide, show = esc(_("Verbergen")), esc(_("Tonen"))
    labels = dict(choices or table_class.column_choices())
    last = len(columns) - 1
    items = []
    for index, name in enumerate(columns):
        without = [c for c in columns if c != name] or columns
        label = esc(labels[name])
        item = f'<li class="shown"><a href="{link(without)}" title="{hide}">☑ {label}</a>'
        # The table's columns run left to right: the arrows say so, and their names too.
        if index > 0:
            up = columns[:]
            up[index - 1], up[index] = up[index], up[index - 1]
            left = esc(_("%(column)s naar links") % {"column": labels[name]})
            item += f' <a href="{link(up)}" class="move" aria-label="{left}" title="{left}">←</a>'
        if index < last:
            down = columns[:]
            down[index + 1], down[index] = down[index], down[index + 1]
            right = esc(_("%(column)s naar rechts") % {"column": labels[name]})
            item += (
                f' <a href="{link(down)}" class="move" aria-label="{right}" title="{right}">→</a>'
            )
        items.append(mark_safe(item + "</li>"))  # noqa: S308 - every value escaped above
    for name, label in labels.items():
        if name not in columns:
            items.append(
                mark_safe(  # noqa: S308 - every value escaped
                    f'<li class="hidden"><a href="{link([*columns, name])}" title="{show}">'
                    f"☐ {esc(label)}</a></li>"
                )
            )
    return items


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@sending_ahead()
def traject_list(request):
    """The trajects overview: date filter, criteria, table, totals row (issue 4)."""
    listing = overview_build(request)
    context = _list_context(request, listing)
    return render_page(request, "trajects/traject_list.html", context, partials=("overview",))


@require_GET
def traject_expected(request):
    """ "Statistisch verwacht" of the overview's whole result (issue 6), fetched by the page.

    The same filters and visibility as the overview; htmx gets the figure for the totals row,
    a browser without JavaScript a small page with it.
    """
    listing = overview_build(request, paginate=False)
    current = StatisticsSet.objects.current(client_settings_of(request.user).thresholds)
    context = {"expected": current and listing.queryset.statistically_expected(current)}
    if request.htmx:
        return render(request, "trajects/traject_list.html#expected-total", context)
    context.update(
        count=listing.queryset.count(),
        back=f"{reverse('trajects:list')}?{request.GET.urlencode()}",
        notices=listing.notices,
    )
    return render(request, "trajects/expected.html", context)


@require_GET
def relation_options(request):
    """Relations whose name matches what is typed, as buttons that set the relation filter."""
    q = _search_text(request.GET.get("relation_q", ""))
    relations = list(Relation.objects.matching(q)[:10]) if q else []
    context = {"relation_q": q, "relation_options": relations}
    return render(request, "trajects/traject_list.html#relation-options", context)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(request, export_format: str):
    """The overview's whole filtered result as a file; a large one as a background job.

    A GET for a large export asks for a confirmation: a request that starts minutes of work is
    a POST.
    """
    listing = overview_build(request, paginate=False)
    if in_background(listing.queryset, export_format):
        if request.method != "POST":
            context = {
                "format": export_format.upper(),
                "rows": f"{settings.EXPORT_BACKGROUND_ROWS:,}".replace(",", "."),
                "back": reverse("trajects:list") + "?" + request.GET.urlencode(),
            }
            return render(request, "trajects/export_start.html", context)
        job = services.export_job_create(
            user=request.user, query=request.GET.urlencode(), export_format=export_format
        )
        return redirect("trajects:export_job", pk=job.pk)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if export_format == "csv":
        response = StreamingHttpResponse(
            csv_stream(listing), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="trajecten-{stamp}.csv"'
        return response
    return FileResponse(
        xlsx_file(listing),
        as_attachment=True,
        filename=f"trajecten-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


@require_http_methods(["GET", "POST"])
def traject_export_csv(request):
    """The whole filtered result as CSV, streamed; a large one as a background job."""
    return _export(request, "csv")


@require_http_methods(["GET", "POST"])
def traject_export_xlsx(request):
    """The whole filtered result as XLSX; a large one as a background job."""
    return _export(request, "xlsx")


@require_GET
def export_job(request, pk: int):
    """A background export's progress, then its download link; only for whom asked for it."""
    job = get_object_or_404(ExportJob.objects.of(request.user), pk=pk)
    context = {"job": job, "ready": job.is_ready(), "expired": job.expires_at <= timezone.now()}
    return render_page(request, "trajects/export_job.html", context, partials=("job",))


@require_GET
def export_job_download(request, pk: int):
    """The file of a finished background export, to its owner until it expires; else 404."""
    job = get_object_or_404(ExportJob.objects.of(request.user), pk=pk)
    if not job.is_ready():
        raise Http404
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    content_type = XLSX_TYPE if job.format == "xlsx" else "text/csv; charset=utf-8"
    return FileResponse(
        job.path.open("rb"),
        as_attachment=True,
        filename=f"trajecten-{stamp}.{job.format}",
        content_type=content_type,
    )


def back_to_list(next_query: str, view: SavedView | None = None, list_url: str = ""):
    params = QueryDict(next_query, mutable=True)
    if view is not None:
        params.pop("cols", None)
        params["view"] = str(view.pk)
    params.pop("page", None)
    list_url = list_url or reverse("trajects:list")
    return redirect(list_url + ("?" + params.urlencode() if params else ""))


@require_POST
@sending_ahead()
def saved_view_save(request):
    """Save the shown columns as a named weergave of the user."""
    form = SavedViewForm(request.POST)
    next_query = request.POST.get("next", "")[:4000]
    if form.is_valid():
        view = services.saved_view_save(
            user=request.user,
            name=form.cleaned_data["name"],
            columns=form.cleaned_data["columns"],
            is_default=form.cleaned_data["is_default"],
        )
        messages.success(request, _("Weergave “%(name)s” is bewaard.") % {"name": view.name})
        return back_to_list(next_query, view)
    # Show the overview of the URL the form came from, with the message beside the field.
    request.GET = QueryDict(next_query)
    listing = overview_build(request)
    context = _list_context(request, listing, view_form=form)
    context["views_open"] = True
    return render(request, "trajects/traject_list.html", context, status=200)


@require_POST
def saved_view_default(request, pk: int):
    """Make one of the user's weergaven his default."""
    view = get_object_or_404(SavedView.objects.of(request.user), pk=pk)
    services.saved_view_make_default(view=view)
    messages.success(request, _("“%(name)s” is nu uw standaardweergave.") % {"name": view.name})
    return back_to_list(request.POST.get("next", "")[:4000], view)


@require_POST
def saved_view_delete(request, pk: int):
    """Delete one of the user's weergaven."""
    view = get_object_or_404(SavedView.objects.of(request.user), pk=pk)
    services.saved_view_delete(view=view)
    messages.success(request, _("Weergave “%(name)s” is verwijderd.") % {"name": view.name})
    params = QueryDict(request.POST.get("next", "")[:4000], mutable=True)
    if params.get("view") == str(pk):
        params.pop("view")
    return back_to_list(params.urlencode())


DETAIL = "trajects/traject_detail.html"
WIDGETS = (
    "kop",
    "informatie",
    "relatievelden",
    "redenveld",
    "stageveld",
    "accountmanagers",
    "afspraken",
    "notities",
    "dossier",
    "geschiedenis",
)
INFO_FORM_PARTS = ("relatievelden", "redenveld")
# Four joins keep PostgreSQL's planning under a millisecond; the often empty or tiny ones
# come by prefetch (no query at all when empty). Nine joins cost 5-7 ms of planning.
DETAIL_RELATED = ("relation", "contact", "type", "business_type")
DETAIL_PREFETCHED = ("lead_by", "stage", "source", "vacancy", "win_loss_reason")
# Client events after a change, so the widgets that show it reload themselves.
INFO_CHANGED, DOSSIER_CHANGED, HISTORY_CHANGED = (
    "informatie-changed",
    "dossier-changed",
    "geschiedenis-changed",
)


def _visible_traject(request, pk: int, *, statistics: bool = False) -> Traject:
    """The traject if the user may see it; 404 otherwise (the one access check of this page)."""
    trajects = (
        Traject.objects.visible_to(request.user)
        .select_related(*DETAIL_RELATED)
        .prefetch_related(*DETAIL_PREFETCHED)
    )
    if statistics:
        trajects = trajects.with_statistical_probability()
    return get_object_or_404(trajects, pk=pk)


def _post_only(request):
    """Checked after the visibility check, so a stranger's GET is a 404 like his POST."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _get_only(request):
    """Checked after the visibility check, so a stranger's POST is a 404 like his GET."""
    return None if request.method in ("GET", "HEAD") else HttpResponseNotAllowed(["GET"])


def _forbidden(request, error: PermissionDenied):
    """An action on a visible traject the user may not perform: 403 with the reason."""
    message = str(error) or _("U mag dit niet doen.")
    return render(request, "403.html", {"message": message}, status=403)


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _paged(request, queryset, param: str, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def _accountmanager_rows(traject: Traject, user) -> list:
    links = list(traject.accountmanager_links.select_related("user").order_by("added_at", "pk"))
    for link in links:
        link.removable = services.may_remove_accountmanager(user=user, accountmanager=link.user)
        link.is_me = link.user_id == user.pk
    return links


def _history(request, traject: Traject):
    """Every traject of the relation, newest first; only the ones the user may open link."""
    rows = (
        Traject.objects.alive()
        .filter(relation_id=traject.relation_id)
        .with_can_open(request.user)
        .select_related("type")
        .prefetch_related("accountmanagers")
        .order_by("-lead_date", "-pk")
    )
    return _paged(request, rows, "geschiedenis", 10)


# The widgets below hang off a traject that came through visible_to in this request, so they
# follow its reverse relations instead of repeating the visibility subquery in every query.


def _dossier(request, traject: Traject):
    entries = traject.dossier_entries.select_related("author")
    return _paged(request, entries, "dossier", 20)


def _notes(request, traject: Traject):
    page = _paged(request, traject.dossier_entries.notes().select_related("author"), "notities", 10)
    for note in page:
        note.changeable = services.may_change_note(note=note, user=request.user)
    return page


def _appointments(request, traject: Traject):
    page = _paged(
        request,
        traject.appointments.select_related("contact", "owner").order_by("-start", "-pk"),
        "afspraken",
        10,
    )
    for appointment in page:
        appointment.deletable = services.may_delete_appointment(
            appointment=appointment, user=request.user
        )
    return page


def _render_detail(request, traject: Traject, **extra):
    """The page, or the widget htmx asks for; every widget's data is read only when shown."""
    lazy = SimpleLazyObject
    context = {
        "traject": traject,
        "info_form": None,
        "accountmanager_rows": lazy(lambda: _accountmanager_rows(traject, request.user)),
        "share_form": AccountmanagerForm(traject=traject),
        "handover_form": AccountmanagerForm(traject=traject, prefix="overdragen"),
        "history": lazy(lambda: _history(request, traject)),
        "dossier": lazy(lambda: _dossier(request, traject)),
        "notes": lazy(lambda: _notes(request, traject)),
        "note_form": NoteForm(),
        "appointments": lazy(lambda: _appointments(request, traject)),
        "appointment_form": AppointmentForm(traject=traject),
        "retention_days": services.RETENTION.days,
    }
    context.update(extra)
    if context["info_form"] is None and request.htmx.target in INFO_FORM_PARTS:
        # These regions are parts of the Informatie form: asked for alone, they show its
        # current values rather than fail on a form the page did not build.
        context["info_form"] = InformatieForm(
            traject=traject, sales_select=roles_of(request.user).sales_select
        )
    return render_page(request, DETAIL, context, partials=WIDGETS)


def _changed(response, *events):
    for event in events:
        trigger_client_event(response, event)
    return response


def _back_to(request, traject: Traject, anchor: str):
    return redirect(reverse("trajects:detail", args=[traject.pk]) + f"#{anchor}")


@require_http_methods(["GET", "HEAD", "POST"])
def traject_detail(request, pk: int):
    """A lead or traject the user may see, with its widgets; 404 for anything else."""
    traject = _visible_traject(request, pk, statistics=True)
    if (refused := _get_only(request)) is not None:
        return refused
    return _render_detail(request, traject)


@require_http_methods(["GET", "POST"])
def traject_informatie(request, pk: int):
    """GET: the Informatie widget as a form. POST: save what the user changed (rules 1, 6, 9)."""
    traject = _visible_traject(request, pk)
    sales_select = reason_required(traject)
    if request.method == "GET":
        form = InformatieForm(traject=traject, sales_select=sales_select)
        form.enhance(focus=request.GET.get("veld"))
        return _render_detail(request, traject, info_form=form)
    form = InformatieForm(request.POST, traject=traject, sales_select=sales_select)
    if request.htmx:
        form.fields["relation"].widget.options = ()  # the picker's no-JavaScript radios
    if form.searches_relation():
        # The picker's search button without JavaScript: show the matches, save nothing.
        return _render_detail(request, traject, info_form=form)
    if not form.is_valid():
        return _render_detail(request, traject, info_form=form)
    changes = form.changes()
    try:
        services.traject_update(
            traject=traject, user=request.user, changes=changes, loaded=form.loaded(changes)
        )
    except Traject.DoesNotExist as gone:
        raise Http404 from gone
    except services.TrajectConflict as conflict:
        current = _visible_traject(request, pk)
        form = form.refreshed(current, sales_select=sales_select)
        for clash in conflict.conflicts:
            message = _(
                "%(who)s heeft %(field)s intussen gewijzigd in “%(value)s”. Uw invoer staat er "
                "nog; bewaar opnieuw om die toch op te slaan."
            ) % {
                "who": clash.changed_by,
                "field": field_label(clash.field).lower(),
                "value": field_value(clash.field, getattr(current, clash.field)),
            }
            form.add_error(clash.field if clash.field in form.fields else None, message)
        form.add_error(None, _("Niet bewaard: iemand anders heeft intussen hetzelfde gewijzigd."))
        return _render_detail(request, current, info_form=form)
    except ValidationError as error:
        _form_errors(form, error)
        return _render_detail(request, traject, info_form=form)
    traject = _visible_traject(request, pk)
    if not request.htmx:
        messages.success(request, _("Bewaard."))
        return _back_to(request, traject, "informatie")
    response = _render_detail(request, traject, saved=bool(changes))
    return _changed(response, DOSSIER_CHANGED, HISTORY_CHANGED)


@require_http_methods(["GET", "HEAD", "POST"])
def traject_informatie_fragment(request, pk: int):
    """The parts of the Informatie form that follow other fields: the contact and vacancy of a
    (searched) relation, and the won/lost reason a type or stage asks for."""
    traject = _visible_traject(request, pk)
    if (refused := _get_only(request)) is not None:
        return refused
    form = InformatieForm(
        InformatieForm.with_current(request.GET, traject),
        traject=traject,
        sales_select=reason_required(traject),
    )
    return _render_detail(request, traject, info_form=form, fragment=True)


@require_http_methods(["GET", "HEAD", "POST"])
def traject_omzet(request, pk: int):
    """Omzet (value × kans / 100) for the typed kans and waarde, before saving."""
    traject = _visible_traject(request, pk)
    if (refused := _get_only(request)) is not None:
        return refused
    probability = request.GET.get("probability", "")
    amount = AmountField(required=False, min_value=0, max_digits=14, decimal_places=2)
    try:
        value = amount.clean(request.GET.get("value", ""))
        probability = int(probability)
    except (ValidationError, ValueError):
        value = None
    weighted = None
    if value is not None and 0 <= probability <= 100:
        weighted = Traject(value=value, probability=probability).weighted_value
    return render(request, f"{DETAIL}#omzet", {"traject": traject, "weighted": weighted})


@require_http_methods(["GET", "POST"])
def traject_accountmanager_add(request, pk: int):
    """Share (manual 4.6): an assigned accountmanager or a beheerder adds an accountmanager."""
    traject = _visible_traject(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = AccountmanagerForm(request.POST, traject=traject)
    if form.is_valid():
        try:
            services.traject_accountmanager_add(
                traject=traject,
                user=request.user,
                accountmanager=form.cleaned_data["accountmanager"],
            )
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if not request.htmx:
                return _back_to(request, traject, "accountmanagers")
            response = _render_detail(request, traject)
            return _changed(response, DOSSIER_CHANGED, HISTORY_CHANGED)
    return _render_detail(request, traject, share_form=form)


def _gone_for_me(request, message: str):
    """After handing over the user no longer sees the traject: back to his overview."""
    messages.success(request, message)
    url = reverse("trajects:list")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
def traject_accountmanager_remove(request, pk: int, user_id: int):
    """Remove an accountmanager: oneself (hand over) or, for a beheerder, anyone (rule 7)."""
    traject = _visible_traject(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    link = get_object_or_404(traject.accountmanager_links.select_related("user"), user_id=user_id)
    try:
        services.traject_accountmanager_remove(
            traject=traject, user=request.user, accountmanager=link.user
        )
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        return _render_detail(request, traject, accountmanager_error=" ".join(error.messages))
    if not Traject.objects.visible_to(request.user).filter(pk=traject.pk).exists():
        return _gone_for_me(
            request, _("U staat niet meer op “%(subject)s”.") % {"subject": traject.subject}
        )
    if not request.htmx:
        return _back_to(request, traject, "accountmanagers")
    return _changed(_render_detail(request, traject), DOSSIER_CHANGED, HISTORY_CHANGED)


@require_http_methods(["GET", "POST"])
def traject_hand_over(request, pk: int):
    """Hand over (manual 4.6): the chosen accountmanager comes on, the user goes off."""
    traject = _visible_traject(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = AccountmanagerForm(request.POST, traject=traject, prefix="overdragen")
    if form.is_valid():
        to = form.cleaned_data["accountmanager"]
        try:
            services.traject_hand_over(traject=traject, user=request.user, accountmanager=to)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if Traject.objects.visible_to(request.user).filter(pk=traject.pk).exists():
                if request.htmx:
                    response = _render_detail(request, traject)
                    return _changed(response, DOSSIER_CHANGED, HISTORY_CHANGED)
                return _back_to(request, traject, "accountmanagers")
            return _gone_for_me(
                request,
                _("“%(subject)s” is overgedragen aan %(name)s.")
                % {"subject": traject.subject, "name": person_name(to)},
            )
    return _render_detail(request, traject, handover_form=form)


@require_http_methods(["GET", "POST"])
def traject_note_add(request, pk: int):
    """Add a note to the dossier (plain text, kept as typed, shown escaped)."""
    traject = _visible_traject(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_note_add(
                traject=traject, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if not request.htmx:
                return _back_to(request, traject, "notities")
            return _changed(_render_detail(request, traject), DOSSIER_CHANGED)
    return _render_detail(request, traject, note_form=form)


def _note(request, traject: Traject, note_id: int) -> DossierEntry:
    return get_object_or_404(traject.dossier_entries.notes(), pk=note_id)


@require_http_methods(["GET", "POST"])
def traject_note_edit(request, pk: int, note_id: int):
    """GET: one's own note as a form in place. POST: save it."""
    traject = _visible_traject(request, pk)
    note = _note(request, traject, note_id)
    if not services.may_change_note(note=note, user=request.user):
        return _forbidden(request, PermissionDenied(_("U kunt alleen uw eigen notities wijzigen.")))
    if request.method == "GET":
        form = NoteForm(initial={"text": note.text}, prefix=f"notitie-{note.pk}", auto_id="id_%s")
        return _render_detail(request, traject, editing_note=note.pk, note_edit_form=form)
    form = NoteForm(request.POST, prefix=f"notitie-{note.pk}", auto_id="id_%s")
    if form.is_valid():
        try:
            services.dossier_note_update(
                note=note, user=request.user, text=form.cleaned_data["text"]
            )
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if not request.htmx:
                return _back_to(request, traject, "notities")
            return _changed(_render_detail(request, traject), DOSSIER_CHANGED)
    return _render_detail(request, traject, editing_note=note.pk, note_edit_form=form)


@require_http_methods(["GET", "POST"])
def traject_note_delete(request, pk: int, note_id: int):
    """Delete one's own note."""
    traject = _visible_traject(request, pk)
    note = _note(request, traject, note_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.dossier_note_delete(note=note, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    if not request.htmx:
        return _back_to(request, traject, "notities")
    return _changed(_render_detail(request, traject), DOSSIER_CHANGED)


@require_http_methods(["GET", "POST"])
def traject_appointment_add(request, pk: int):
    """Plan an appointment with the traject's contact; the first visit date follows rule 8."""
    traject = _visible_traject(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = AppointmentForm(request.POST, traject=traject)
    if form.is_valid():
        try:
            appointment = services.traject_appointment_create(
                traject=traject,
                user=request.user,
                start=form.start(),
                kind=form.cleaned_data["kind"],
                contact=form.cleaned_data["contact"],
                subject=form.cleaned_data["subject"],
            )
        except Traject.DoesNotExist as gone:
            raise Http404 from gone
        except ValidationError as error:
            _form_errors(form, error)
        else:
            hint = _first_visit_hint(traject, appointment)
            if not request.htmx and not hint:
                return _back_to(request, traject, "afspraken")
            # Saved; the hint is shown beside the contact field of a fresh form, so also
            # without htmx the page answers here instead of redirecting.
            response = _render_detail(
                request, _visible_traject(request, pk), appointment_contact_hint=hint
            )
            return _changed(response, INFO_CHANGED, DOSSIER_CHANGED)
    return _render_detail(request, traject, appointment_form=form)


def _first_visit_hint(traject: Traject, appointment) -> str:
    """Why a saved appointment did not set 'Datum 1e bezoek', when its contact is the reason."""
    if not appointment.first_visit_other_contact:
        return ""
    if traject.contact is None:
        return _(
            "De afspraak is bewaard, maar zet de datum 1e bezoek niet: het traject heeft geen "
            "contactpersoon."
        )
    return _(
        "De afspraak is bewaard, maar zet de datum 1e bezoek niet: dat doet alleen een "
        "afspraak met %(contact)s, de contactpersoon van het traject."
    ) % {"contact": traject.contact}


@require_http_methods(["GET", "POST"])
def traject_appointment_delete(request, pk: int, appointment_id: int):
    """Remove an appointment of this traject (its owner or a beheerder)."""
    traject = _visible_traject(request, pk)
    appointment = get_object_or_404(traject.appointments, pk=appointment_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.traject_appointment_delete(appointment=appointment, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    if not request.htmx:
        return _back_to(request, traject, "afspraken")
    # The visits and 'Datum 1e bezoek' in the Informatie widget may have changed with it.
    return _changed(_render_detail(request, traject), INFO_CHANGED, DOSSIER_CHANGED)


@require_http_methods(["GET", "POST"])
def traject_delete(request, pk: int):
    """GET: the confirmation with the manual's advice (without JavaScript). POST: delete."""
    traject = _visible_traject(request, pk)
    if request.method == "GET":
        context = {"traject": traject, "retention_days": services.RETENTION.days}
        return render(request, "trajects/traject_delete.html", context)
    try:
        services.traject_delete(traject=traject, user=request.user)
    except Traject.DoesNotExist as gone:
        raise Http404 from gone
    messages.success(
        request,
        _("“%(subject)s” is verwijderd. Een sales beheerder kan het %(days)s dagen herstellen.")
        % {"subject": traject.subject, "days": services.RETENTION.days},
    )
    return redirect("leads:list" if traject.is_lead else "trajects:list")


def _beheerder_only(request) -> None:
    """The recycle bin is a beheerder's page; for anyone else it does not exist."""
    if not roles_of(request.user).beheerder:
        raise Http404


@require_GET
def traject_bin(request):
    """Prullenbak: trajects deleted in the last 30 days, who deleted them and when."""
    _beheerder_only(request)
    deleted = (
        Traject.objects.in_recycle_bin()
        .select_related("relation", "deleted_by", "type")
        .prefetch_related("accountmanagers")
        .order_by("-deleted_at", "-pk")
    )
    purged_q = _search_text(request.GET.get("opgeruimd_q", ""))
    purged = Paginator(PurgedTraject.objects.matching(purged_q), 25).get_page(
        request.GET.get("opgeruimd")
    )
    context = {
        "page": Paginator(deleted, 25).get_page(request.GET.get("page")),
        "retention_days": services.RETENTION.days,
        "purged": purged,
        "purged_q": purged_q,
        "purged_pages": [
            (label, requery(request.GET, opgeruimd=str(number)))
            for label, number, there in (
                (_("Nieuwer"), purged.number - 1, purged.has_previous()),
                (_("Ouder"), purged.number + 1, purged.has_next()),
            )
            if there
        ],
    }
    return render_page(
        request, "trajects/traject_bin.html", context, partials=("results", "opgeruimd")
    )


@require_http_methods(["GET", "POST"])
def traject_restore(request, pk: int):
    """Bring a deleted traject back with everything on it (beheerders, within 30 days)."""
    _beheerder_only(request)
    traject = get_object_or_404(Traject.objects.in_recycle_bin(), pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.traject_restore(traject_id=traject.pk, user=request.user)
    except Traject.DoesNotExist as gone:
        raise Http404 from gone
    except PermissionDenied as error:
        return _forbidden(request, error)
    messages.success(request, _("“%(subject)s” is hersteld.") % {"subject": traject.subject})
    return redirect("trajects:detail", pk=traject.pk)


@require_GET
def statistics_overview(request):
    """Win rate per price range: a beheerder sees every accountmanager, an accountmanager
    himself and the overall figures; anyone else gets 404."""
    roles = roles_of(request.user)
    if not (roles.beheerder or roles.accountmanager):
        raise Http404
    current = StatisticsSet.objects.current()
    table = (
        statistics_table(current, accountmanager=request.user, all_accountmanagers=roles.beheerder)
        if current
        else None
    )
    return render(request, "trajects/statistics.html", {"table": table, "overview": "statistics"})
