"""Is Sales Select set up? The manual's five mandatory lists (GE366), and which are missing.

The board needs stages; without any for any business type it shows this checklist instead of
an empty page, with links to the lists for a key-user.
"""

from dataclasses import dataclass

from django.db.models import Exists
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from settings_app.models import (
    BusinessType,
    ClientSettings,
    ClosedOutcome,
    Source,
    Stage,
    WinLossReason,
)


@dataclass
class Step:
    name: str
    done: bool
    detail: str
    admin_url: str


def _url(name: str) -> str:
    return reverse(f"admin:{name}")


def setup_steps() -> list[Step]:
    """The manual's five steps in its order, each with whether it is done, in one query."""
    active_types = BusinessType.objects.active()
    linked_stage = Stage.objects.active().filter(business_types__in=BusinessType.objects.active())
    reasons = WinLossReason.objects.active()
    flags = (
        ClientSettings.objects.filter(pk=1)
        .annotate(
            has_types=Exists(active_types),
            has_stages=Exists(linked_stage),
            has_sources=Exists(Source.objects.active()),
            has_won=Exists(reasons.filter(outcome=ClosedOutcome.WON)),
            has_lost=Exists(reasons.filter(outcome=ClosedOutcome.LOST)),
        )
        .first()
    ) or ClientSettings.load()
    has = {
        name: bool(getattr(flags, name, False))
        for name in ("has_types", "has_stages", "has_sources", "has_won", "has_lost")
    }
    missing_outcomes = [
        str(label)
        for outcome, label in ClosedOutcome.choices
        if not has["has_won" if outcome == ClosedOutcome.WON else "has_lost"]
    ]
    return [
        Step(
            str(_("Business types")),
            has["has_types"],
            str(_("Minstens één actief business type, met een kleur.")),
            _url("settings_app_businesstype_changelist"),
        ),
        Step(
            str(_("Stages")),
            has["has_stages"],
            str(_("Minstens één actieve stage, gekoppeld aan een actief business type.")),
            _url("settings_app_stage_changelist"),
        ),
        Step(
            str(_("Bronnen")),
            has["has_sources"],
            str(_("Minstens één actieve bron.")),
            _url("settings_app_source_changelist"),
        ),
        Step(
            str(_("Indicator resterende dagen")),
            True,
            str(_("Oranje vanaf %(orange)s dagen, rood vanaf %(red)s dagen voor de sluiting."))
            % {"orange": flags.remaining_days_orange, "red": flags.remaining_days_red},
            _url("settings_app_clientsettings_changelist"),
        ),
        Step(
            str(_("Gewonnen/verloren redenen")),
            not missing_outcomes,
            str(_("Minstens één actieve reden voor gewonnen en één voor verloren."))
            + (
                " "
                + str(_("Ontbreekt voor: %(outcomes)s."))
                % {"outcomes": ", ".join(o.lower() for o in missing_outcomes)}
                if missing_outcomes
                else ""
            ),
            _url("settings_app_winlossreason_changelist"),
        ),
    ]
