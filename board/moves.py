"""Moving a card (issue 13, points 5 and 6): the POST, its undo, and the card put back.

The move itself is trajects.moves.traject_stage_move, so the board follows the rules of every
other entry point. This module reads the request, answers per DESIGN "Who uses it" (404 for a
traject the user may not see, 403 with a message for an action he may not perform, 400/409/422
with a message for bad input, a stale board or a refused rule; nothing saved) and returns what
the board swaps in: the card where it really is, both column headers, the announcement and,
after a move, an "Ongedaan maken" button that works for UNDO_SECONDS.

The request's query string is the board's own (business type and filters), so the headers are
recomputed with the filters the user sees.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salesmodule.ids import parse_id
from settings_app.models import Stage, WinLossReason
from trajects.models import Traject
from trajects.moves import StageConflict, traject_stage_move
from trajects.outcomes import reason_required, stage_fits

from .closed import TOGGLE, closed_recently
from .columns import (
    NO_STAGE,
    NO_STAGE_PARAM,
    Card,
    Column,
    board_build,
    card_rows,
    column_header_html,
    reasons_missing,
    stages_of,
)
from .views import sales_select_required

UNDO_SECONDS = 10
UNDO_SALT = "board.move.undo"
MISSING = object()  # a stage parameter that was not sent


class BadMove(Exception):
    """Input the move cannot even be tried with; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _stage_param(raw, what: str):
    """'geen' → None (no stage), a stage id → that Stage, nothing → MISSING; else BadMove."""
    if raw is None or raw == "":
        return MISSING
    if raw == NO_STAGE_PARAM:
        return None
    stage = Stage.objects.filter(pk=parse_id(raw)).first() if parse_id(raw) else None
    if stage is None:
        raise BadMove(_("%(what)s bestaat niet.") % {"what": what}, 422)
    return stage


def _reason_param(raw, stage: Stage | None) -> WinLossReason | None:
    if not raw or stage is None or not stage.outcome_on_entry:
        return None
    reason = WinLossReason.objects.filter(pk=parse_id(raw)).first() if parse_id(raw) else None
    if reason is None:
        raise BadMove(_("Deze gewonnen/verloren reden bestaat niet."), 422)
    return reason


def stage_param_of(stage: Stage | None) -> str:
    """A stage as the move form sends it: its id, or 'geen'."""
    return str(stage.pk) if stage is not None else NO_STAGE_PARAM


def _board_query(request, traject: Traject) -> QueryDict:
    """The board's query of this request, on the traject's own business type."""
    query = request.GET.copy()
    query["business_type"] = str(traject.business_type_id)
    return query


@dataclass
class Placement:
    """What the board swaps in after a move (or a refused one): the card where it really is,
    the headers of the columns it left and entered, an announcement."""

    board: object
    card: Card | None
    column_key: int | None
    header_keys: list[int]


def _filter_query(board) -> str:
    """The board's filters (and toggle) for the links a move's answer renders."""
    if board.filterset is None:
        return ""
    query = board.filterset.query()
    if board.show_closed:
        query[TOGGLE] = "1"
    return query.urlencode()


def _column_key(board, stage_id: int | None) -> int:
    return stage_id if stage_id in board.column_ids else NO_STAGE


def _placement(request, traject: Traject, *, keys: list[int | None]) -> Placement:
    """Rebuild the headers of the columns a move touched (with the board's filters) and the
    card, if it is still on the board.

    `keys` are the stage ids whose columns' headers must be re-rendered (None: "Geen stage");
    the traject's own, where the card now is, is added."""
    traject_id = traject.pk
    request.GET = _board_query(request, traject)
    column_ids = [stage.pk for stage in stages_of(traject.business_type_id)]
    header_keys = []
    for stage_id in [*keys, traject.stage_id]:
        key = stage_id if stage_id in column_ids else NO_STAGE
        if key not in header_keys:
            header_keys.append(key)
    board = board_build(request, cards=False, headers=header_keys)
    on_board = board.queryset.filter(pk=traject_id)
    card = None
    rows = card_rows(list(on_board.values_list("pk", flat=True)), board.share_users)
    if rows:
        card = Card(traject=rows[0], column_ids=frozenset(board.column_ids))
    elif board.show_closed:
        card = _closed_card(request, board, traject_id)
    column_key = _column_key(board, card.stage_id) if card else None
    return Placement(board=board, card=card, column_key=column_key, header_keys=header_keys)


