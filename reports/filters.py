"""The reports' filters, read from the URL: period, accountmanagers, business types.

Bad input never fails a page: what does not parse or may not be chosen is dropped, and
`notices` says so (DESIGN rule 12). An accountmanager sees his own share only: an
accountmanager filter from him is ignored.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from salesmodule.ids import parse_id
from settings_app.models import BusinessType
from settings_app.roles import Roles, person_name, roles_of
from trajects.filters import MONTHS_SHORT, shorten

VALUES_MAX = 50  # ids per filter; more is not a person choosing
YEARS_AROUND = 20  # how far from today a period may lie
PERIOD_MAX = 20  # characters of a period worth quoting back
FORECAST_MEASURES = ("waarde", "omzet", "gewonnen", "verloren")


def month_start(day: datetime.date, shift: int = 0) -> datetime.date:
    """The first day of the month `shift` months after day's month."""
    index = day.year * 12 + day.month - 1 + shift
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_label(day: datetime.date) -> str:
    """'jan 2027' in the active language."""
    return f"{MONTHS_SHORT[day.month - 1]} {day.year}"


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The agency's midnight at the start of `day`, aware (closed_at is a moment in time)."""
    tz = timezone.get_current_timezone()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) in days, with the key the URL carries and a label."""

    key: str
    start: datetime.date
    end: datetime.date
    label: str


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    start = datetime.date(year, 3 * quarter - 2, 1)
    label = _("K%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
    return Period(f"{year}-K{quarter}", start, month_start(start, 3), label)


def last_full_quarter(today: datetime.date) -> Period:
    """The quarter before the one today is in."""
    year, quarter = quarter_of(today)
    return quarter_period(year - 1, 4) if quarter == 1 else quarter_period(year, quarter - 1)


_QUARTER = re.compile(r"(\d{4})-[KQ]([1-4])", re.ASCII | re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_YEAR = re.compile(r"(\d{4})", re.ASCII)


def parse_period(text: str, today: datetime.date) -> Period | None:
    """'2026-K3' (or -Q3) a quarter, '2026-07' a month, '2026' a year; None when it is none of
    these or lies more than YEARS_AROUND years from today."""
    text = text.strip()
    year_text = text[:4]
    if not (year_text.isascii() and year_text.isdigit()):
        return None
    if abs(int(year_text) - today.year) > YEARS_AROUND:
        return None
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        period = quarter_period(year, quarter)
    elif match := _MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            return None
        start = datetime.date(year, month, 1)
        period = Period(f"{year}-{month:02d}", start, month_start(start, 1), month_label(start))
    elif match := _YEAR.fullmatch(text):
        year = int(match[1])
        period = Period(str(year), datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), text)
    else:
        return None
    return period


@dataclass
class ReportFilter:
    """What one report shows: its period, whose shares, which business types."""

    user: object
    roles: Roles
    today: datetime.date
    period: Period
    accountmanagers: list = field(default_factory=list)  # chosen users (beheerder only)
    business_types: list = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    per: str = "team"
    measure: str = "omzet"
    business_type_options: list = field(default_factory=list)
    accountmanager_options: list = field(default_factory=list)

    @property
    def share_users(self) -> list:
        """Whose share the amounts are (DESIGN rule 4): the chosen accountmanagers, the
        accountmanager himself, or nobody (each traject whole) for a beheerder's team."""
        if self.roles.beheerder:
            return self.accountmanagers
        return [self.user]

    @property
    def share_user_ids(self) -> tuple[int, ...]:
        return tuple(sorted(user.pk for user in self.share_users))

    @property
    def business_type_ids(self) -> tuple[int, ...]:
        return tuple(sorted(bt.pk for bt in self.business_types))

    def query(self, **changes) -> QueryDict:
        """This filter as URL parameters (for links, the CSV and the overview)."""
        query = QueryDict(mutable=True)
        query["period"] = self.period.key
        if self.roles.beheerder:
            query.setlist("accountmanager", [str(u.pk) for u in self.accountmanagers])
        query.setlist("business_type", [str(pk) for pk in self.business_type_ids])
        query["per"] = self.per
        if self.per == "accountmanager":
            query["measure"] = self.measure
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            elif isinstance(value, list):
                query.setlist(key, value)
            else:
                query[key] = value
        return query


def _ids(params: QueryDict, name: str, label: str, notices: list[str]) -> list[int]:
    values = params.getlist(name)
    if len(values) > VALUES_MAX:
        notices.append(
            _("Alleen de eerste %(n)s waarden van “%(field)s” zijn gebruikt.")
            % {"n": VALUES_MAX, "field": label}
        )
        values = values[:VALUES_MAX]
    ids = []
    for value in values:
        if value == "":
            continue
        pk = parse_id(value)
        if pk is None:
            notices.append(
                _("%(field)s “%(value)s” bestaat niet of mag niet; genegeerd.")
                % {"field": label, "value": shorten(value)}
            )
        else:
            ids.append(pk)
    return ids


