"""The leads overview's state: the trajects overview's machinery (trajects.overview) with the
leads' filter and table, and the beheerder's ticked leads carried in the URL (?leads=…)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesmodule.ids import parse_id
from settings_app.roles import roles_of
from trajects.filters import shorten
from trajects.models import Traject
from trajects.overview import Overview, OverviewKind, overview_build

from .filters import LeadOverviewFilter
from .tables import DEFAULT_COLUMNS, DEFAULT_SORT, LeadTable


def _columns_for(columns: list[str], filterset: LeadOverviewFilter) -> list[str]:
    """The conversion date is shown with the converted leads, and only then (every lead's
    would be empty)."""
    if filterset.show_converted:
        return columns if "converted_at" in columns else [*columns, "converted_at"]
    return [name for name in columns if name != "converted_at"] or list(DEFAULT_COLUMNS)


def column_choices(filterset: LeadOverviewFilter) -> list[tuple[str, str]]:
    """The columns the chooser offers: the conversion date only with the converted leads."""
    choices = LeadTable.column_choices()
    if filterset.show_converted:
        return choices
    return [(name, label) for name, label in choices if name != "converted_at"]


LEADS = OverviewKind(
    name="leads",
    filter_class=LeadOverviewFilter,
    table_class=LeadTable,
    default_columns=DEFAULT_COLUMNS,
    default_sort=DEFAULT_SORT,
    # "Ook geconverteerde leads" decides between leads and all (LeadOverviewFilter).
    records=lambda visible: visible,
    sort_fallback=gettext_lazy("Sorteren op “%(sort)s” kan niet; gesorteerd op lead datum."),
    columns_for=_columns_for,
)
SELECTED_MAX = 500  # ticked leads carried from page to page


def selection_take(request) -> list[str]:
    """Take the ticked leads (?leads=) out of the request's query: every link the page makes
    is then without them, and the page adds the ticks still on screen to each request it sends
    (hx-include), so a tick taken away is not brought back by a link made before."""
    params = request.GET.copy()
    wanted = params.pop("leads", [])
    request.GET = params
    return wanted


def lead_overview_build(request, *, wanted: list[str] = (), paginate: bool = True) -> Overview:
    """The leads overview for this request: rows, totals, columns, and the ticked leads."""
    listing = overview_build(request, paginate=paginate, kind=LEADS)
    table = listing.table
    table.selectable = roles_of(request.user).beheerder
    if table.selectable:
        table.selected = frozenset(_selected(request.user, wanted, listing.notices))
    return listing


def _selected(user, wanted: list[str], notices: list[str]) -> list[int]:
    """The ticked ids that are leads the user may hand out, in the order ticked; the rest is
    dropped with a notice (a lead distributed meanwhile, or a forged id)."""
    ids: list[int] = []
    seen: set[int] = set()
    bad: list[str] = []
    for raw in wanted[: SELECTED_MAX * 2]:
        pk = parse_id(raw)
        if pk is None:
            bad.append(raw)
        elif pk not in seen:
            seen.add(pk)
            ids.append(pk)
    if bad:
        notices.append(
            _("Aangevinkte lead “%(id)s” bestaat niet; genegeerd.") % {"id": shorten(bad[0])}
            if len(bad) == 1
            else _("%(n)s aangevinkte leads bestaan niet; genegeerd.") % {"n": len(bad)}
        )
    if len(wanted) > SELECTED_MAX * 2 or len(ids) > SELECTED_MAX:
        notices.append(
            _("Alleen de eerste %(n)s aangevinkte leads zijn bewaard.") % {"n": SELECTED_MAX}
        )
        ids = ids[:SELECTED_MAX]
    if not ids:
        return []
    found = set(
        Traject.objects.visible_to(user).leads().filter(pk__in=ids).values_list("pk", flat=True)
    )
    gone = len(ids) - len(found)
    if gone:
        notices.append(
            _("%(n)s aangevinkte lead(s) zijn geen lead meer of bestaan niet; weggelaten.")
            % {"n": gone}
        )
    return [pk for pk in ids if pk in found]
