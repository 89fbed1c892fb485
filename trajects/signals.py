"""Signals higher apps listen to; this app never imports them (DESIGN: layering)."""

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that changed a traject has committed, with `traject` (the
# Traject), `changes` ({field: {"old": ..., "new": ...}}) and `user` (who made the change, or
# None). Today the accountmanagers are announced, as {"accountmanagers": {"old": [user ids],
# "new": [user ids]}} in the links' order; DESIGN lists the write paths that send it.
traject_changed = Signal()


def traject_changed_send(*, traject, changes: dict, user=None) -> None:
    """Announce the changes once the surrounding transaction commits (at once without one)."""
    if not changes:
        return
    transaction.on_commit(
        lambda: traject_changed.send(
            sender=type(traject), traject=traject, changes=changes, user=user
        )
    )
