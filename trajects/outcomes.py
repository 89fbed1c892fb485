"""Rule 6: a traject's business type, stage, type, kans and won/lost reason never contradict.

`outcome_apply` brings a traject being saved in line; traject_update calls it, so the detail
page, quote acceptance, bulk changes and the board all go through the same code.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from settings_app.models import ClientSettings, Outcome, Stage, TrajectType

from .models import Traject, TrajectAccountmanager

# The kans a closed traject has: won is certain, lost adds no omzet (manual 4.4.7).
CLOSED_PROBABILITY = {Outcome.WON: 100, Outcome.LOST: 0}


def closed_type(outcome: str) -> TrajectType | None:
    """The type a won or lost outcome sets: the active one with the lowest order."""
    return TrajectType.objects.active().filter(outcome=outcome).order_by("order", "pk").first()


def default_open_type() -> TrajectType | None:
    """The client's default open type (Prospect), else the first active open type."""
    types = TrajectType.objects.filter(outcome=Outcome.OPEN)
    return types.filter(is_default=True).first() or types.active().order_by("order", "pk").first()


def stages_of(business_type_id: int | None):
    """The stages a traject of this business type may take."""
    return Stage.objects.filter(business_types=business_type_id)


def stage_fits(stage_id: int | None, business_type_id: int | None) -> bool:
    """Whether a traject of this business type may take this stage (no stage always fits)."""
    if stage_id is None:
        return True
    return stages_of(business_type_id).filter(pk=stage_id).exists()


def stage_check(*, stage: Stage | None, business_type, field: str = "stage") -> None:
    """Refuse a stage outside the traject's business type, with a message beside `field`."""
    if stage is None or business_type is None:
        return
    if not stage_fits(stage.pk, business_type.pk):
        raise ValidationError(
            {
                field: _(
                    "Stage “%(stage)s” hoort niet bij business %(business)s: kies een stage "
                    "van %(business)s of laat de stage leeg."
                )
                % {"stage": stage.name, "business": business_type.name}
            }
        )


def reason_required(traject: Traject) -> bool:
    """A won/lost reason is required when Sales Select (SE3573) is on for the client or for
    any accountmanager on the traject, whoever edits it."""
    if ClientSettings.load().sales_select_enabled:
        return True
    return TrajectAccountmanager.objects.filter(
        traject_id=traject.pk, user__sales_settings__sales_select_enabled=True
    ).exists()


def outcome_after(*, old_stage: Stage | None, stage: Stage | None, type: TrajectType) -> str:
    """The outcome a save leads to: a newly entered outcome stage sets it, leaving one for an
    open stage reopens, otherwise the type decides."""
    if stage is not None and stage.outcome_on_entry:
        return stage.outcome_on_entry
    stage_left = old_stage is not None and old_stage.outcome_on_entry and stage != old_stage
    if stage_left and type.outcome == old_stage.outcome_on_entry:
        return Outcome.OPEN
    return type.outcome


def outcome_apply(
    *,
    traject: Traject,
    old_stage: Stage | None,
    old_type: TrajectType,
    old_probability: int,
    changed: set[str],
    now: datetime.datetime,
) -> None:
    """Bring the traject, with the user's changes set on it, in line with rule 6.

    `changed` holds the fields the user changed; the fields this adds (type, kans, reason,
    the closing fields) are added to it. Raises ValidationError keyed by field.
    """
    asked = set(changed)
    stage = traject.stage
    if stage is not None and asked & {"stage", "business_type"}:
        field = "stage" if "stage" in asked else "business_type"
        stage_check(stage=stage, business_type=traject.business_type, field=field)

    stage_outcome = stage.outcome_on_entry if stage is not None else ""
    if stage_outcome and traject.type.outcome != stage_outcome:
        if "type" in asked:
            raise ValidationError(
                {
                    "type": _(
                        "Type “%(type)s” past niet bij stage “%(stage)s”: die stage maakt het "
                        "traject %(outcome)s. Kies eerst een andere stage."
                    )
                    % {
                        "type": traject.type.name,
                        "stage": stage.name,
                        "outcome": stage.get_outcome_on_entry_display().lower(),
                    }
                }
            )
        if "stage" in asked:
            new_type = closed_type(stage_outcome)
            if new_type is None:
                raise ValidationError(
                    {"stage": _("Er is geen actief type met de uitkomst van deze stage.")}
                )
            traject.type = new_type
            changed.add("type")
    elif (
        "stage" in asked
        and "type" not in asked
        and outcome_after(old_stage=old_stage, stage=stage, type=traject.type) == Outcome.OPEN
        and traject.type.outcome != Outcome.OPEN
    ):
        reopened = default_open_type()
        if reopened is None:
            raise ValidationError({"stage": _("Er is geen open type om het traject te heropenen.")})
        traject.type = reopened
        changed.add("type")

    outcome = traject.type.outcome
    if outcome != Outcome.OPEN:
        _close(traject, old_stage, old_type, old_probability, asked, changed, now)
    elif old_type.outcome != Outcome.OPEN:
        _reopen(traject, asked, changed)
    _reason_check(traject, asked, changed)


def _close(traject, old_stage, old_type, old_probability, asked, changed, now) -> None:
    outcome = traject.type.outcome
    fixed = CLOSED_PROBABILITY[outcome]
    if "probability" in asked and traject.probability != fixed:
        raise ValidationError(
            {
                "probability": _(
                    "Een %(outcome)s traject heeft kans %(fixed)s%%: die is niet te wijzigen."
                )
                % {"outcome": traject.type.get_outcome_display().lower(), "fixed": fixed}
            }
        )
    if old_type.outcome == Outcome.OPEN:
        traject.closed_at = now
        traject.open_probability = old_probability
        traject.closed_from_stage = old_stage
        changed |= {"closed_at", "open_probability", "closed_from_stage"}
    if traject.probability != fixed:
        traject.probability = fixed
        changed.add("probability")


def _reopen(traject, asked, changed) -> None:
    if "probability" not in asked and traject.open_probability is not None:
        traject.probability = traject.open_probability
        changed.add("probability")
    traject.closed_at = None
    traject.open_probability = None
    traject.closed_from_stage = None
    changed |= {"closed_at", "open_probability", "closed_from_stage"}


def _reason_check(traject, asked, changed) -> None:
    outcome = traject.type.outcome
    if outcome == Outcome.OPEN:
        if traject.win_loss_reason_id:
            traject.win_loss_reason = None
            changed.add("win_loss_reason")
        return
    reason = traject.win_loss_reason
    if reason is not None and reason.outcome != outcome:
        if "win_loss_reason" in asked:
            raise ValidationError(
                {"win_loss_reason": _("Kies een reden die past bij de uitkomst van het type.")}
            )
        traject.win_loss_reason = reason = None
        changed.add("win_loss_reason")
    if reason is None and reason_required(traject):
        raise ValidationError(
            {
                "win_loss_reason": _(
                    "Kies een gewonnen/verloren reden: Sales Select vraagt erom bij deze uitkomst."
                )
            }
        )