def _closed_card(request, board, traject_id: int) -> Card | None:
    """The card of a traject just won or lost, when the board shows the closed ones."""
    outcome_ids = [column.stage.pk for column in board.columns if column.outcome]
    closed = closed_recently(board, outcome_ids).filter(pk=traject_id)
    rows = card_rows(list(closed.values_list("pk", flat=True)), board.share_users)
    if not rows:
        return None
    card = Card(traject=rows[0], column_ids=frozenset(board.column_ids), closed=True)
    from_stage = Stage.objects.filter(pk=rows[0].closed_from_stage_id).first()
    card.closed_from = from_stage.name if from_stage else ""
    return card


def _render_placement(
    request, placement: Placement, *, traject_id: int, message: str, undo: str = "",
    error: bool = False, status: int = 200,
):  # fmt: skip
    board = placement.board
    columns = {column.key: column for column in board.columns}
    headers = [
        column_header_html(request, board, columns[key], oob=True)
        for key in placement.header_keys
        if key in columns
    ]
    column = columns.get(placement.column_key)
    context = {
        "board": board,
        "traject_id": traject_id,
        "card": placement.card,
        "column": column,
        "headers": headers,
        "message": message,
        "undo": undo,
        "undo_seconds": UNDO_SECONDS,
        "error": error,
        "board_query": request.GET.urlencode(),
        "filter_query": _filter_query(board),
    }
    return render(request, "board/_move_result.html", context, status=status)


def _back_to_board(request, traject_id: int | None = None):
    query = request.GET.urlencode()
    url = reverse("board:index") + (f"?{query}" if query else "")
    return redirect(url + (f"#kaart-{traject_id}" if traject_id else ""))


def _undo_token(request, traject: Traject, before: Traject) -> str:
    return signing.dumps(
        {
            "t": traject.pk,
            "u": request.user.pk,
            "from": before.stage_id,
            "to": traject.stage_id,
            "r": before.win_loss_reason_id,
        },
        salt=UNDO_SALT,
        compress=True,
    )


def _moved_message(traject: Traject) -> str:
    stage = traject.stage.name if traject.stage else _("Geen stage")
    return _("“%(subject)s” verplaatst naar %(stage)s.") % {
        "subject": traject.subject,
        "stage": stage,
    }


def _refusal(request, traject: Traject, message: str, status: int, keys=()):
    """A refused move: nothing saved; the card and headers as they really are, the message."""
    if not request.htmx:
        return render(
            request,
            "board/move_refused.html",
            {"message": message, "board_query": request.GET.urlencode(), "traject_id": traject.pk},
            status=status,
        )
    placement = _placement(request, traject, keys=list(keys))
    return _render_placement(
        request, placement, traject_id=traject.pk, message=message, error=True, status=status
    )


def _reason_dialog(request, traject: Traject, stage: Stage, stage_seen, *, error="", status=200):
    """Ask for the won/lost reason of an outcome stage: only that outcome's active reasons."""
    reasons = WinLossReason.objects.active().filter(outcome=stage.outcome_on_entry)
    context = {
        "traject": traject,
        "stage": stage,
        "stage_param": stage_param_of(stage),
        "stage_seen_param": stage_param_of(stage_seen),
        "reasons": reasons,
        "required": reason_required(traject),
        "error": error,
        "board_query": request.GET.urlencode(),
        "chosen": parse_id(request.POST.get("reden", "")),
    }
    template = "board/_reason_dialog.html" if request.htmx else "board/move_reason.html"
    response = render(request, template, context, status=status)
    if request.htmx:
        response["HX-Retarget"] = "#board-dialog"
        response["HX-Reswap"] = "innerHTML"
    return response


