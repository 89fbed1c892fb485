"""The Sales Select board (issue 13): one Kanban per business type, its stages as columns.

Every URL here answers 404 for a user for whom Sales Select (SE3573) is off: for him the
board does not exist (DESIGN, "Who uses it").
"""

from functools import wraps

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from salesmodule.ids import parse_id
from settings_app.roles import roles_of

from .closed import TOGGLE
from .columns import (
    NO_STAGE,
    NO_STAGE_PARAM,
    board_build,
    cards_after,
    column_header_html,
    parse_after,
    parse_column,
)
from .readiness import setup_steps


def sales_select_required(view):
    """404 unless Sales Select is on for the client or for this user."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles_of(request.user).sales_select:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _links(board) -> dict:
    """The board's own query (tabs keep the filters) and the same selection in the overview."""
    query = board.filterset.query()
    if board.show_closed:
        query[TOGGLE] = "1"
    overview = board.filterset.overview_query(board.business_type.pk)
    return {
        "filter_query": query.urlencode(),
        "overview_url": f"{reverse('trajects:list')}?{overview.urlencode()}",
    }


def _column(request, built):
    """The column ?stage= names on this board: 400 with a message when it names no column at
    all ('geen' or a stage id), 404 when that stage is no column of this board."""
    raw = request.GET.get("stage", "")
    if raw != NO_STAGE_PARAM and parse_id(raw) is None:
        message = _("Kies een kolom: “geen” of het nummer van een stage van dit bord.")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    column = parse_column(raw, built) if built.configured else None
    if column is None:
        raise Http404
    return column


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@sales_select_required
def board(request):
    """The board: tabs per business type, filters, columns with their headers and first cards."""
    built = board_build(request)
    if not built.configured:
        context = {"steps": setup_steps(), "overview": "board"}
        return render(request, "board/not_configured.html", context)
    context = {"board": built, "overview": "board", **_links(built)}
    return render(request, "board/board.html", context)


@require_GET
@sales_select_required
def column_more(request):
    """The next cards of one column (htmx, when the column's end scrolls into view)."""
    built = board_build(request, cards=False, headers=())
    column = _column(request, built)
    if isinstance(column, HttpResponse):
        return column
    cards, more = cards_after(built, column, parse_after(request.GET.get("after", "")))
    column.cards = cards
    context = {"board": built, "column": column, "cards": cards, "more": more, **_links(built)}
    return render(request, "board/_more.html", context)


@require_GET
@sales_select_required
def column_header_view(request):
    """One column's header, as the board's filters make it (re-rendered after a move)."""
    raw = request.GET.get("stage", "")
    built = board_build(request, cards=False, headers=[parse_id(raw) or NO_STAGE])
    column = _column(request, built)
    if isinstance(column, HttpResponse):
        return column
    return HttpResponse(column_header_html(request, built, column))
