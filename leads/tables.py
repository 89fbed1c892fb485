"""The leads overview's table: the trajects overview's (trajects.tables), with the conversion
date, the beheerder's tick boxes for distribution and the totals lines under their columns."""

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trajects.tables import Column, TrajectTable, esc, short_date

DEFAULT_COLUMNS = (
    "subject",
    "relation",
    "lead_date",
    "lead_by",
    "accountmanagers",
    "business_type",
    "source",
    "probability",
    "value",
    "remaining_days",
)
DEFAULT_SORT = "-lead_date"


def _converted(record) -> str:
    if record.converted_at is None:
        return "–"
    return short_date(timezone.localtime(record.converted_at).date())


class LeadTable(TrajectTable):
    # A lead has no first visit yet (DESIGN rule 8).
    first_visit_on = None
    converted_at = Column(
        gettext_lazy("Conversie datum"), order_by=("converted_at", "id"),
        attrs={"td": {"class": "converted"}},
    )  # fmt: skip

    class Meta(TrajectTable.Meta):
        empty_text = gettext_lazy("Geen leads.")

    # Set by the view for a beheerder: a tick box before each lead, these ids ticked.
    selectable = False
    selected: frozenset[int] = frozenset()

    def order_converted_at(self, queryset, is_descending):
        return self._nulls_last(queryset, "converted_at", is_descending)

    def fields(self) -> list[str]:
        """The shown columns' fields, and what a tick box reads (is it still a lead, its name)."""
        return [*super().fields(), "subject", "converted_at"]

    def _cell(self, name: str):
        if name == "converted_at":
            return _converted
        return super()._cell(name)

    def head(self) -> list[str]:
        cells = super().head()
        if self.selectable:
            label = esc(_("Selecteren"))
            th = f'<th class="select"><span class="visually-hidden">{label}</span></th>'
            cells.insert(0, mark_safe(th))  # noqa: S308 - escaped
        return cells

    def body(self) -> list[str]:
        rows = super().body()
        if not self.selectable:
            return rows
        return [
            mark_safe(f'<td class="select">{self._tick(row.record)}</td>{html}')  # noqa: S308
            for row, html in zip(self.page.object_list, rows, strict=True)
        ]

    def _tick(self, record) -> str:
        """The tick box of a lead; a converted one is no longer the beheerder's to hand out."""
        if record.converted_at is not None:
            return ""
        return format_html(
            '<input type="checkbox" name="leads" value="{pk}" form="distribute" id="tick-{pk}" '
            'aria-label="{label}" hx-preserve{checked}>',
            pk=record.pk,
            label=_("Selecteer %(subject)s") % {"subject": record.subject},
            checked=mark_safe(" checked") if record.pk in self.selected else "",
        )

    @property
    def width(self) -> int:
        """How many cells a row has (the empty line spans them)."""
        return super().width + (1 if self.selectable else 0)
