"""What workflows does when trajects announces a change (trajects.signals.traject_changed)."""

from .engine import runs_start


def rules_fire(sender, *, traject, changes, origin="user", **kwargs):
    """A committed change: start the rules it fires (none for a workflow's own changes)."""
    runs_start(traject=traject, changes=changes, origin=origin)
