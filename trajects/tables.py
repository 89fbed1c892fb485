"""The trajects overview's table (django-tables2): its columns, their order and formatting.

The amounts are the annotated shares (`share_value`, `share_weighted`, see
TrajectQuerySet.with_share_for); every sortable column ends its ordering on the id so pages
never overlap.
"""

import copy
import datetime
import html
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format, get_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRows

from salesmodule.amounts import euro as amount_euro
from salesmodule.querystring import Requery
from settings_app.models import ClientSettings
from settings_app.roles import person_name

from . import indicators
from .badges import remaining_days_html
from .indicators import traject_remaining_days
from .models import Traject, accountmanager_names_of

DEFAULT_COLUMNS = [
    "subject",
    "relation",
    "type",
    "expected_close",
    "remaining_days",
    "probability",
    "value",
    "weighted",
    "visits",
    "accountmanagers",
]
DEFAULT_SORT = "-expected_close"
# The fields of a column whose name is not the field it shows (see TrajectTable.fields).
FIELDS = {
    "visits": ["visit_count"],
    "value": [],
    "weighted": [],
    "accountmanagers": [],
    "remaining_days": ["expected_close", "closed_at"],
}
# Which related rows a visible column needs (select_related / prefetch_related).
RELATED = {
    "relation": "relation",
    "contact": "contact",
    "type": "type",
    "business_type": "business_type",
    "stage": "stage",
    "source": "source",
    "lead_by": "lead_by",
}


def esc(value) -> str:
    """conditional_escape without the lazy-string checks: this runs for every cell and option."""
    if isinstance(value, SafeData):
        return value
    return html.escape(str(value))


def euro(amount) -> str:
    """Whole euros in the active locale: '€ 99.303' (nl), '€ 99,303' (en); '' when unknown."""
    return amount_euro(amount)


def percent(value) -> str:
    """A kans in whole percents: '44%'; '' when there is none."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def short_date(value) -> str:
    """The locale's SHORT_DATE_FORMAT, as date_format writes it: '24-11-2026' (nl)."""
    if not value:
        return ""
    template = _date_template(get_format("SHORT_DATE_FORMAT"))
    return template.format(value) if template else date_format(value, "SHORT_DATE_FORMAT")


# Date format characters as str.format fields of a date (django.utils.dateformat's meaning).
_DATE_FIELDS = {"d": "{0.day:02}", "j": "{0.day}", "m": "{0.month:02}", "n": "{0.month}",
                "Y": "{0.year:04}"}  # fmt: skip


