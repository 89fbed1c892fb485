"""Which rules a committed change fires, and doing their actions exactly once.

The receiver (workflows.receivers) calls `runs_start` after the change has committed; each
matching rule becomes a Run, written in the dossier, and its Celery task is queued after that
commit. The task calls `run_execute`, which does the rule's actions in order, each under an
ActionRun whose unique key (change × rule × action) makes a redelivered or retried task skip
what was done:

- an action that writes the database is done in the same transaction that marks it done, so
  a worker killed half-way leaves it undone, to be done on the next delivery: exactly once;
- an e-mail is marked as started (committed) before it goes out and done after; a delivery
  that finds it started does not send it again (at most once) but lists it as "mogelijk niet
  verzonden" for the key-users.

Actions write through the services of the apps below, inside `acting_as(WORKFLOW, name)`: the
dossier names the rule as the author and the changes they announce fire no rule (no loops).
"""

import datetime
import logging
import os
import smtplib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from followups.services import task_create
from settings_app.models import Outcome, TrajectType
from settings_app.roles import accountmanagers, person_name
from trajects.models import DossierKind, Traject, TrajectAccountmanager
from trajects.services import (
    dossier_log,
    dossier_note_add,
    traject_accountmanagers_set,
    traject_update,
)
from trajects.signals import IMPORT, WORKFLOW, acting_as

from .models import (
    PLACEHOLDERS,
    Action,
    ActionKind,
    ActionRun,
    ActionState,
    Recipients,
    Rule,
    Run,
    Trigger,
)

logger = logging.getLogger(__name__)


class ActionFailed(Exception):
    """An action could not be done this time; the task tries again later."""


# ---------------------------------------------------------------------------------------------
# Which rules fire


def _outcome_of(type_id) -> str:
    if type_id is None:
        return ""
    return TrajectType.objects.filter(pk=type_id).values_list("outcome", flat=True).first() or ""


def rules_fired(*, traject: Traject, changes: dict, origin: str) -> list[Rule]:
    """The active rules this change triggers (inactive stage or reason included: they are
    skipped with a dossier line by the caller)."""
    stage_change = changes.get("stage")
    type_change = changes.get("type")
    entered = stage_change is not None and stage_change["new"] is not None
    if origin == WORKFLOW or not (entered or type_change):
        return []
    rules = Rule.objects.filter(active=True).select_related("stage", "reason")
    if origin == IMPORT:
        rules = rules.filter(on_import=True)
    rules = list(rules.prefetch_related("business_types"))  # none: one query, and done
    if not rules:
        return []
    outcome = ""
    if type_change:
        new_outcome = _outcome_of(type_change["new"])
        if new_outcome != Outcome.OPEN and new_outcome != _outcome_of(type_change["old"]):
            outcome = new_outcome
    fired = []
    for rule in rules:
        if rule.trigger == Trigger.STAGE and stage_change:
            if rule.stage_id != stage_change["new"]:
                continue
            allowed = {business_type.pk for business_type in rule.business_types.all()}
            if allowed and traject.business_type_id not in allowed:
                continue
            fired.append(rule)
        elif rule.trigger == Trigger.STATUS and outcome and rule.outcome == outcome:
            if rule.reason_id and rule.reason_id != traject.win_loss_reason_id:
                continue
            fired.append(rule)
    return fired


def trigger_text(rule: Rule) -> str:
    """'stage wordt Voorstel', 'status wordt verloren (reden Te duur)'."""
    if rule.trigger == Trigger.STAGE:
        return _("stage wordt %(stage)s") % {"stage": rule.stage.name if rule.stage else "–"}
    text = _("status wordt %(status)s") % {
        "status": rule.get_outcome_display().lower() if rule.outcome else "–"
    }
    if rule.reason_id:
        text += " " + _("(reden %(reason)s)") % {"reason": rule.reason.reason}
    return text


def runs_start(*, traject: Traject, changes: dict, origin: str) -> list[Run]:
    """Record a Run for each rule the change fires and queue its task after commit."""
    rules = rules_fired(traject=traject, changes=changes, origin=origin)
    if not rules:
        return []
    from .tasks import workflow_run

    change = uuid.uuid4()
    runs = []
    with transaction.atomic():
        for rule in rules:
            warning = rule.warning()
            with acting_as(WORKFLOW, rule.name):
                dossier_log(
                    traject=traject,
                    kind=DossierKind.WORKFLOW,
                    action="skipped" if warning else "fired",
                    trigger=trigger_text(rule),
                    warning=warning,
                )
            if warning:
                continue
            run = Run.objects.create(change=change, rule=rule, traject=traject)
            runs.append(run)
            transaction.on_commit(lambda pk=run.pk: workflow_run.delay(pk), robust=True)
    return runs