def _move_menu(request, traject: Traject):
    """GET: the "Verplaats naar…" choices of one card, as the board showed it (?seen= is the
    stage the card was in there): a fragment the card loads when its menu opens, or, without
    JavaScript, a page of its own. Saves nothing."""
    query = request.GET.copy()
    raw_seen = query.pop("seen", [""])[-1]
    try:
        seen = _stage_param(raw_seen, _("De stage van de kaart"))
    except BadMove as bad:
        return _refusal(request, traject, bad.message, bad.status, keys=[traject.stage_id])
    seen_id = traject.stage_id if seen is MISSING else (seen.pk if seen is not None else None)
    columns = [
        Column(stage=None),
        *(Column(stage=stage) for stage in stages_of(traject.business_type_id)),
    ]
    column_ids = [column.stage.pk for column in columns if column.stage is not None]
    here = seen_id if seen_id in column_ids else NO_STAGE
    context = {
        "traject": traject,
        "targets": [column for column in columns if column.key != here],
        "seen_param": NO_STAGE_PARAM if seen_id is None else str(seen_id),
        "reasons_missing": reasons_missing() if any(c.outcome for c in columns) else [],
        "filter_query": query.urlencode(),
    }
    template = "board/_move_menu_form.html" if request.htmx else "board/move_menu.html"
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
@sales_select_required
def card_move(request, pk: int):
    """Move a card to another column (drag and drop, the "Verplaats naar…" menu, the keys);
    GET shows the menu's choices."""
    traject = get_object_or_404(
        Traject.objects.visible_to(request.user).select_related("stage"), pk=pk
    )
    if request.method != "POST":
        return _move_menu(request, traject)
    try:
        stage = _stage_param(request.POST.get("stage"), _("Deze stage"))
        if stage is MISSING:
            raise BadMove(_("Kies de stage waarheen de kaart moet."))
        stage_seen = _stage_param(request.POST.get("stage_seen"), _("De stage van de kaart"))
        if stage_seen is MISSING:
            raise BadMove(
                _(
                    "Niet verplaatst: het bord zei niet in welke stage de kaart stond. "
                    "Herlaad het bord."
                )
            )
        reason = _reason_param(request.POST.get("reden"), stage)
    except BadMove as bad:
        return _refusal(request, traject, bad.message, bad.status, keys=[traject.stage_id])
    seen_id = stage_seen.pk if stage_seen is not None else None
    asks_reason = bool(
        stage is not None
        and stage.outcome_on_entry
        and stage.pk != traject.stage_id
        and seen_id == traject.stage_id
        and stage.active
        and stage_fits(stage.pk, traject.business_type_id)
    )
    if asks_reason and _no_reasons(stage) and reason_required(traject):
        message = _(
            "Niet verplaatst: er zijn geen %(outcome)s-redenen ingesteld, en Sales Select vraagt "
            "er een. Een key-user voegt ze toe onder Instellingen."
        ) % {"outcome": stage.get_outcome_on_entry_display().lower()}
        return _refusal(request, traject, message, 422)
    if asks_reason and request.POST.get("bevestigd") != "1" and not _no_reasons(stage):
        return _reason_dialog(request, traject, stage, stage_seen)
    before = traject
    try:
        moved = traject_stage_move(
            traject=traject, stage=stage, stage_seen=stage_seen, by=request.user, reason=reason
        )
    except Traject.DoesNotExist as gone:
        raise Http404 from gone
    except StageConflict as conflict:
        message = _("Niet verplaatst: %(why)s De kaart staat nu waar hij werkelijk staat.") % {
            "why": str(conflict)
        }
        return _refusal(request, traject, message, 409, keys=[seen_id, traject.stage_id])
    except ValidationError as error:
        messages_ = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        if "win_loss_reason" in messages_ and asks_reason:
            text = " ".join(messages_["win_loss_reason"])
            return _reason_dialog(request, traject, stage, stage_seen, error=text, status=422)
        text = " ".join(m for found in messages_.values() for m in found)
        return _refusal(request, traject, _("Niet verplaatst: %(why)s") % {"why": text}, 422)
    message = _moved_message(moved)
    if not request.htmx:
        messages.success(request, message)
        return _back_to_board(request, pk)
    placement = _placement(request, moved, keys=[before.stage_id, moved.stage_id])
    undo = _undo_token(request, moved, before) if before.stage_id != moved.stage_id else ""
    return _render_placement(request, placement, traject_id=pk, message=message, undo=undo)


