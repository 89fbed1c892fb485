"""Queries sent ahead: the database works on one while Python builds the page.

A page's slowest query is often one whose answer is shown last (the overview's "Totaal" line,
under its table). Inside `sending_ahead()`, `aggregate_ahead()` sends such an aggregate on the
request's own PostgreSQL connection in psycopg's pipeline mode and returns at once; the figures
are read when first used. The database answers on the other core while the table is rendered.

The same connection and the same transaction as the rest of the request: the figures are those
of the same data (in a test's transaction too), and the query is logged like any other. Outside
the scope, or on another database (SQLite), the aggregate simply runs at once.
"""

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Value

_pending: ContextVar[list | None] = ContextVar("sent_ahead", default=None)


@contextmanager
def sending_ahead() -> Iterator[None]:
    """Allow aggregate_ahead() to send queries ahead; every one sent is finished on leaving, so
    the connection is back to normal whatever happened (read or not, error or not)."""
    sent: list[_Ahead] = []
    token = _pending.set(sent)
    try:
        yield
    except BaseException:
        for ahead in sent:
            ahead.close(quiet=True)  # the error at hand is the one to report
        raise
    else:
        for ahead in sent:
            ahead.close()
    finally:
        _pending.reset(token)


def aggregate_ahead(queryset, figures: dict) -> Mapping:
    """queryset.aggregate(**figures), sent now and read when first used (see the module).

    Every figure needs an explicit output_field: it converts the raw value as Django would.
    Where aggregate() needs more than one plain SELECT (a distinct, sliced or aggregated
    queryset), or none (a queryset that can hold no rows), it simply runs at once.
    """
    connection = connections[queryset.db]
    query = queryset.query
    if (
        _pending.get() is None
        or connection.vendor != "postgresql"
        or query.distinct
        or query.is_sliced
        or query.combinator
        or any(annotation.contains_aggregate for annotation in query.annotations.values())
    ):
        return queryset.aggregate(**figures)
    # The same aggregate as the one row of a values() query grouped by a constant, which
    # Django leaves out of GROUP BY: the figures are over all rows, as aggregate() has them.
    one_row = queryset.order_by().values(_ahead=Value(1)).annotate(**figures).values(*figures)
    try:
        sql, params = one_row.query.sql_with_params()
    except EmptyResultSet:
        return queryset.aggregate(**figures)  # answered without asking the database
    ahead = _Ahead(connection, sql, params, figures)
    _pending.get().append(ahead)
    return ahead


class _Ahead(Mapping):
    """The one row of an aggregate sent ahead, as a read-only mapping of its figures."""

    def __init__(self, connection, sql, params, figures: dict):
        self._connection = connection
        self._figures = figures
        self._values = None
        connection.ensure_connection()
        self._stack = ExitStack()
        self._stack.enter_context(connection.connection.pipeline())
        try:
            self._cursor = connection.cursor()
            self._cursor.execute(sql, params)  # sent; the answer is not awaited
        except BaseException:
            self._stack.close()
            raise

    def _read(self) -> dict:
        if self._values is None:
            try:
                row = self._cursor.fetchone()
            except BaseException:
                self.close(quiet=True)  # the query's own error is the one to report
                raise
            self.close()
            self._cursor.close()
            self._values = {
                name: figure.convert_value(value, figure, self._connection)
                for (name, figure), value in zip(self._figures.items(), row, strict=True)
            }
        return self._values

    def close(self, *, quiet: bool = False) -> None:
        """Leave pipeline mode, once; an answer not read yet is kept on the cursor for _read."""
        stack, self._stack = self._stack, None
        if stack is None:
            return
        try:
            stack.close()
        except Exception:
            if not quiet:
                raise

    def __getitem__(self, name):
        return self._read()[name]

    def __iter__(self):
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._figures)

    def __repr__(self) -> str:
        state = "unread" if self._values is None else repr(self._values)
        return f"<aggregate sent ahead: {state}>"
