"""The board's filters: the trajects overview's own filter, restricted to the board's criteria.

Accountmanager (beheerder), source, keyword and expected-close month × year mean exactly what
they mean in the overview (DESIGN rules 2 and 4), with one difference: the board opens on all
dates. Bad values are dropped and reported in `notices`, as in the overview.
"""

from django.http import QueryDict
from django.utils import timezone

from trajects.filters import OverviewFilter

# The query parameters the board reads; the overview understands all of them too.
BOARD_KEYS = ("accountmanager", "source", "keyword", "month", "year")
# The board's own criterion: only cards past their stage's "dagen tot stilstand".
STALE_KEY = "stilstaand"
DATE_KEYS = ("month", "year")


class BoardFilter(OverviewFilter):
    """OverviewFilter over the board's criteria only; all dates unless month or year is chosen."""

    def __init__(self, data, queryset, *, request, thresholds, today=None):
        board = QueryDict(mutable=True)
        for key in BOARD_KEYS:
            values = data.getlist(key)
            if values:
                board.setlist(key, values)
        if not any(key in board for key in DATE_KEYS):
            board["dates"] = "1"  # the overview's "all dates"; the board's default
        # Anything but "1" is no choice (a garbage value shows every card, as unchecked).
        self.stale_only = data.get(STALE_KEY) == "1"
        super().__init__(board, queryset, request=request, thresholds=thresholds, today=today)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.stale(self.today) if self.stale_only else queryset

    @property
    def source_options(self):
        return self.options("source")

    @property
    def chosen_dates(self) -> bool:
        return bool(self.chosen("month") or self.chosen("year"))

    @property
    def dates_label(self) -> str:
        """The chosen months × years in words: 'maart, april 2027'."""
        months = [label for _value, label, on in self.month_options if on]
        years = [label for _value, label, on in self.year_options if on]
        return " ".join(part for part in (", ".join(months), ", ".join(years)) if part)

    def query(self) -> QueryDict:
        """The board's criteria as they were accepted (for links that keep the selection)."""
        query = QueryDict(mutable=True)
        for key in BOARD_KEYS:
            if key == "keyword":
                keyword = (self.form.cleaned_data.get("keyword") or "").strip()
                values = [keyword] if keyword else []
            else:
                values = sorted(self.chosen(key), key=lambda value: (len(value), value))
            if values:
                query.setlist(key, values)
        if self.stale_only:
            query[STALE_KEY] = "1"
        return query

    def overview_query(self, business_type_id: int) -> QueryDict:
        """The same selection for the trajects overview: its business type, and all dates
        unless a month or year is chosen (the overview opens on the current month)."""
        query = self.query()
        query.pop(STALE_KEY, None)  # the overview has no such criterion
        query["business_type"] = str(business_type_id)
        if not any(key in query for key in DATE_KEYS):
            query["dates"] = "1"
        return query


def board_query_from_overview(params: QueryDict, today=None) -> QueryDict:
    """The overview's selection as a board query: the board's criteria, the first business
    type, and the overview's current month when it has no date choice (its default)."""
    query = QueryDict(mutable=True)
    for key in BOARD_KEYS:
        values = params.getlist(key)
        if values:
            query.setlist(key, values[:50])
    business_types = params.getlist("business_type")
    if business_types:
        query["business_type"] = business_types[0]
    if not any(key in params for key in ("month", "year", "dates")):
        today = today or timezone.localdate()
        query["month"], query["year"] = str(today.month), str(today.year)
    return query
