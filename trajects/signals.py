"""Signals higher apps listen to; this app never imports them (DESIGN: layering)."""

import contextvars
import logging
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that changed a traject has committed, with `traject` (the
# Traject), `changes` ({field: {"old": ..., "new": ...}}, foreign keys as ids, the field
# names of EDITABLE_FIELDS plus "accountmanagers" (user ids in the links' order),
# "first_visit_on", "visit_count", "deleted" and "created" (a new lead: old None, new True)),
# `user` (who made the change, or None) and `origin`: "user", "import" or "workflow" (a
# workflow's own action: workflows never fire on those, so a rule cannot trigger another).
# DESIGN lists the write paths that send it.
traject_changed = Signal()
logger = logging.getLogger(__name__)

USER, IMPORT, WORKFLOW = "user", "import", "workflow"
# Who is writing: USER by default; `acting_as` changes it for a block of writes.
_origin: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "traject_changes_origin", default=(USER, "")
)


@contextmanager
def acting_as(origin: str, name: str = ""):
    """Writes inside this block come from `origin` ("import", or "workflow" with the rule's
    `name`): the signal says so, and the dossier names the workflow as the author."""
    token = _origin.set((origin, name))
    try:
        yield
    finally:
        _origin.reset(token)


def workflow_acting() -> str:
    """The name of the workflow rule whose actions are being written, or ''."""
    origin, name = _origin.get()
    return name if origin == WORKFLOW else ""


def _send(traject, changes: dict, user, origin: str) -> None:
    # The change is saved: a listener that fails is logged, never the user's error page.
    results = traject_changed.send_robust(
        sender=type(traject), traject=traject, changes=changes, user=user, origin=origin
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "traject_changed: %r failed for traject %s",
                receiver,
                traject.pk,
                exc_info=(type(result), result, result.__traceback__),
            )


def traject_changed_send(*, traject, changes: dict, user=None) -> None:
    """Announce the changes once the surrounding transaction commits (at once without one)."""
    if not changes:
        return
    origin = _origin.get()[0]
    transaction.on_commit(lambda: _send(traject, changes, user, origin))


def traject_changed_send_each(announcements: list[tuple], user=None) -> None:
    """traject_changed_send for many (traject, changes) pairs (an import's chunk), one signal
    each after commit, queued as one callback."""
    origin = _origin.get()[0]

    def send_all():
        for traject, changes in announcements:
            _send(traject, changes, user, origin)

    if announcements:
        transaction.on_commit(send_all)