def report_filter_build(
    request, *, default_period, period_choices, forecast: bool = False, today=None
) -> ReportFilter:
    """The filter of one report from request.GET; bad values dropped with a notice."""
    params = request.GET
    user = request.user
    roles = roles_of(user)
    today = today or timezone.localdate()
    notices: list[str] = []
    raw = params.get("period", "")
    period = parse_period(raw, today) if raw else None
    if period is not None and forecast:
        # The forecast turns on a month: a quarter or a year starts at its first month.
        period = parse_period(f"{period.start:%Y-%m}", today)
    if period is None:
        if raw:
            notices.append(
                _("De periode “%(value)s” bestaat niet; %(used)s is gebruikt.")
                % {"value": shorten(raw, PERIOD_MAX), "used": default_period.label}
            )
        period = default_period

    User = get_user_model()
    am_ids = _ids(params, "accountmanager", _("Accountmanager"), notices)
    chosen_people = []
    # Deactivated accountmanagers stay choosable: their history is in the reports.
    people = list(
        User.objects.filter(sales_settings__is_accountmanager=True).order_by(
            "-is_active", "first_name", "last_name", "username"
        )
    )
    if roles.beheerder:
        by_pk = {person.pk: person for person in people}
        for pk in dict.fromkeys(am_ids):
            if pk in by_pk:
                chosen_people.append(by_pk[pk])
            else:
                notices.append(
                    _("%(field)s “%(value)s” bestaat niet of mag niet; genegeerd.")
                    % {"field": _("Accountmanager"), "value": pk}
                )
    elif any(pk != user.pk for pk in am_ids):
        notices.append(_("U ziet alleen uw eigen aandeel; het accountmanagerfilter is genegeerd."))

    bt_ids = _ids(params, "business_type", _("Business"), notices)
    all_types = list(BusinessType.objects.all())
    types_by_pk = {bt.pk: bt for bt in all_types}
    chosen_types = []
    for pk in dict.fromkeys(bt_ids):
        if pk in types_by_pk:
            chosen_types.append(types_by_pk[pk])
        else:
            notices.append(
                _("%(field)s “%(value)s” bestaat niet of mag niet; genegeerd.")
                % {"field": _("Business"), "value": pk}
            )

    per = params.get("per", "team")
    if per not in ("team", "accountmanager"):
        notices.append(
            _("Weergave “%(value)s” bestaat niet; per team getoond.") % {"value": shorten(per)}
        )
        per = "team"
    measure = params.get("measure", "omzet")
    if measure not in FORECAST_MEASURES:
        notices.append(
            _("Maat “%(value)s” bestaat niet; omzet getoond.") % {"value": shorten(measure)}
        )
        measure = "omzet"

    chosen_am = {p.pk for p in chosen_people}
    chosen_bt = {bt.pk for bt in chosen_types}
    result = ReportFilter(
        user=user,
        roles=roles,
        today=today,
        period=period,
        accountmanagers=chosen_people,
        business_types=chosen_types,
        notices=notices,
        per=per,
        measure=measure,
        business_type_options=[(str(bt.pk), str(bt), bt.pk in chosen_bt) for bt in all_types],
        accountmanager_options=[
            (
                str(p.pk),
                person_name(p)
                if p.is_active
                else _("%(name)s (oud-medewerker)") % {"name": person_name(p)},
                p.pk in chosen_am,
            )
            for p in people
        ]
        if roles.beheerder
        else [],
    )
    result.period_choices = period_choices(today, period)
    return result


def forecast_period_choices(today: datetime.date, chosen: Period) -> list[tuple[str, str, bool]]:
    """The months the forecast may turn on: two years back to a year ahead, and the chosen."""
    months = [month_start(today, shift) for shift in range(-24, 13)]
    if chosen.start not in months:
        months.append(chosen.start)
    return [(f"{m:%Y-%m}", month_label(m), m == chosen.start) for m in sorted(months, reverse=True)]


def winloss_period_choices(today: datetime.date, chosen: Period) -> list[tuple[str, str, bool]]:
    """The current quarter and the eight before it, the last three years, and the chosen."""
    year, quarter = quarter_of(today)
    periods = []
    for _step in range(9):
        periods.append(quarter_period(year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    periods += [
        Period(str(y), datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1), str(y))
        for y in range(today.year, today.year - 3, -1)
    ]
    if chosen.key not in {p.key for p in periods}:
        periods.insert(0, chosen)
    return [(p.key, p.label, p.key == chosen.key) for p in periods]