# ---------------------------------------------------------------------------------------------
# Doing the actions


def _accountmanagers(traject: Traject) -> list:
    ids = list(
        TrajectAccountmanager.objects.filter(traject=traject)
        .order_by("position", "pk")
        .values_list("user_id", flat=True)
    )
    users = get_user_model().objects.in_bulk(ids)
    return [users[pk] for pk in ids if pk in users]


def placeholders(traject: Traject) -> dict:
    """The values of the template words for this traject, in the client's language."""
    value = traject.value
    return {
        "onderwerp": traject.subject,
        "relatie": traject.relation.name if traject.relation_id else "",
        "contactpersoon": str(traject.contact) if traject.contact_id else "",
        "stage": traject.stage.name if traject.stage_id else "",
        "accountmanagers": ", ".join(person_name(u) for u in _accountmanagers(traject)),
        "waarde": f"€ {number_format(value, 2, force_grouping=True)}" if value is not None else "",
    }


def render_template(text: str, values: dict) -> str:
    """Put the values in {onderwerp} and the like (the editor refuses unknown words)."""
    for name in PLACEHOLDERS:
        text = text.replace(f"{{{name}}}", str(values.get(name, "")))
    return text


def email_build(action: Action, traject: Traject) -> EmailMessage:
    """The e-mail of an action, in the client's language, from the configured sender, the first
    accountmanager as reply-to."""
    with translation.override(settings.LANGUAGE_CODE):
        values = placeholders(traject)
        managers = [user for user in _accountmanagers(traject) if user.is_active]
        if action.recipients == Recipients.CONTACT:
            to = [traject.contact.email] if traject.contact_id and traject.contact.email else []
        else:
            to = [user.email for user in managers if user.email]
        if not to:
            raise ActionFailed(_("Geen ontvanger met een e-mailadres."))
        first = next((user.email for user in managers if user.email), "")
        return EmailMessage(
            subject=render_template(action.title, values).replace("\n", " ")[:250],
            body=render_template(action.text, values),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            reply_to=[first] if first else None,
        )


def _perform(action: Action, traject_id: int) -> None:
    """One action that writes the database (everything but the e-mail)."""
    traject = Traject.objects.select_for_update(of=("self",)).get(
        pk=traject_id, deleted_at__isnull=True
    )
    today = timezone.localdate()
    kind = action.kind
    if kind == ActionKind.TASK:
        managers = [user for user in _accountmanagers(traject) if user.is_active]
        if not managers:
            raise ActionFailed(_("Het traject heeft geen actieve accountmanager."))
        for user in managers:
            task_create(
                traject=traject.pk,
                user=user,
                title=action.title,
                due_on=today + datetime.timedelta(days=action.days or 0),
                assignee=user,
            )
    elif kind == ActionKind.PROBABILITY:
        traject_update(traject=traject.pk, user=None, changes={"probability": action.probability})
    elif kind == ActionKind.MOVE_CLOSE:
        moved = traject.expected_close + datetime.timedelta(days=action.days or 0)
        traject_update(traject=traject.pk, user=None, changes={"expected_close": moved})
    elif kind == ActionKind.NOTE:
        with translation.override(settings.LANGUAGE_CODE):
            text = render_template(action.text, placeholders(traject))
        dossier_note_add(traject=traject.pk, user=None, text=text)
    elif kind == ActionKind.STAGE:
        traject_update(traject=traject.pk, user=None, changes={"stage": action.stage_id})
    elif kind in (ActionKind.ADD_ACCOUNTMANAGER, ActionKind.REPLACE_ACCOUNTMANAGERS) and not (
        accountmanagers().filter(pk=action.user_id).exists()
    ):
        raise ActionFailed(
            _("%(name)s is geen actieve accountmanager meer.") % {"name": person_name(action.user)}
        )
    elif kind == ActionKind.ADD_ACCOUNTMANAGER:
        users = _accountmanagers(traject)
        if action.user_id not in {user.pk for user in users}:
            traject_accountmanagers_set(traject=traject, users=[*users, action.user])
    elif kind == ActionKind.REPLACE_ACCOUNTMANAGERS:
        traject_accountmanagers_set(traject=traject, users=[action.user])
    else:  # pragma: no cover - the choices are above
        raise ActionFailed(f"unknown action {kind}")


def _pause_for_tests(point: str) -> None:
    """Tests only: while WORKFLOW_TEST_PAUSE_FILE exists and names this point ("after:N": the
    action at position N is done; "send:N": its e-mail is marked started, not yet sent), hold
    here and say so in '<file>.reached' with this process id."""
    path = settings.WORKFLOW_TEST_PAUSE_FILE
    if not path or not os.path.exists(path) or Path(path).read_text().strip() != point:
        return
    Path(f"{path}.reached").write_text(str(os.getpid()))
    deadline = time.monotonic() + 300
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


