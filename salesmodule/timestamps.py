"""Timestamps PostgreSQL keeps but Python cannot hold (before year 1, after 9999) still load."""

import datetime

from django.db.backends.signals import connection_created

# The nearest moments Python can represent and still convert to any local time zone.
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC) + datetime.timedelta(days=1)
LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC) - datetime.timedelta(days=1)


def _clamping(loader_class):
    """A subclass of the connection's timestamptz loader that clamps instead of raising."""
    from psycopg import DataError

    class ClampingLoader(loader_class):
        def load(self, data):
            try:
                return super().load(data)
            except DataError as exc:
                if "too small" in str(exc):
                    return EARLIEST
                if "too large" in str(exc):
                    return LATEST
                raise

    ClampingLoader.__name__ = f"Clamping{loader_class.__name__}"
    return ClampingLoader


def clamp_out_of_range_timestamps(sender, connection, **kwargs) -> None:
    """Register the clamping loader on a new PostgreSQL connection: one appointment typed as
    0001-01-01 must not make its traject's pages fail for good (issue 12)."""
    if connection.vendor != "postgresql":
        return
    from psycopg.pq import Format

    # Django reads results as text (its own loader, in the connection's time zone).
    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    current = adapters.get_loader(oid, Format.TEXT)
    if current is not None and not current.__name__.startswith("Clamping"):
        adapters.register_loader(oid, _clamping(current))


def connect() -> None:
    """Listen for new database connections."""
    connection_created.connect(clamp_out_of_range_timestamps, dispatch_uid="clamp_timestamps")
