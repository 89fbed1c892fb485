"""The trajects overview's filter: the date filter on the left, the criteria on the right.

Bad input never fails the page: a value that does not validate is dropped, the rest of its
field is kept, and `notices` says what was ignored or corrected (issue 4, 'Bad input').
"""

from decimal import Decimal
from functools import cache

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.models import Relation
from settings_app.models import BusinessType, Source, Stage, TrajectType
from settings_app.roles import accountmanagers, person_label, person_name, roles_of

from .models import Traject

MONTHS = [
    (1, _("januari")),
    (2, _("februari")),
    (3, _("maart")),
    (4, _("april")),
    (5, _("mei")),
    (6, _("juni")),
    (7, _("juli")),
    (8, _("augustus")),
    (9, _("september")),
    (10, _("oktober")),
    (11, _("november")),
    (12, _("december")),
]
# The month chips' short names (issue 14).
MONTHS_SHORT = [
    _("jan"), _("feb"), _("mrt"), _("apr"), _("mei"), _("jun"),
    _("jul"), _("aug"), _("sep"), _("okt"), _("nov"), _("dec"),
]  # fmt: skip
YEARS_BACK, YEARS_AHEAD = 10, 5
KEYWORD_MAX = 100
VALUES_MAX = 50  # values per criterion; more is not a person choosing
FIRST_VISIT = [
    ("met", _("Met eerste bezoek")),
    ("zonder", _("Zonder eerste bezoek")),
]
DATE_KEYS = ("month", "year", "dates")
CRITERIA = [
    "keyword",
    "relation",
    "accountmanager",
    "type",
    "business_type",
    "price_range",
    "source",
    "stage",
    "lead_by",
    "probability_min",
    "probability_max",
    "first_visit",
]


def price_ranges(thresholds: list[Decimal]) -> list[tuple[Decimal, Decimal | None]]:
    """Half-open ranges from the thresholds: 500,1000 → [0,500), [500,1000), [1000,∞)."""
    bounds = [Decimal(0), *sorted(t for t in thresholds if t > 0)]
    return [(low, bounds[i + 1] if i + 1 < len(bounds) else None) for i, low in enumerate(bounds)]


def price_range_label(low: Decimal, high: Decimal | None) -> str:
    """'€ 500 – 1.000' or '€ 5.000 en meer' in the active locale."""

    def euro(amount):
        return number_format(amount, 0, force_grouping=True)

    if high is None:
        return _("€ %(low)s en meer") % {"low": euro(low)}
    return f"€ {euro(low)} – {euro(high)}"


LISTED = {"type": TrajectType, "business_type": BusinessType, "source": Source, "stage": Stage}


def choice_lists() -> dict[str, list[tuple[str, str, bool]]]:
    """Every criterion's short list and the sales users, in one query: {kind: [(pk, label,
    is accountmanager)]}. Reference data, read fresh for each page (no cache to go stale)."""
    sql, params = _choice_lists_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lists: dict[str, list] = {kind: [] for kind in [*LISTED, "people"]}
    # Lists in their configured order, people by name.
    for kind, pk, label, _rank, flag in sorted(
        rows, key=lambda r: (r[0], r[3], r[2].lower() if r[0] == "people" else "", r[1])
    ):
        lists[kind].append((str(pk), label.strip(), bool(flag)))
    return lists


@cache
def _choice_lists_sql(vendor: str) -> tuple[str, tuple]:
    """The query of choice_lists, compiled once: the ORM takes longer to compile its five
    parts than the database takes to run them. Only the SQL is kept, never the rows."""
    return _choice_lists_query().query.sql_with_params()


def _choice_lists_query() -> QuerySet:
    parts = [
        model.objects.order_by()
        .annotate(
            kind=Value(kind),
            label=Coalesce(NullIf("code", Value("")), "name")
            if model is BusinessType
            else F("name"),
            rank=F("order"),
            flag=Value(False),
        )
        .values_list("kind", "pk", "label", "rank", "flag")
        for kind, model in LISTED.items()
    ]
    people = (
        sales_users()
        .order_by()
        .annotate(
            kind=Value("people"),
            label=person_label(),
            rank=Value(0),
            flag=F("sales_settings__is_accountmanager"),
        )
        .values_list("kind", "pk", "label", "rank", "flag")
    )
    return parts[0].union(*parts[1:], people, all=True)