ERRORS = (
    ActionFailed,
    ValidationError,
    PermissionDenied,
    ObjectDoesNotExist,
    DatabaseError,
    smtplib.SMTPException,
    OSError,
)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def _failed(run: Run, action: Action, action_run: ActionRun, exc: Exception, final: bool):
    """Count the attempt; after the last one record the failure (dossier, Workflow-fouten)."""
    error = _error_text(exc)[:2000]
    ActionRun.objects.filter(pk=action_run.pk).update(error=error)
    if not final:
        raise ActionFailed(error) from exc
    with transaction.atomic():
        ActionRun.objects.filter(pk=action_run.pk).update(state=ActionState.FAILED)
        with acting_as(WORKFLOW, run.rule.name):
            dossier_log(
                traject=run.traject,
                kind=DossierKind.WORKFLOW,
                action="failed",
                step=action.get_kind_display(),
                attempts=action_run.attempts,
                error=error,
            )
    logger.warning("Workflow run %s: action %s failed for good: %s", run.pk, action.pk, error)


def _email(run: Run, action: Action, action_run: ActionRun, final: bool) -> bool:
    """Send at most once. Returns False when the run must stop (the action failed for good)."""
    with transaction.atomic():
        locked = ActionRun.objects.select_for_update().get(pk=action_run.pk)
        if locked.state == ActionState.STARTED:
            # Started before, never confirmed: perhaps it went out. Never twice.
            locked.state = ActionState.UNCONFIRMED
            locked.save(update_fields=["state", "updated_at"])
            with acting_as(WORKFLOW, run.rule.name):
                dossier_log(
                    traject=run.traject,
                    kind=DossierKind.WORKFLOW,
                    action="unconfirmed",
                    step=action.get_kind_display(),
                )
            return True
        if locked.state:
            return locked.state != ActionState.FAILED
        traject = Traject.objects.select_related("relation", "contact", "stage").get(
            pk=run.traject_id
        )
        try:
            message = email_build(action, traject)
        except ERRORS as exc:
            message, build_error = None, exc
        locked.attempts += 1
        if message is not None:
            locked.state = ActionState.STARTED
        locked.save(update_fields=["state", "attempts", "updated_at"])
    if message is None:
        _failed(run, action, locked, build_error, final)
        return False
    _pause_for_tests(f"send:{action.position}")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        # The server said no: it did not go out, so a retry may send it.
        ActionRun.objects.filter(pk=locked.pk).update(state="")
        _failed(run, action, locked, exc, final)
        return False
    with transaction.atomic():
        ActionRun.objects.filter(pk=locked.pk).update(state=ActionState.DONE, error="")
        with acting_as(WORKFLOW, run.rule.name):
            dossier_log(
                traject=traject,
                kind=DossierKind.EMAIL,
                text=message.subject,
                to=", ".join(message.to),
                body=message.body,
            )
    return True


def _database_action(run: Run, action: Action, action_run: ActionRun, final: bool) -> bool:
    """Do it and mark it done in one transaction. False when the run must stop."""
    try:
        with transaction.atomic():
            locked = ActionRun.objects.select_for_update().get(pk=action_run.pk)
            if locked.state:
                return locked.state != ActionState.FAILED
            with acting_as(WORKFLOW, run.rule.name):
                _perform(action, run.traject_id)
            locked.state, locked.error = ActionState.DONE, ""
            locked.attempts += 1
            locked.save(update_fields=["state", "error", "attempts", "updated_at"])
            return True
    except ERRORS as exc:
        ActionRun.objects.filter(pk=action_run.pk).update(attempts=action_run.attempts + 1)
        action_run.attempts += 1
        _failed(run, action, action_run, exc, final)
        return False


def run_execute(*, run_id: int, final: bool = True) -> Run | None:
    """Do the run's actions that are not done yet, in order. Raises ActionFailed when one
    fails and `final` is off (the task retries); records it when `final` is on."""
    run = Run.objects.select_related("rule", "traject").filter(pk=run_id).first()
    if run is None or run.finished_at is not None:
        return run
    for action in run.rule.actions.all():
        key = f"{run.change}:{run.rule_id}:{action.pk}"
        action_run, _created = ActionRun.objects.get_or_create(
            key=key, defaults={"run": run, "action": action, "state": ""}
        )
        if action_run.state in (ActionState.DONE, ActionState.UNCONFIRMED, ActionState.SKIPPED):
            continue
        if action_run.state == ActionState.FAILED:
            break
        if action.kind == ActionKind.EMAIL:
            carry_on = _email(run, action, action_run, final)
        else:
            carry_on = _database_action(run, action, action_run, final)
        if not carry_on:
            break
        _pause_for_tests(f"after:{action.position}")
    Run.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return run
