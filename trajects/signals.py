"""Signals higher apps listen to; this app never imports them (DESIGN: layering)."""

import logging

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that changed a traject has committed, with `traject` (the
# Traject), `changes` ({field: {"old": ..., "new": ...}}) and `user` (who made the change, or
# None). Today the accountmanagers are announced, as {"accountmanagers": {"old": [user ids],
# "new": [user ids]}} in the links' order; DESIGN lists the write paths that send it.
traject_changed = Signal()
logger = logging.getLogger(__name__)


def _send(traject, changes: dict, user) -> None:
    # The change is saved: a listener that fails is logged, never the user's error page.
    results = traject_changed.send_robust(
        sender=type(traject), traject=traject, changes=changes, user=user
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
    transaction.on_commit(lambda: _send(traject, changes, user))
