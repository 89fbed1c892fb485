"""The board's read side: one business type's stages as columns, open trajects as cards.

A fixed number of queries, whatever the number of columns or cards (issue 13, point 10):
- the business types (the tabs) with whether the user has open trajects in each and whether
  each has stages, in one query;
- the chosen business type's stages (the columns);
- the column headers: count, waarde and omzet of every column, one GROUP BY over the whole
  filtered board (point 3), never a sum of the loaded cards;
- the first CARDS_PER_COLUMN card ids of every column, one UNION ALL of one index-friendly
  "business type + open + stage, ordered by expected close" query per column;
- those cards' rows, with relation, stage, shares and accountmanager names.

The moves (wt-moves) re-render a column's header with `column_header_html`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.models import Relation
from salesmodule.amounts import cents_to_euros
from salesmodule.ids import parse_id
from settings_app.models import BusinessType, Outcome, Stage, TrajectType, WinLossReason
from settings_app.roles import client_settings_of, person_label, roles_of
from trajects.models import (
    ACCOUNTMANAGER_NAMES,
    Traject,
    TrajectAccountmanager,
    accountmanager_names_of,
    share_cents,
)

from .closed import TOGGLE, closed_attach
from .filters import BoardFilter

CARDS_PER_COLUMN = 50
# The key of the "Geen stage" column in URLs, DOM ids and header sums (stage ids are > 0).
NO_STAGE = 0
NO_STAGE_PARAM = "geen"


@dataclass
class Column:
    """One column: a stage of the business type, or "Geen stage" (stage None)."""

    stage: Stage | None
    count: int = 0
    value: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")
    cards: list = field(default_factory=list)
    # Outcome columns: how many closed into this stage in the last 30 days (board.closed).
    closed_count: int | None = None
    # With "Toon gewonnen/verloren": how many of them the column shows (the newest, at most 50).
    closed_shown: int = 0

    @property
    def key(self) -> int:
        return self.stage.pk if self.stage is not None else NO_STAGE

    @property
    def param(self) -> str:
        """The column in a URL: the stage id, or 'geen'."""
        return str(self.stage.pk) if self.stage is not None else NO_STAGE_PARAM

    @property
    def name(self) -> str:
        return self.stage.name if self.stage is not None else str(_("Geen stage"))

    @property
    def dom_id(self) -> str:
        return f"kolom-{self.param}"

    @property
    def outcome(self) -> str:
        return self.stage.outcome_on_entry if self.stage is not None else ""

    @property
    def has_more(self) -> bool:
        return self.count > len(self.cards)

    @property
    def last_card(self):
        return self.cards[-1] if self.cards else None


def reasons_missing() -> list[str]:
    """The outcomes (won, lost) for which no active won/lost reason is configured."""
    found = set(
        WinLossReason.objects.active().order_by().values_list("outcome", flat=True).distinct()
    )
    return [outcome for outcome in (Outcome.WON, Outcome.LOST) if outcome not in found]


def open_type_ids() -> list[int]:
    """The types that mean open (Prospect and the like): the board shows only these."""
    return list(TrajectType.objects.filter(outcome=Outcome.OPEN).values_list("pk", flat=True))


def open_of(business_type_id: int, type_ids: list[int], trajects=None):
    """The open, not deleted leads and trajects of the business type."""
    return (trajects if trajects is not None else Traject.objects).filter(
        # closed_at is empty exactly when the type is open (the closing rules keep it so): the
        # condition of the board's partial indexes, which hold open trajects only.
        business_type_id=business_type_id,
        type_id__in=type_ids,
        closed_at__isnull=True,
        deleted_at__isnull=True,
    )


def open_trajects(user, business_type_id: int, type_ids: list[int]):
    """Every open lead and traject of the business type the user may see (not won, lost or
    deleted; a beheerder's view includes the unassigned pool leads)."""
    return open_of(business_type_id, type_ids, Traject.objects.visible_to(user))


def business_type_tabs(user, type_ids: list[int]) -> list[BusinessType]:
    """The active business types, each annotated with has_open (the user has open trajects in
    it) and has_stages (an active stage is linked to it), in their configured order."""
    mine = Traject.objects.visible_to(user).filter(
        business_type_id=OuterRef("pk"), type_id__in=type_ids
    )
    stages = Stage.objects.active().filter(business_types=OuterRef("pk"))
    return list(
        BusinessType.objects.active()
        .annotate(has_open=Exists(mine), has_stages=Exists(stages))
        .order_by("order", "pk")
    )


def default_tab(tabs: list[BusinessType]) -> BusinessType | None:
    """The first business type the user has open trajects in, else the first with stages."""
    return (
        next((tab for tab in tabs if tab.has_open), None)
        or next((tab for tab in tabs if tab.has_stages), None)
        or (tabs[0] if tabs else None)
    )


def stages_of(business_type_id: int) -> list[Stage]:
    """The business type's active stages: the board's columns, in their configured order."""
    return list(
        Stage.objects.active().filter(business_types=business_type_id).order_by("order", "pk")
    )


def column_q(key: int, column_ids: list[int]) -> Q:
    """The cards of one column: its stage; for "Geen stage" no stage, or a stage that is
    inactive or not linked to the business type (shown there, marked, never dropped)."""
    if key != NO_STAGE:
        return Q(stage_id=key)
    return Q(stage__isnull=True) | ~Q(stage_id__in=column_ids)


def column_key_expression(column_ids: list[int]):
    """Each row's column as a number: its stage id when that is a column, else NO_STAGE."""
    return Case(
        When(stage_id__in=column_ids, then="stage_id"),
        default=Value(NO_STAGE),
        output_field=IntegerField(),
    )


def column_sums(queryset, column_ids: list[int], keys=None) -> dict[int, dict]:
    """{column key: {count, value, weighted}} over the whole filtered queryset, by the database.

    The amounts are the shares when the board is seen per accountmanager (with_share_for on
    the queryset), exact to the cent (DESIGN rules 3 and 4)."""
    if keys is not None:
        # Only these columns' headers (a move's two, one header): their index ranges alone.
        if not keys:
            return {}
        stages = sorted(key for key in keys if key != NO_STAGE)
        # One IN: an index-only scan of the stages' ranges (an OR of them becomes a bitmap).
        wanted = Q(stage_id__in=stages) if stages else Q(pk__in=[])
        if NO_STAGE in keys:
            wanted |= column_q(NO_STAGE, column_ids)
        queryset = queryset.filter(wanted)
    # Summed in whole cents: integer sums, a third of the time of numeric ones over a column of
    # 50,000 open trajects, and exact by construction.
    value, weighted = queryset.share_cents()
    rows = (
        queryset.order_by()
        .annotate(board_column=column_key_expression(column_ids))
        .values("board_column")
        .annotate(
            n=Count("pk"),
            value_cents=Coalesce(Sum(value), 0, output_field=BigIntegerField()),
            weighted_cents=Coalesce(Sum(weighted), 0, output_field=BigIntegerField()),
        )
    )
    return {
        row["board_column"]: {
            "count": row["n"],
            "value": cents_to_euros(row["value_cents"]),
            "weighted": cents_to_euros(row["weighted_cents"]),
        }
        for row in rows
    }


def own_sums(rows, column_ids: list[int]) -> dict[int, dict]:
    """column_sums over rows already fetched: (pk, stage id, value cents, weighted cents)."""
    known = set(column_ids)
    sums: dict[int, list[int]] = {}
    for _pk, stage_id, value, weighted in rows:
        figures = sums.setdefault(stage_id if stage_id in known else NO_STAGE, [0, 0, 0])
        figures[0] += 1
        figures[1] += value or 0
        figures[2] += weighted or 0
    return {
        key: {"count": n, "value": cents_to_euros(value), "weighted": cents_to_euros(weighted)}
        for key, (n, value, weighted) in sums.items()
    }


def ordered(queryset):
    """Cards by expected close, soonest first; the id breaks ties (a stable keyset)."""
    return queryset.order_by("expected_close", "pk")


def first_card_ids(queryset, column_ids: list[int], keys: list[int], limit: int) -> dict:
    """{column key: [ids]}: the first `limit` cards of every column, in one query.

    One "WHERE stage … ORDER BY expected_close, id LIMIT n" per column, glued with UNION ALL
    (each part reads its stretch of an index on its own); Django cannot slice the parts of a
    union on SQLite, so the SQL is put together here from the parts Django compiled."""
    if not keys:
        return {}
    parts, params = [], []
    for key in keys:
        part = ordered(queryset.filter(column_q(key, column_ids))).values_list("pk")[:limit]
        try:
            sql, part_params = part.query.sql_with_params()
        except EmptyResultSet:  # a queryset that can match nothing (none())
            continue
        # The key is a number; the part is Django's own SQL with its parameters apart.
        parts.append(f"SELECT {int(key)} AS board_column, part.* FROM ({sql}) part")  # noqa: S608
        params.extend(part_params)
    found: dict[int, list[int]] = {key: [] for key in keys}
    if not parts:
        return found
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for key, pk in cursor.fetchall():
            found[key].append(pk)
    return found


# The columns of a card's row (templates/board/_card.html, board.render); the share annotations
# read value, probability and accountmanager count in SQL.
CARD_COLUMNS = (
    "pk",
    "subject",
    "relation_id",
    "stage_id",
    "converted_at",
    "probability",
    "expected_close",
    "closed_at",
    "closed_from_stage_id",
    "stage_changed_at",
    "version",
    "share_value",
    "share_weighted",
)


class CardRow:
    """What a card shows of one traject, as plain attributes: a board page builds some 350 of
    these, and a model instance (with its deferred fields and its stage) cost several times
    what the card's markup does. `stage` is the Stage, shared by every card in it."""

    __slots__ = (*CARD_COLUMNS, "stage", "relation_name", ACCOUNTMANAGER_NAMES)

    def __init__(self, values, stage, relation_name: str, names: list[str]):
        for name, value in zip(CARD_COLUMNS, values, strict=True):
            setattr(self, name, value)
        self.stage = stage
        self.relation_name = relation_name
        setattr(self, ACCOUNTMANAGER_NAMES, names)

    @property
    def is_lead(self) -> bool:
        return self.converted_at is None


def card_rows(ids, share_users) -> list[CardRow]:
    """The cards' rows by id, with what a card shows; in the order of `ids`.

    Four small queries rather than one: the stages, the relations' names and the
    accountmanagers' names are read apart. Joined in, the planner hashes every relation and
    runs a subquery per row for the names: 13 ms for an accountmanager's 316 cards at
    1,000,000 trajects, against about 6 ms for the four.
    """
    if not ids:
        return []
    rows = list(
        Traject.objects.filter(pk__in=ids)
        .with_share_for(share_users, only_theirs=False)
        .order_by()
        .values_list(*CARD_COLUMNS)
    )
    stages = Stage.objects.in_bulk()  # a handful: every stage, active or not
    relations = dict(
        Relation.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "name")
    )
    names: dict[int, list[str]] = {row[0]: [] for row in rows}
    links = (
        TrajectAccountmanager.objects.filter(traject_id__in=names)
        .order_by("user__first_name", "user__last_name", "user__username")
        .values_list("traject_id", person_label("user__"))
    )
    for traject_id, name in links:
        names[traject_id].append(name)
    by_id = {
        row[0]: CardRow(row, stages.get(row[3]), relations[row[2]], names[row[0]]) for row in rows
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def initials(name: str) -> str:
    """'Jan de Vries' → 'JV', 'jdevries' → 'J': the first letters of the first and last word."""
    words = name.split()
    if not words:
        return ""
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@dataclass
class Card:
    """What a card shows of one traject (templates/board/_card.html)."""

    traject: CardRow
    column_ids: frozenset
    # A won or lost card shown by "Toon gewonnen/verloren", and the stage it closed from.
    closed: bool = False
    closed_from: str = ""

    @property
    def pk(self):
        return self.traject.pk

    @property
    def stage_id(self):
        return self.traject.stage_id

    @property
    def misplaced(self) -> str:
        """Why a card with a stage sits in "Geen stage": its stage is inactive or not linked to
        the business type; '' when it is where its stage says."""
        stage = self.traject.stage
        if stage is None:
            return ""
        if not stage.active:
            return "inactive"
        if stage.pk not in self.column_ids:
            return "unlinked"
        return ""

    @property
    def column_key(self) -> int:
        """The key of the column the card sits in (NO_STAGE for none or a misplaced stage)."""
        stage_id = self.traject.stage_id
        return stage_id if stage_id is not None and not self.misplaced else NO_STAGE

    @cached_property
    def names(self) -> list[str]:
        return accountmanager_names_of(self.traject)

    @property
    def initials(self) -> list[tuple[str, str]]:
        return [(initials(name), name) for name in self.names]


def _cards(rows, column_ids) -> list[Card]:
    frozen = frozenset(column_ids)
    return [Card(traject=row, column_ids=frozen) for row in rows]


@dataclass
class Board:
    """Everything one board page shows."""

    tabs: list[BusinessType]
    business_type: BusinessType | None
    filterset: BoardFilter | None = None
    columns: list[Column] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # The outcomes (won, lost) without an active reason: the board says so on their columns
    # and offers no move into them (issue 13, point 6).
    reasons_missing: list[str] = field(default_factory=list)
    show_closed: bool = False

    @property
    def configured(self) -> bool:
        """Some business type has stages: else the board explains what is missing."""
        return any(tab.has_stages for tab in self.tabs)

    @property
    def column_ids(self) -> list[int]:
        return [column.stage.pk for column in self.columns if column.stage is not None]

    @property
    def share_users(self) -> list:
        return self.filterset.share_users if self.filterset is not None else []

    @cached_property
    def path(self) -> str:
        """This board's own address: business type, filters and toggle (where a column's "+"
        returns after the new lead is saved, also when a move's answer renders the header)."""
        query = self.filterset.query() if self.filterset is not None else QueryDict(mutable=True)
        if self.business_type is not None:
            query["business_type"] = str(self.business_type.pk)
        if self.show_closed:
            query[TOGGLE] = "1"
        return f"{reverse('board:index')}?{query.urlencode()}"

    @property
    def queryset(self):
        return self.filterset.qs


def chosen_business_type(request, tabs: list[BusinessType], notices: list[str]):
    """The business type of ?business_type=, else the default tab; a wrong one is reported."""
    raw = request.GET.get("business_type", "")
    if raw:
        wanted = parse_id(raw)
        chosen = next((tab for tab in tabs if tab.pk == wanted), None)
        if chosen is not None:
            return chosen
        notices.append(
            str(_("Business “%(value)s” bestaat niet; het standaardbord wordt getoond."))
            % {"value": raw[:40]}
        )
    return default_tab(tabs)


def is_own_board(request, filterset: BoardFilter) -> bool:
    """An accountmanager's own board: his share, and he is no beheerder."""
    share_ids = [getattr(user, "pk", user) for user in filterset.share_users]
    return not roles_of(request.user).beheerder and share_ids == [request.user.pk]


def board_filter(request, business_type: BusinessType, type_ids: list[int]) -> BoardFilter:
    """The board's filters over the business type's open trajects the user may see."""
    base = open_trajects(request.user, business_type.pk, type_ids)
    client = client_settings_of(request.user)
    filterset = BoardFilter(request.GET, base, request=request, thresholds=client.thresholds)
    if is_own_board(request, filterset):
        # For an accountmanager visible_to means "not deleted and his", and the filter's share
        # already says "his": asked twice, the planner misjudges the rows and probes every
        # traject he was ever on, 5-8× slower. open_of excludes the deleted ones.
        filterset.queryset = open_of(business_type.pk, type_ids)
    return filterset


def board_build(request, *, cards: bool = True, headers=None) -> Board:
    """The board of this request's user and URL: tabs, columns, headers and first cards.

    `headers`: the stage ids (None or NO_STAGE for "Geen stage") whose column headers are
    needed; None for all. The more-cards fragment needs none, a move only two: the headers'
    sums are the board's one query that reads every open traject of the business type."""
    notices: list[str] = []
    type_ids = open_type_ids()
    tabs = business_type_tabs(request.user, type_ids)
    board = Board(tabs=tabs, business_type=None, notices=notices)
    if not board.configured:
        return board
    business_type = chosen_business_type(request, tabs, notices)
    board.business_type = business_type
    filterset = board_filter(request, business_type, type_ids)
    board.filterset = filterset
    notices += filterset.notices
    stages = stages_of(business_type.pk)
    board.columns = [Column(stage=None), *(Column(stage=stage) for stage in stages)]
    if any(stage.outcome_on_entry for stage in stages):
        board.reasons_missing = reasons_missing()
    column_ids = board.column_ids
    queryset = filterset.qs
    keys = None
    if headers is not None:
        keys = {key if key in column_ids else NO_STAGE for key in headers}
    own = None
    if cards and headers is None and is_own_board(request, filterset):
        # An accountmanager's own board: a few hundred of his trajects. They are found once,
        # in one query, by expected close; the columns' first cards are taken from that list
        # and the headers summed over exactly those rows (board_filter based it on open_of).
        # Each row carries his share in whole cents, so the headers are summed over exactly
        # those rows here: no second query, and no IN of a thousand ids to build.
        value, weighted = share_cents((request.user.pk,))
        own = list(
            ordered(queryset)
            .annotate(board_value=value, board_weighted=weighted)
            .values_list("pk", "stage_id", "board_value", "board_weighted")
        )
        sums = own_sums(own, column_ids)
    else:
        sums = column_sums(queryset, column_ids, keys)
    for column in board.columns:
        for name, figure in sums.get(column.key, {}).items():
            setattr(column, name, figure)
    if not cards:
        if keys is not None and not keys:
            return board  # no header asked for (more cards): no closed counts either
        closed_attach(request, board, cards=False, card_rows=card_rows, card_class=Card,
                      limit=CARDS_PER_COLUMN)  # fmt: skip
        return board
    # Only columns with cards are asked for them (an empty one costs nothing).
    keys = [column.key for column in board.columns if column.count]
    if own is not None:
        ids = {key: [] for key in keys}
        for pk, stage_id, _value, _weighted in own:
            column = ids.get(stage_id if stage_id in column_ids else NO_STAGE)
            if column is not None and len(column) < CARDS_PER_COLUMN:
                column.append(pk)
    else:
        ids = first_card_ids(queryset, column_ids, keys, CARDS_PER_COLUMN)
    rows = card_rows([pk for key in keys for pk in ids[key]], filterset.share_users)
    by_id = {row.pk: row for row in rows}
    for column in board.columns:
        column.cards = _cards(
            [by_id[pk] for pk in ids.get(column.key, []) if pk in by_id], column_ids
        )
    closed_attach(request, board, cards=True, card_rows=card_rows, card_class=Card,
                  limit=CARDS_PER_COLUMN)  # fmt: skip
    return board


def parse_column(raw: str, board: Board) -> Column | None:
    """The column a URL names ('geen' or a stage id of this board), else None."""
    if raw == NO_STAGE_PARAM:
        return board.columns[0] if board.columns else None
    wanted = parse_id(raw)
    return next((c for c in board.columns if c.stage is not None and c.stage.pk == wanted), None)


def parse_after(raw: str) -> tuple[datetime.date, int] | None:
    """The keyset of ?after=: 'YYYY-MM-DD_id' of the last card shown; None when unreadable."""
    day, _sep, pk = (raw or "").partition("_")
    try:
        when = datetime.date.fromisoformat(day)
    except ValueError:
        return None
    number = parse_id(pk)
    return (when, number) if number else None


def cards_after(board: Board, column: Column, after: tuple[datetime.date, int] | None):
    """The next CARDS_PER_COLUMN cards of one column after the keyset, and whether more follow."""
    queryset = board.queryset.filter(column_q(column.key, board.column_ids))
    if after is not None:
        day, pk = after
        # The enclosing range lets the index start at the keyset; the OR alone scans from the
        # column's first card.
        queryset = queryset.filter(expected_close__gte=day).filter(
            Q(expected_close__gt=day) | Q(expected_close=day, pk__gt=pk)
        )
    ids = list(ordered(queryset).values_list("pk", flat=True)[: CARDS_PER_COLUMN + 1])
    more = len(ids) > CARDS_PER_COLUMN
    rows = card_rows(ids[:CARDS_PER_COLUMN], board.share_users)
    return _cards(rows, board.column_ids), more


def column_header_html(request, board: Board, column: Column, *, oob: bool = False) -> str:
    """The column's header (templates/board/_column_header.html), e.g. after a move; with oob
    as an htmx out-of-band swap of the header already on the page."""
    context = {"board": board, "column": column, "oob": oob}
    return render_to_string("board/_column_header.html", context, request=request)