@cache
def _date_template(date_format_string: str) -> str | None:
    """'d-m-Y' → '{0.day:02}-{0.month:02}-{0.year}'; None for what only dateformat knows."""
    parts = []
    for char in date_format_string:
        if char in _DATE_FIELDS:
            parts.append(_DATE_FIELDS[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            parts.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


class Column(tables.Column):
    """A column whose copy for each table is shallow.

    django-tables2 deep-copies every column for each table it makes; ours keep no state that
    a table changes in place (it sets attributes, which a shallow copy keeps apart), and the
    deep copy of sixteen columns with their lazy labels is a millisecond of every page.
    """

    def __deepcopy__(self, memo):
        return copy.copy(self)


class MoneyColumn(Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return euro(value)


class TrajectTable(tables.Table):
    subject = Column(_("Onderwerp"), order_by=("subject", "id"), attrs={"td": {"class": "wide"}})
    relation = Column(_("Relatie"), order_by=("relation__name_normalised", "id"))
    contact = Column(_("Contactpersoon"), order_by=("contact__last_name", "id"))
    type = Column(_("Type"), order_by=("type__order", "type__name", "id"))
    business_type = Column(_("Business"), order_by=("business_type__order", "id"))
    stage = Column(_("Stage"), order_by=("stage__order", "stage__name", "id"))
    source = Column(_("Bron"), order_by=("source__name", "id"))
    expected_close = Column(
        _("Sluiting verwacht"), order_by=("expected_close", "id"), attrs={"td": {"class": "date"}}
    )
    # The remaining-days indicator (issue 13): sorted as the expected close it counts down to.
    remaining_days = Column(
        _("Resterende dagen"), accessor="expected_close", order_by=("expected_close", "id"),
        attrs={"td": {"class": "remaining-cell"}},
    )  # fmt: skip
    lead_date = Column(
        _("Lead datum"), order_by=("lead_date", "id"), attrs={"td": {"class": "date"}}
    )
    first_visit_on = Column(
        _("Datum 1e bezoek"), order_by=("first_visit_on", "id"), attrs={"td": {"class": "date"}}
    )
    probability = Column(
        _("Kans"),
        order_by=("probability", "id"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    value = MoneyColumn(_("Waarde"), accessor="share_value", order_by=("share_value", "id"))
    weighted = MoneyColumn(
        _("Gewogen"), accessor="share_weighted", order_by=("share_weighted", "id")
    )
    visits = Column(
        _("Bezoeken"), accessor="visit_count", order_by=("visit_count", "id"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )  # fmt: skip
    accountmanagers = Column(
        _("Accountmanager(s)"), accessor="pk", orderable=False, empty_values=()
    )
    lead_by = Column(_("Lead door"), order_by=("lead_by__first_name", "lead_by__last_name", "id"))

    class Meta:
        model = Traject
        fields = ()
        template_name = "trajects/_table.html"
        order_by_field = "sort"
        empty_text = _("Geen trajecten.")

    def __init__(
        self,
        data,
        *,
        columns: list[str],
        query: QueryDict | None = None,
        today: datetime.date | None = None,
        client_settings=None,
        **kwargs,
    ):
        self.chosen = columns
        self.query = query if query is not None else QueryDict()
        # What the remaining-days column counts from, read once for the page (not per row).
        self.today = today
        self.client_settings = client_settings
        exclude = [name for name in self.base_columns if name not in columns]
        super().__init__(data, sequence=columns, exclude=exclude, **kwargs)

    @classmethod
    def column_choices(cls) -> list[tuple[str, str]]:
        return [(name, str(column.verbose_name)) for name, column in cls.base_columns.items()]

    @classmethod
    def sort_choices(cls) -> set[str]:
        names = {name for name, column in cls.base_columns.items() if column.orderable is not False}
        return names | {f"-{name}" for name in names}

    # Unknown amounts and dates go last whichever way the column is sorted.
    def _nulls_last(self, queryset, field: str, descending: bool):
        ordering = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return queryset.order_by(ordering, "-id" if descending else "id"), True

    def order_value(self, queryset, is_descending):
        return self._nulls_last(queryset, "share_value", is_descending)

    def order_weighted(self, queryset, is_descending):
        return self._nulls_last(queryset, "share_weighted", is_descending)

    def order_first_visit_on(self, queryset, is_descending):
        return self._nulls_last(queryset, "first_visit_on", is_descending)

    def related(self) -> tuple[list[str], bool]:
        """(select_related names, whether to prefetch accountmanagers) for the shown columns."""
        return (
            [RELATED[name] for name in self.chosen if name in RELATED],
            "accountmanagers" in self.chosen,
        )

    def fields(self) -> list[str]:
        """The traject's own fields the shown columns read (their related rows come whole): the
        page loads only these. Amounts and names are annotations, not fields."""
        return [field for name in self.chosen for field in FIELDS.get(name, [name])]

    def head(self) -> list[str]:
        """The header cells as HTML, with the sort links {% querystring sort=… page=None %}
        would write; each column's attributes and ordering are worked out once."""
        # The query without the page; `sort` keeps its place (or goes last).
        links = Requery(self.query, self._meta.order_by_field, in_place=True)
        cells = []
        for column in self.columns:
            css = column.attrs["th"].get("class")
            ordered = column.is_ordered
            alias = column.order_by_alias
            arrow = ""
            th = "<th"
            if css:
                th += f' class="{esc(css)}"'
            if ordered:
                descending = alias.is_descending
                th += f' aria-sort="{"descending" if descending else "ascending"}"'
                arrow = " ↓" if descending else " ↑"
            header = esc(column.header)
            if column.orderable:
                link = links.link(str(alias.next))
                content = (
                    f'<a href="{esc(link)}" data-sort="{esc(column.name)}">{header}{arrow}</a>'
                )
            else:
                content = header
            cells.append(mark_safe(f"{th}>\n    {content}</th>"))  # noqa: S308
        return cells

    def body(self) -> list[str]:
        """The page's rows as HTML, one string per row.

        Rendering the cells here rather than through django-tables2's bound rows and the
        template engine keeps a 100-row page cheap; the columns, their order and their
        sorting are still the table's.
        """
        cells = [
            (self._cell(column.name), column.attrs.get("td", {}).get("class", ""),
             TITLES.get(column.name, _plain_title))
            for column in self.columns
        ]  # fmt: skip
        opening = {css: f'<td class="{css}"' if css else "<td" for _render, css, _t in cells}
        rows = []
        for row in self.page.object_list:
            record = row.record
            # Every value is escaped; conditional_escape keeps the links' safe HTML as it is.
            # Rows are one line; the title holds the whole text of a cell cut short.
            parts = []
            for render, css, title in cells:
                value = esc(render(record))
                hover = title(record, value)
                parts.append(
                    f'{opening[css]} title="{hover}">{value}</td>'
                    if hover
                    else f"{opening[css]}>{value}</td>"
                )
            rows.append(mark_safe("".join(parts)))  # noqa: S308
        return rows

    @property
    def width(self) -> int:
        """How many cells a row has (the empty line spans them)."""
        return len(self.columns)

    def foot(self) -> list[tuple[str, int | str]]:
        """The totals lines' cells, aligned with the columns: ("label", span) for the label
        ("Pagina", "Totaal") over the first run of columns without a total, ("figure", key of
        totals()) under a column with one, ("empty", "") under the others. When every column
        has a total, the label comes first, outside the columns."""
        cells: list[tuple[str, int | str]] = []
        labelled = False
        for column in self.columns:
            key = FOOT.get(column.name)
            if key is not None:
                cells.append(("figure", key))
            elif not labelled:
                labelled = True
                cells.append(("label", 1))
            elif cells[-1][0] == "label":
                cells[-1] = ("label", int(cells[-1][1]) + 1)
            else:
                cells.append(("empty", ""))
        if not labelled:
            cells.insert(0, ("label", 1))
        return cells

    def _cell(self, name: str):
        """How the column shows a record: CELLS, or for the indicator one bound to the page's
        day and the client's thresholds."""
        if name != "remaining_days":
            return CELLS[name]
        today = self.today or indicators.today()
        client_settings = self.client_settings or ClientSettings.load()
        return lambda record: remaining_days_html(
            traject_remaining_days(record, today=today, client_settings=client_settings)
        )


def _relation_link(record):
    """The relation's name, linked to its card (issue 14)."""
    href = f"{_relation_prefix()}{record.relation_id}/"
    return mark_safe(f'<a href="{href}">{esc(record.relation.name)}</a>')  # noqa: S308


@cache
def _relation_prefix() -> str:
    """'/crm/relaties/': the relation card's URL without its id."""
    return reverse("crm:relation_detail", args=[1])[:-2]


def _link(record):
    return mark_safe(f'<a href="{_detail_prefix()}{record.pk}/">{esc(record.subject)}</a>')  # noqa: S308


@cache
def _detail_prefix() -> str:
    """'/sales/': the detail URL without its id, so rows need no reverse() each."""
    return reverse("trajects:detail", args=[0])[:-2]


def _badge(record):
    business = record.business_type
    return format_html(
        '<span class="badge" style="--badge: {}; --badge-text: {}">{}</span>',
        business.colour,
        business.text_colour,
        business,
    )


def _names(record) -> str:
    return ", ".join(accountmanager_names_of(record))


def _plain_title(record, value: str) -> str:
    """A plain cell's title: its own (escaped) text; none for HTML (a badge, a link)."""
    return "" if isinstance(value, SafeData) or not value else value


# The title of a cell whose content is HTML: the text it shows.
TITLES = {
    "subject": lambda t, _value: esc(t.subject),
    "business_type": lambda t, _value: esc(t.business_type),
    "remaining_days": lambda t, _value: "",
}
# Short figures are never cut: no title.
TITLES.update(
    dict.fromkeys(
        ["value", "weighted", "visits", "probability", "expected_close", "lead_date",
         "first_visit_on"],
        lambda t, _value: "",
    )
)  # fmt: skip
# The total each column shows in the Pagina and Totaal lines (keys of totals()).
FOOT = {
    "probability": "avg_probability",
    "value": "value",
    "weighted": "weighted",
    "visits": "visits",
}


# How each column shows a record in the page (escaped by the caller).
CELLS = {
    "subject": _link,
    "relation": lambda t: _relation_link(t),
    "contact": lambda t: str(t.contact) if t.contact_id else "",
    "type": lambda t: t.type.name,
    "business_type": _badge,
    "stage": lambda t: str(t.stage) if t.stage_id else "",
    "source": lambda t: str(t.source) if t.source_id else "",
    "expected_close": lambda t: short_date(t.expected_close),
    "lead_date": lambda t: short_date(t.lead_date),
    "first_visit_on": lambda t: short_date(t.first_visit_on),
    "probability": lambda t: percent(t.probability),
    "value": lambda t: euro(t.share_value),
    "weighted": lambda t: euro(t.share_weighted),
    "visits": lambda t: t.visit_count,
    "accountmanagers": _names,
    "lead_by": lambda t: person_name(t.lead_by),
}


BIGINT_MAX = 2**63 - 1


def _days_left(traject) -> int | None:
    """The export's remaining days: a plain number, negative once the date has passed;
    empty for a won or lost traject (as the badge shows nothing)."""
    if traject.closed_at is not None:
        return None
    return (traject.expected_close - indicators.today()).days


class OverviewPaginator(Paginator):
    """A page whose rows were fetched already (page_rows); the count is the totals' count,
    read when first needed (the pager under the totals line), so the totals may still be on
    their way while the table is rendered (salesmodule.ahead)."""

    def __init__(self, object_list, per_page, *, totals, records, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._totals = totals
        self._records = records

    @cached_property
    def count(self):
        return self._totals["count"]

    def page(self, number):
        return self._get_page(BoundRows(self._records, table=self.object_list.table), number, self)


def page_rows(ordered, rows, number: int, per_page: int) -> list:
    """Page `number` of the filtered, sorted queryset `ordered`, in one query.

    The page's ids come from `ordered` in a subquery (an index-only scan for the usual sorts);
    the outer query reads those rows from `rows` (their related rows, the shown fields) in the
    same order, with the page's totals over them (with_page_totals): the filters are not
    repeated on the rows a page shows. No rows past the last page.
    """
    ordering = ordered.query.order_by or ordered.model._meta.ordering
    bottom = (number - 1) * per_page
    if bottom + per_page > BIGINT_MAX:  # no such page, and OFFSET would overflow
        return []
    page_ids = ordered.values("pk")[bottom : bottom + per_page]
    return list(rows.filter(pk__in=page_ids).order_by(*ordering).with_page_totals())


# The plain value of each column, for the exports (amounts as Decimals, dates as dates).
EXPORT_VALUES = {
    "subject": lambda t: t.subject,
    "relation": lambda t: t.relation.name,
    "contact": lambda t: str(t.contact) if t.contact_id else "",
    "type": lambda t: t.type.name,
    "business_type": lambda t: str(t.business_type),
    "stage": lambda t: str(t.stage) if t.stage_id else "",
    "source": lambda t: str(t.source) if t.source_id else "",
    "expected_close": lambda t: t.expected_close,
    "remaining_days": lambda t: _days_left(t),
    "lead_date": lambda t: t.lead_date,
    "first_visit_on": lambda t: t.first_visit_on,
    "probability": lambda t: t.probability,
    "value": lambda t: t.share_value,
    "weighted": lambda t: t.share_weighted,
    "visits": lambda t: t.visit_count,
    "accountmanagers": _names,
    "lead_by": lambda t: person_name(t.lead_by),
}