def sales_users():
    """Users with a Sales Module role: who can be 'lead door'."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(sales_settings__is_accountmanager=True) | Q(sales_settings__is_beheerder=True))
        .order_by("first_name", "last_name", "username")
    )


def lazy_queryset(queryset):
    """A filter's queryset, made when its form field is: django-filter deep-copies the filters
    for every request, and deep-copying a QuerySet copies its whole Query."""
    return lambda request: queryset()


class OverviewFilter(django_filters.FilterSet):
    """Every criterion of the trajects overview; its queryset is already visible_to(user).

    The leads overview's filter (leads.filters) is a subclass: another date field, its own
    criteria, and no date chosen when it opens.
    """

    # The date the month × year filter works on, and the criteria the chips and "Criterium
    # toevoegen" offer (a subclass names its own).
    date_field = "expected_close"
    criteria = CRITERIA
    keyword_name = "keyword"
    checkbox_names = ("type", "business_type", "source", "stage")
    opens_on_current_month = True

    month = django_filters.MultipleChoiceFilter(
        label=_("Maand"), choices=MONTHS, method="filter_nothing"
    )
    year = django_filters.MultipleChoiceFilter(label=_("Jaar"), method="filter_nothing")
    keyword = django_filters.CharFilter(label=_("Trefwoord"), method="filter_keyword")
    relation = django_filters.ModelChoiceFilter(
        label=_("Relatie"), queryset=lazy_queryset(Relation.objects.all), method="filter_nothing"
    )
    accountmanager = django_filters.ModelMultipleChoiceFilter(
        label=_("Accountmanager"),
        queryset=lazy_queryset(lambda: get_user_model().objects.none()),
        method="filter_nothing",
    )
    type = django_filters.ModelMultipleChoiceFilter(
        label=_("Type"), queryset=lazy_queryset(TrajectType.objects.all), distinct=False
    )
    business_type = django_filters.ModelMultipleChoiceFilter(
        label=_("Business"), queryset=lazy_queryset(BusinessType.objects.all), distinct=False
    )
    price_range = django_filters.ChoiceFilter(label=_("Prijs range"), method="filter_price_range")
    source = django_filters.ModelMultipleChoiceFilter(
        label=_("Bron"), queryset=lazy_queryset(Source.objects.all), distinct=False
    )
    stage = django_filters.ModelMultipleChoiceFilter(
        label=_("Stage"), queryset=lazy_queryset(Stage.objects.all), distinct=False
    )
    lead_by = django_filters.ModelMultipleChoiceFilter(
        label=_("Lead door"), queryset=lazy_queryset(sales_users), distinct=False
    )
    probability_min = django_filters.NumberFilter(
        label=_("Kans vanaf"), field_name="probability", lookup_expr="gte", min_value=0,
        max_value=100,
    )  # fmt: skip
    probability_max = django_filters.NumberFilter(
        label=_("Kans tot en met"), field_name="probability", lookup_expr="lte", min_value=0,
        max_value=100,
    )  # fmt: skip
    first_visit = django_filters.ChoiceFilter(
        label=_("Datum 1e bezoek"), choices=FIRST_VISIT, method="filter_first_visit"
    )

    class Meta:
        model = Traject
        fields: list[str] = []

    def __init__(self, data, queryset, *, request, thresholds: list[Decimal], today=None):
        self.user = request.user
        self.roles = roles_of(self.user)
        self.today = today or timezone.localdate()
        self.notices: list[str] = []
        self._chosen: dict[str, set[str]] = {}
        self.ranges = price_ranges(thresholds)
        data = data.copy()
        if self.opens_on_current_month and not any(key in data for key in DATE_KEYS):
            # The overview opens on the current month of the current year (DESIGN rule 2).
            data.setlist("month", [str(self.today.month)])
            data.setlist("year", [str(self.today.year)])
        super().__init__(data, queryset, request=request)
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in self.year_choices()]
        self.filters["accountmanager"].queryset = self.accountmanager_choices()
        self.filters["price_range"].extra["choices"] = [
            (str(index), price_range_label(low, high))
            for index, (low, high) in enumerate(self.ranges)
        ]
        self._correct()

    # -- choices --------------------------------------------------------------------------
    def year_choices(self) -> list[int]:
        return list(range(self.today.year - YEARS_BACK, self.today.year + YEARS_AHEAD + 1))

    def accountmanager_choices(self):
        """Only accountmanagers the user may see: all for a beheerder, himself otherwise."""
        if self.roles.beheerder:
            return accountmanagers()
        if self.roles.accountmanager:
            return accountmanagers().filter(pk=self.user.pk)
        return get_user_model().objects.none()

    # -- correcting bad input -------------------------------------------------------------
    def _correct(self):
        """Drop what does not validate, keep the rest, and say what was ignored."""
        data = self.data
        keyword = data.get(self.keyword_name, "")
        if len(keyword) > KEYWORD_MAX:
            data[self.keyword_name] = keyword[:KEYWORD_MAX]
            self.notices.append(
                _("Het trefwoord is ingekort tot %(n)s tekens.") % {"n": KEYWORD_MAX}
            )
        for name in data:
            values = data.getlist(name)
            if len(values) > VALUES_MAX:
                data.setlist(name, values[:VALUES_MAX])
                self.notices.append(
                    _("Alleen de eerste %(n)s waarden van “%(field)s” zijn gebruikt.")
                    % {"n": VALUES_MAX, "field": name}
                )
        form = self.form
        if form.is_valid():
            self._settle()
            return
        for name in list(form.errors):
            field = form.fields.get(name)
            if field is None:
                continue
            values = data.getlist(name)
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                good = [value for value in values if self._validates(field, [value])]
            else:
                good = []
            data.setlist(name, good)
            for value in values:
                if value not in good:
                    self.notices.append(
                        _("%(field)s “%(value)s” bestaat niet of mag niet; genegeerd.")
                        % {"field": field.label, "value": shorten(value)}
                    )
        del self._form
        self.form.is_valid()
        self._settle()

    @staticmethod
    def _validates(field, value) -> bool:
        try:
            field.clean(value)
        except forms.ValidationError:
            return False
        return True

    def _settle(self):
        """Kans from above kans to: swap them rather than show nothing. An empty selection
        cleans to queryset.none(): make it [], which says the same without the ORM compiling
        a query each time the filters and the page ask whether it is empty."""
        cleaned = self.form.cleaned_data
        for name, value in cleaned.items():
            if isinstance(value, QuerySet) and value.query.is_empty():
                cleaned[name] = []
        low, high = cleaned.get("probability_min"), cleaned.get("probability_max")
        if low is not None and high is not None and low > high:
            cleaned["probability_min"], cleaned["probability_max"] = high, low
            self.notices.append(
                _("Kans vanaf was groter dan kans tot en met; ze zijn omgewisseld.")
            )

    # -- rendering ------------------------------------------------------------------------
    def chosen(self, name: str) -> set[str]:
        """The values of one criterion as strings, after correction."""
        if name not in self._chosen:
            self._chosen[name] = self._values(name)
        return self._chosen[name]

    def _values(self, name: str) -> set[str]:
        value = self.form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            return set()
        if isinstance(value, list | tuple | QuerySet):
            return {str(getattr(item, "pk", item)) for item in value}
        if isinstance(value, Decimal):
            return {str(int(value)) if value == int(value) else str(value)}
        return {str(getattr(value, "pk", value))}

    def options(self, name: str) -> list[tuple[str, str, bool]]:
        """(value, label, selected) for a criterion's choices, cheap to render in a loop."""
        field = self.form.fields[name]
        chosen = self.chosen(name)
        if name in LISTED:
            choices = [(pk, label) for pk, label, _flag in self._lists[name]]
        elif isinstance(field, forms.ModelChoiceField):
            choices = [(str(obj.pk), display_name(obj)) for obj in field.queryset]
        else:
            choices = [(str(value), str(label)) for value, label in field.choices if value != ""]
        return [(value, label, value in chosen) for value, label in choices]

    def active(self) -> list[tuple[str, str, str]]:
        """(name, label, what is chosen) of each criterion in use, for the chips."""
        result = []
        for name in self.criteria:
            chosen = self.chosen(name)
            if not chosen:
                continue
            if name in (self.keyword_name, "probability_min", "probability_max"):
                text = ", ".join(sorted(chosen))
            elif name == "relation":
                text = str(self.chosen_relation)
            else:
                text = ", ".join(label for _value, label, on in self.options(name) if on)
            result.append((name, str(self.form.fields[name].label), text))
        return result

    @property
    def month_options(self):
        return self.options("month")

    @property
    def year_options(self):
        return self.options("year")

    @property
    def month_chips(self) -> list[tuple[str, str, str, bool]]:
        """(value, short name, full name, chosen) of the twelve month toggles."""
        chosen = self.chosen("month")
        return [
            (str(number), str(MONTHS_SHORT[number - 1]), str(name), str(number) in chosen)
            for number, name in MONTHS
        ]

    @property
    def year_chips(self) -> list[tuple[str, bool]]:
        """(year, chosen) of the year toggles: the chosen years with one either side (this
        year when none is chosen), within the years one may choose."""
        allowed = self.year_choices()
        chosen = sorted(int(y) for y in self.chosen("year"))
        if chosen:
            shown = set(chosen) | {chosen[0] - 1, chosen[-1] + 1}
        else:
            shown = {self.today.year - 1, self.today.year, self.today.year + 1}
        return [(str(y), y in chosen) for y in sorted(shown) if y in allowed]

    def year_step(self, step: int) -> list[str] | None:
        """The chosen years moved by `step` (this year's when none is chosen); None past the
        years one may choose."""
        chosen = sorted(int(y) for y in self.chosen("year")) or [self.today.year]
        moved = [y + step for y in chosen]
        allowed = self.year_choices()
        if not all(y in allowed for y in moved):
            return None
        return [str(y) for y in moved]

    @property
    def period_words(self) -> str:
        """The date filter in words: 'nov 2026', 'jan – mrt, nov 2025 en 2026', 'alle data'."""
        months, years = self.months_years()
        return period_words(months, years)

    @cached_property
    def _lists(self) -> dict[str, list[tuple[str, str, bool]]]:
        return choice_lists()

    @property
    def _people(self) -> list[tuple[str, str, bool]]:
        """(pk, name, is accountmanager) of every sales user."""
        return self._lists["people"]

    @property
    def accountmanager_options(self):
        """Only accountmanagers the user may see (the same rule as accountmanager_choices)."""
        chosen = self.chosen("accountmanager")
        if self.roles.beheerder:
            people = [(pk, name) for pk, name, is_am in self._people if is_am]
        elif self.roles.accountmanager:
            people = [(pk, name) for pk, name, _is_am in self._people if pk == str(self.user.pk)]
        else:
            people = []
        return [(pk, name, pk in chosen) for pk, name in people]

    @property
    def price_range_options(self):
        return self.options("price_range")

    @property
    def lead_by_options(self):
        chosen = self.chosen("lead_by")
        return [(pk, name, pk in chosen) for pk, name, _is_am in self._people]

    @property
    def first_visit_options(self):
        return self.options("first_visit")

    @property
    def checkbox_criteria(self):
        """The short lists, shown as checkboxes: (name, label, options)."""
        return [
            (name, self.form.fields[name].label, self.options(name)) for name in self.checkbox_names
        ]

    def pickable_criteria(self) -> list[tuple[str, str]]:
        """(name, label) of the criteria "Criterium toevoegen" offers, in the panel's order."""
        fields = self.form.fields
        labels = {
            name: fields[name].label
            for name in ("type", "business_type", "source", "stage", "price_range", "lead_by")
            if name in self.criteria  # the leads overview has no type
        }
        if self.roles.beheerder or self.roles.accountmanager:
            labels = {"accountmanager": _("Accountmanager"), **labels}
        labels["probability"] = _("Kans")
        if "first_visit" in self.criteria:
            labels["first_visit"] = fields["first_visit"].label
        return [(name, str(label)) for name, label in labels.items()]

    def shown_criteria(self, added: str = "") -> set[str]:
        """The criteria whose control the panel shows: those in use, and the one just added."""
        shown = {name for name in self.criteria if self.chosen(name)}
        if shown & {"probability_min", "probability_max"}:
            shown.add("probability")
        if added in dict(self.pickable_criteria()):
            shown.add(added)
        return shown

    @property
    def has_criteria(self) -> bool:
        return any(
            self.chosen(name)
            for name in self.criteria
            if name not in (self.keyword_name, "relation")
        )

    @property
    def probability_min_value(self):
        return next(iter(self.chosen("probability_min")), "")

    @property
    def probability_max_value(self):
        return next(iter(self.chosen("probability_max")), "")

    @property
    def share_names(self) -> str:
        return ", ".join(display_name(user) for user in self.share_users)

    # -- filtering ------------------------------------------------------------------------
    @property
    def chosen_relation(self) -> Relation | None:
        return self.form.cleaned_data.get("relation")

    @property
    def share_users(self) -> list:
        """Whose share the amounts are (DESIGN rule 4): the chosen accountmanagers, or the
        accountmanager himself in his own overview; nobody (whole amounts) otherwise."""
        chosen = list(self.form.cleaned_data.get("accountmanager") or [])
        if chosen:
            return chosen
        if self.roles.accountmanager and not self.roles.beheerder:
            return [self.user]
        return []

    @property
    def dates_ignored(self) -> bool:
        """A relation filter shows the relation's whole history (manual 4.1.2)."""
        return self.chosen_relation is not None

    def months_years(self) -> tuple[list[int], list[int]]:
        cleaned = self.form.cleaned_data
        months = [int(m) for m in cleaned.get("month") or []]
        years = [int(y) for y in cleaned.get("year") or []]
        return months, years

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        if self.chosen_relation is not None:
            queryset = queryset.filter(relation=self.chosen_relation)
        else:
            queryset = queryset.in_months(*self.months_years(), field=self.date_field)
        for name, value in cleaned.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset.with_share_for(self.share_users)

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied in filter_queryset, where order matters

    def filter_keyword(self, queryset, name, value):
        return queryset.matching(value)

    def filter_price_range(self, queryset, name, value):
        low, high = self.ranges[int(value)]
        return queryset.in_price_range(low, high)

    def filter_first_visit(self, queryset, name, value):
        return queryset.filter(first_visit_on__isnull=value == "zonder")


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _run_words(runs, name) -> list[str]:
    return [
        name(low)
        if low == high
        else f"{name(low)}, {name(high)}"
        if high == low + 1
        else f"{name(low)} – {name(high)}"
        for low, high in runs
    ]


