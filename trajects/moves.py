"""Moving a traject to another stage: the board's card move, and its undo.

A thin service over traject_update, so a move follows exactly the rules of an edit on the
detail page: the stage must belong to the traject's business type, an outcome stage sets the
type, the kans and asks for a reason (rule 6), the assigned accountmanager's move converts a
lead (rule 1), the dossier says stage from → to. What this adds is the board's own conflict
check: the move carries the stage the user saw, and is refused when the stored stage differs
(rule 9, on the stage alone: a colleague's change of kans does not block it).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from settings_app.models import Stage, WinLossReason

from .models import Traject
from .outcomes import stage_check
from .services import _last_changer, _locked, traject_update


class StageConflict(Exception):
    """The stage was changed by someone else since the board was loaded; nothing was saved.

    `traject` is the traject as it is stored (where the board must show the card)."""

    def __init__(self, traject: Traject, changed_by: str):
        self.traject = traject
        self.changed_by = changed_by
        super().__init__(traject.pk, changed_by)

    def __str__(self):
        return _("%(who)s heeft de stage intussen gewijzigd in “%(stage)s”.") % {
            "who": self.changed_by,
            "stage": self.traject.stage.name if self.traject.stage else _("Geen stage"),
        }


def _stage_id(stage: Stage | int | None) -> int | None:
    return stage.pk if isinstance(stage, Stage) else stage


@transaction.atomic
def traject_stage_move(
    *,
    traject: Traject | int,
    stage: Stage | None,
    stage_seen: Stage | int | None,
    by,
    reason: WinLossReason | None = None,
) -> Traject:
    """Move the traject to `stage` (None: "Geen stage") if it is still in `stage_seen`.

    Raises Traject.DoesNotExist for a traject `by` may not see, StageConflict when the stored
    stage is no longer the one seen, ValidationError (keyed "stage" or "win_loss_reason") for
    a stage outside the business type, an inactive stage, or a missing or wrong reason.
    The row is locked first, so of two simultaneous moves from the same stage one is refused.
    """
    traject = _locked(traject, by)
    if stage is not None:
        if not stage.active:
            raise ValidationError(
                {"stage": _("Stage “%(stage)s” is niet meer actief.") % {"stage": stage.name}}
            )
        stage_check(stage=stage, business_type=traject.business_type)
    if reason is not None and not reason.active:
        raise ValidationError(
            {"win_loss_reason": _("Deze reden is niet meer actief: kies een andere.")}
        )
    if traject.stage_id != _stage_id(stage_seen):
        traject.stage = Stage.objects.filter(pk=traject.stage_id).first()
        raise StageConflict(traject, _last_changer(traject, "stage"))
    if traject.stage_id == _stage_id(stage):
        return traject
    changes: dict = {"stage": stage}
    if stage is not None and stage.outcome_on_entry:
        changes["win_loss_reason"] = reason
    return traject_update(
        traject=traject, user=by, changes=changes, loaded={"stage": _stage_id(stage_seen)}
    )
