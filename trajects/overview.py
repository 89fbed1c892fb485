"""The trajects overview's state, read from the URL: filters, columns, sort, page and size.

One function builds it for the page and for the exports, so both show the same rows, columns,
shares and visibility. Bad values are corrected and reported in `notices`. The leads overview
is built by the same function with its own OverviewKind (leads.overview).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from settings_app.roles import client_settings_of

from . import indicators
from .filters import OverviewFilter, shorten
from .models import SavedView, Traject, page_totals_of
from .tables import (
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    OverviewPaginator,
    TrajectTable,
    page_rows,
)

PER_PAGE = (25, 50, 100)


@dataclass(frozen=True)
class OverviewKind:
    """What sets one overview apart: its records, filter, table, default sort and the name its
    saved views are kept under."""

    name: str
    filter_class: type[OverviewFilter]
    table_class: type[TrajectTable]
    default_columns: tuple[str, ...]
    default_sort: str
    records: Callable[[QuerySet], QuerySet]
    # Said when a sort in the URL is unknown: "… gesorteerd op <the default>".
    sort_fallback: str
    # The shown columns as the filter changes them (the leads' conversion date only with the
    # converted leads); None keeps them as chosen.
    columns_for: Callable[[list[str], OverviewFilter], list[str]] | None = None


TRAJECTS = OverviewKind(
    name="trajects",
    filter_class=OverviewFilter,
    table_class=TrajectTable,
    default_columns=tuple(DEFAULT_COLUMNS),
    default_sort=DEFAULT_SORT,
    records=lambda visible: visible.trajects(),
    sort_fallback=gettext_lazy("Sorteren op “%(sort)s” kan niet; gesorteerd op sluiting verwacht."),
)


@dataclass
class Overview:
    filterset: OverviewFilter
    queryset: object
    table: TrajectTable
    columns: list[str]
    views: list[SavedView]
    view: SavedView | None
    sort: str
    per_page: int = PER_PAGE[0]
    totals: Mapping = field(default_factory=dict)
    page_totals: Mapping = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    kind: OverviewKind = TRAJECTS

    @property
    def page(self):
        return self.table.page

    @property
    def share_users(self):
        return self.filterset.share_users

    def rows_queryset(self):
        """The rows with what the shown columns need: related rows and accountmanagers."""
        related, accountmanagers = self.table.related()
        # The page's ids come from the filtered queryset: no need to filter the rows again.
        rows = Traject.objects.with_share_for(self.share_users, only_theirs=False)
        rows = rows.select_related(*related).only(*self.table.fields())
        return rows.with_accountmanager_names() if accountmanagers else rows


def _columns(request, views: list[SavedView], notices: list[str], kind: OverviewKind = TRAJECTS):
    """The shown columns: ?cols= chosen now, else ?view=, else the user's default view."""
    known = dict(kind.table_class.column_choices())
    view = None
    raw_view = request.GET.get("view", "")
    if raw_view:
        view = next((v for v in views if str(v.pk) == raw_view), None)
        if view is None:
            notices.append(
                _("Weergave “%(view)s” bestaat niet en is genegeerd.") % {"view": shorten(raw_view)}
            )
    if view is None and not raw_view:
        view = next((v for v in views if v.is_default), None)
    chosen = request.GET.getlist("cols")
    if chosen:
        columns = []
        for name in chosen:
            if name not in known:
                notices.append(
                    _("Kolom “%(name)s” bestaat niet en is genegeerd.") % {"name": shorten(name)}
                )
            elif name not in columns:
                columns.append(name)
        if columns:
            return columns, view, True
    if view is not None:
        columns = [name for name in view.columns if name in known]
        if columns:
            return columns, view, False
    return list(kind.default_columns), view, False


