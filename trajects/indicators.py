"""What a traject's card and rows signal at a glance (Sales Select manual 5, issue 13).

- The remaining-days indicator: how many days are left until the expected close, coloured by
  the client's settings (orange from N days before, red from M days before, N > M).
- Days in stage: days since the last stage change, "stilstaand" past the stage's limit.

Pure functions of their arguments (the caller passes today and the thresholds), so a page
reads the client's settings once and the board, the overviews and the detail page agree.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext


class Level(StrEnum):
    GREEN = "green"
    ORANGE = "orange"
    RED = "red"
    OVERDUE = "overdue"


# Colour is never the only signal: each level has its own icon and its own word.
ICONS = {Level.GREEN: "✓", Level.ORANGE: "!", Level.RED: "‼", Level.OVERDUE: "✕"}


_LEVEL_NAMES = {
    Level.GREEN: gettext_noop("op schema"),
    Level.ORANGE: gettext_noop("let op"),
    Level.RED: gettext_noop("dringend"),
    Level.OVERDUE: gettext_noop("verlopen"),
}


def _level_name(level: Level) -> str:
    return _(_LEVEL_NAMES[level])


@dataclass(frozen=True)
class Indicator:
    """The remaining-days indicator of one traject.

    `days` is the number of days left (0 on the day itself), or for OVERDUE the number of days
    since the expected close (1 the day after). `text` is what the badge shows, `label` its
    full accessible name ("Resterende dagen: nog 5 dagen, let op").
    """

    level: Level
    days: int
    text: str
    label: str

    @property
    def icon(self) -> str:
        return ICONS[self.level]

    @property
    def level_name(self) -> str:
        return _level_name(self.level)


def remaining_days(
    expected_close: datetime.date | None,
    *,
    today: datetime.date,
    orange: int,
    red: int,
    closed: bool = False,
) -> Indicator | None:
    """The indicator for an expected close seen on `today`; None for a won or lost traject.

    With r = days remaining: green when r > orange; orange when red < r <= orange; red when
    0 <= r <= red; overdue ("verlopen", with the days past) when r < 0.
    """
    if closed or expected_close is None:
        return None
    left = (expected_close - today).days
    if left < 0:
        level, days = Level.OVERDUE, -left
        text = ngettext("verlopen, %(days)s dag", "verlopen, %(days)s dagen", days) % {"days": days}
    else:
        days = left
        if left > orange:
            level = Level.GREEN
        elif left > red:
            level = Level.ORANGE
        else:
            level = Level.RED
        if left == 0:
            text = _("vandaag")
        else:
            text = ngettext("nog %(days)s dag", "nog %(days)s dagen", days) % {"days": days}
    label = _("Resterende dagen: %(text)s, %(level)s") % {
        "text": text,
        "level": _level_name(level),
    }
    return Indicator(level=level, days=days, text=text, label=label)


def traject_remaining_days(traject, *, today: datetime.date, client_settings) -> Indicator | None:
    """The indicator of a traject row with the client's thresholds (won or lost: None).

    Reads only the row's own columns (expected_close, closed_at): no query per row.
    """
    return remaining_days(
        traject.expected_close,
        today=today,
        orange=client_settings.remaining_days_orange,
        red=client_settings.remaining_days_red,
        closed=traject.closed_at is not None,
    )


class _FromStage:
    """The default of `limit`: read the stage's "dagen tot stilstand" from traject.stage (None
    is a real limit: never stilstaand)."""

    def __repr__(self):
        return "FROM_STAGE"


FROM_STAGE = _FromStage()


@dataclass(frozen=True)
class StageAge:
    """How long a traject has been in its stage, and whether that is past the stage's limit.

    `limit` is the stage's "dagen tot stilstand" (None: never stilstaand); `stale` is
    days > limit. `text` is what the badge shows, `label` its full accessible name.
    """

    days: int
    limit: int | None
    stale: bool
    text: str
    label: str


def days_in_stage(traject, today: datetime.date) -> int | None:
    """Whole days since the traject's last stage change (0 on the day itself), counted in the
    agency's calendar; None when it has no stage_changed_at."""
    changed = traject.stage_changed_at
    if changed is None:
        return None
    return max(0, (today - timezone.localdate(changed)).days)


def stale_limit(traject) -> int | None:
    """The "dagen tot stilstand" of the traject's stage; None without a stage or limit, and for
    a won or lost traject (a closed one is not stilstaand). Reads traject.stage: select it."""
    if traject.closed_at is not None or traject.stage_id is None:
        return None
    return traject.stage.stale_after_days


def is_stale(traject, today: datetime.date, limit: "int | None | _FromStage" = FROM_STAGE) -> bool:
    """Stilstaand: longer in its stage than the stage's "dagen tot stilstand" (days > limit).

    Pass `limit` when known (the board has its stages), else it is read from traject.stage.
    TrajectQuerySet.stale(today) is the same rule in the database.
    """
    if traject.closed_at is not None:
        return False
    if limit is FROM_STAGE:
        limit = stale_limit(traject)
    days = days_in_stage(traject, today)
    return limit is not None and days is not None and days > limit


def stage_age(
    traject, *, today: datetime.date, limit: "int | None | _FromStage" = FROM_STAGE
) -> StageAge | None:
    """Days in stage and stilstaand of a traject; None for a won or lost one."""
    if traject.closed_at is not None:
        return None
    days = days_in_stage(traject, today)
    if days is None:
        return None
    if limit is FROM_STAGE:
        limit = stale_limit(traject)
    stale = limit is not None and days > limit
    text = ngettext("%(days)s dag in stage", "%(days)s dagen in stage", days) % {"days": days}
    if stale:
        label = ngettext(
            "%(text)s, stilstaand (langer dan %(limit)s dag)",
            "%(text)s, stilstaand (langer dan %(limit)s dagen)",
            limit,
        ) % {"text": text, "limit": limit}
    else:
        label = text
    return StageAge(days=days, limit=limit, stale=stale, text=text, label=label)


def today() -> datetime.date:
    """Today in the agency's time zone: what every indicator counts from."""
    return timezone.localdate()
