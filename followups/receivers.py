"""What followups does when trajects announces a change (trajects.signals.traject_changed)."""

from .services import task_reassign_leavers


def tasks_follow_accountmanagers(sender, *, traject, changes, user=None, **kwargs):
    """Hand-over or removal: the leaver's open tasks go to the new or remaining accountmanager."""
    change = changes.get("accountmanagers")
    if change:
        task_reassign_leavers(traject=traject, old=change["old"], new=change["new"], user=user)