def period_words(months: list[int], years: list[int]) -> str:
    """Months × years as a person says them: 'dec 2026', 'jan – mrt 2026', 'nov, dec 2025 en
    2026', 'mrt, elk jaar', '2026', 'alle data'."""
    months = sorted(set(months))
    month_text = ""
    if months and len(months) < 12:
        month_text = ", ".join(_run_words(_runs(months), lambda m: str(MONTHS_SHORT[m - 1])))
    year_runs = []
    for low, high in _runs(years):  # two years read as "2025 en 2026", not as a range
        year_runs += [(low, low), (high, high)] if high == low + 1 else [(low, high)]
    year_parts = _run_words(year_runs, str)
    if len(year_parts) > 1:
        year_text = _("%(first)s en %(last)s") % {
            "first": ", ".join(year_parts[:-1]),
            "last": year_parts[-1],
        }
    else:
        year_text = "".join(year_parts)
    if not year_text:
        return _("%(months)s, elk jaar") % {"months": month_text} if month_text else _("alle data")
    return f"{month_text} {year_text}" if month_text else year_text


def shorten(value: str, length: int = 40) -> str:
    """A value quoted back to the user, cut to a readable length."""
    return value if len(value) <= length else value[: length - 1] + "…"


def display_name(obj) -> str:
    """How a choice reads: a user by full name, anything else as itself."""
    if hasattr(obj, "get_full_name"):
        return person_name(obj)
    return str(obj)
