"""Won and lost on the board (issue 13, point 6): "Toon gewonnen/verloren".

The open board holds no closed trajects. Each outcome column's header says how many closed into
its stage in the last CLOSED_DAYS days (by `closed_at`, with the board's filters); with the
toggle (?gesloten=1) the column shows those cards too, newest first, each saying the stage it
closed from. A fixed number of queries, whatever the number of columns or cards.
"""

import datetime

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from settings_app.models import Outcome, Stage
from trajects.models import Traject

CLOSED_DAYS = 30
TOGGLE = "gesloten"


def shows_closed(request) -> bool:
    """Whether the board's URL asks for the closed cards (the toggle)."""
    return request.GET.get(TOGGLE) == "1"


def closed_recently(board, stage_ids: list[int], now=None):
    """The trajects the board's user may see that closed (won or lost) into these stages in
    the last CLOSED_DAYS days, filtered as the board is (its own filterset, applied again)."""
    since = (now or timezone.now()) - datetime.timedelta(days=CLOSED_DAYS)
    base = Traject.objects.visible_to(board.filterset.request.user).filter(
        business_type_id=board.business_type.pk,
        stage_id__in=stage_ids,
        type__outcome__in=[Outcome.WON, Outcome.LOST],
        closed_at__gte=since,
    )
    return board.filterset.filter_queryset(base)


def closed_attach(request, board, *, cards: bool, card_rows, card_class, limit: int) -> None:
    """Put the closed counts on the outcome columns and, with the toggle, their cards."""
    columns = {column.stage.pk: column for column in board.columns if column.outcome}
    board.show_closed = shows_closed(request)
    if not columns:
        return
    closed = closed_recently(board, list(columns))
    counts = closed.order_by().values("stage_id").annotate(n=Count("pk"))
    for row in counts:
        columns[row["stage_id"]].closed_count = row["n"]
    for column in columns.values():
        column.closed_count = column.closed_count or 0
    if not (cards and board.show_closed):
        return
    ranked = closed.order_by().annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("stage_id")],
            order_by=[F("closed_at").desc(), F("pk").desc()],
        )
    )
    ids = list(ranked.filter(rank__lte=limit).values_list("pk", flat=True))
    rows = sorted(
        card_rows(ids, board.share_users), key=lambda row: (row.closed_at, row.pk), reverse=True
    )
    names = Stage.objects.in_bulk({row.closed_from_stage_id for row in rows} - {None})
    frozen = frozenset(board.column_ids)
    for row in rows:
        card = card_class(traject=row, column_ids=frozen)
        from_stage = names.get(row.closed_from_stage_id)
        card.closed_from = from_stage.name if from_stage else ""
        card.closed = True
        columns[row.stage_id].cards.append(card)
        columns[row.stage_id].closed_shown += 1