def _sort(request, notices: list[str], kind: OverviewKind = TRAJECTS) -> str:
    sort = request.GET.get("sort", "")
    if not sort:
        return kind.default_sort
    if sort not in kind.table_class.sort_choices():
        notices.append(str(kind.sort_fallback) % {"sort": shorten(sort)})
        return kind.default_sort
    return sort


def _per_page(request, notices: list[str]) -> int:
    raw = request.GET.get("per_page", "")
    if not raw:
        return PER_PAGE[0]
    try:
        wanted = int(raw)
    except ValueError:
        wanted = None
    if wanted in PER_PAGE:
        return wanted
    size = PER_PAGE[0] if wanted is None else min(PER_PAGE, key=lambda n: abs(n - wanted))
    notices.append(
        _("%(raw)s per pagina kan niet; er worden er %(size)s getoond.")
        % {"raw": shorten(raw), "size": size}
    )
    return size


def _page_number(request, notices: list[str]) -> int:
    """The page asked for; past the last page is corrected once the count is known."""
    raw = request.GET.get("page", "")
    if not raw:
        return 1
    try:
        number = int(raw)
    except ValueError:
        notices.append(
            _("Pagina “%(raw)s” bestaat niet; pagina 1 wordt getoond.") % {"raw": shorten(raw)}
        )
        return 1
    if number < 1:
        notices.append(_no_such_page(number, 1))
        return 1
    return number


def _no_such_page(number: int, shown: int) -> str:
    return _("Pagina %(raw)s bestaat niet; pagina %(page)s wordt getoond.") % {
        "raw": number,
        "page": shown,
    }


def overview_build(request, *, paginate: bool = True, kind: OverviewKind = TRAJECTS) -> Overview:
    """Everything the overview (of this kind) and its exports show, for this request's user and
    URL."""
    notices: list[str] = []
    client = client_settings_of(request.user)
    base = kind.records(Traject.objects.visible_to(request.user))
    filterset = kind.filter_class(request.GET, base, request=request, thresholds=client.thresholds)
    notices += filterset.notices
    views = list(SavedView.objects.of(request.user, kind.name))
    columns, view, _adhoc = _columns(request, views, notices, kind)
    if kind.columns_for is not None:
        columns = kind.columns_for(columns, filterset)
    sort = _sort(request, notices, kind)
    queryset = filterset.qs
    table = kind.table_class(
        queryset, columns=columns, order_by=sort, query=request.GET,
        today=indicators.today(), client_settings=client,
    )  # fmt: skip
    overview = Overview(
        filterset=filterset, queryset=queryset, table=table, columns=columns, views=views,
        view=view, sort=sort, notices=notices, kind=kind,
    )  # fmt: skip
    if not paginate:
        return overview
    overview.per_page = _per_page(request, notices)
    number = _page_number(request, notices)
    # The page's rows first, then the whole result's totals, sent ahead: the database adds
    # them up while the table is rendered (salesmodule.ahead). Only a page past the last one
    # waits for the count, to show the last page instead.
    rows, ordered = overview.rows_queryset(), table.data.data  # sorted by the table
    records = page_rows(ordered, rows, number, overview.per_page)
    if not records and number > 1:
        overview.totals = queryset.totals()
        last = max(1, -(-overview.totals["count"] // overview.per_page))
        notices.append(_no_such_page(number, last))
        number = last
        records = page_rows(ordered, rows, number, overview.per_page)
    else:
        overview.totals = queryset.totals(ahead=True)
    table.paginate(
        paginator_class=OverviewPaginator, per_page=overview.per_page, page=number,
        totals=overview.totals, records=records,
    )  # fmt: skip
    # The "Pagina" line: the database's aggregate over the page's rows (DESIGN rule 3), read in
    # the page's own query, never a sum in Python. "Statistisch verwacht" (issue 6) is on the
    # "Totaal" line only, fetched by the page once shown (trajects:expected): it reads every
    # row's accountmanagers and range.
    overview.page_totals = page_totals_of(records)
    return overview