def _no_reasons(stage: Stage) -> bool:
    return not WinLossReason.objects.active().filter(outcome=stage.outcome_on_entry).exists()


@require_POST
@sales_select_required
def card_move_undo(request):
    """ "Ongedaan maken": move the card back, through the same service, within UNDO_SECONDS."""
    try:
        data = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.SignatureExpired:
        data = None
        expired = True
    except signing.BadSignature:
        data, expired = None, False
    if data is None:
        message = (
            _("Ongedaan maken kan niet meer: dat kan tot %(n)s seconden na de verplaatsing.")
            % {"n": UNDO_SECONDS}
            if expired
            else _("Deze link om ongedaan te maken is ongeldig.")
        )
        return _undo_refused(request, message, 409 if expired else 400)
    traject = get_object_or_404(Traject.objects.visible_to(request.user), pk=data["t"])
    if data["u"] != request.user.pk:
        return render(
            request,
            "403.html",
            {"message": _("Alleen wie de kaart verplaatste, kan dat ongedaan maken.")},
            status=403,
        )
    back_to = Stage.objects.filter(pk=data["from"]).first() if data["from"] else None
    reason = WinLossReason.objects.filter(pk=data["r"]).first() if data["r"] else None
    try:
        moved = traject_stage_move(
            traject=traject, stage=back_to, stage_seen=data["to"], by=request.user,
            reason=reason if back_to is not None and back_to.outcome_on_entry else None,
        )  # fmt: skip
    except Traject.DoesNotExist as gone:
        raise Http404 from gone
    except StageConflict as conflict:
        message = _("Niet ongedaan gemaakt: %(why)s") % {"why": str(conflict)}
        return _refusal(request, traject, message, 409, keys=[data["to"]])
    except ValidationError as error:
        text = " ".join(error.messages)
        message = _("Niet ongedaan gemaakt: %(why)s") % {"why": text}
        return _refusal(request, traject, message, 422, keys=[data["to"]])
    message = _("Ongedaan gemaakt: %(moved)s") % {"moved": _moved_message(moved)}
    if not request.htmx:
        messages.success(request, message)
        return _back_to_board(request, traject.pk)
    placement = _placement(request, moved, keys=[data["to"], moved.stage_id])
    return _render_placement(request, placement, traject_id=traject.pk, message=message)


def _undo_refused(request, message: str, status: int):
    if not request.htmx:
        return render(
            request,
            "board/move_refused.html",
            {"message": message, "board_query": request.GET.urlencode()},
            status=status,
        )
    context = {"message": message, "error": True, "headers": [], "traject_id": None}
    return render(request, "board/_move_result.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@sales_select_required
def card_place(request, pk: int):
    """The card where it really is, and its column's header (the reason dialog's "Annuleren":
    the card goes back, nothing saved)."""
    traject = get_object_or_404(Traject.objects.visible_to(request.user), pk=pk)
    if not request.htmx:
        return _back_to_board(request, pk)
    placement = _placement(request, traject, keys=[])
    stage = _("Geen stage")
    if placement.card is not None and placement.card.traject.stage is not None:
        stage = placement.card.traject.stage.name
    message = _("Niet verplaatst: “%(subject)s” staat nog in %(stage)s.") % {
        "subject": traject.subject,
        "stage": stage,
    }
    return _render_placement(request, placement, traject_id=traject.pk, message=message)
