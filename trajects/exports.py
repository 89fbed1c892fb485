"""Exports of the trajects overview: the same rows, columns, shares and visibility as the page.

Rows are read from a server-side cursor inside a transaction. Outside one, Django declares the
cursor WITH HOLD on PostgreSQL, and PostgreSQL then computes the whole result before the first
row (6.5–14 s at 200,000 trajects). A result of more than EXPORT_BACKGROUND_ROWS is written to a
file by a Celery task (ExportJob) when a worker is there; the embedded default (eager Celery)
streams CSV in the request as before.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils.formats import date_format, number_format
from openpyxl import Workbook

from .tables import EXPORT_VALUES

CHUNK = 2000
# Rows go out in pieces of about this size: one write per line would be a million writes.
PIECE = 64 * 1024
# Excel's 1,048,576 rows a sheet, less the header row: beyond, the rows go on in a next sheet.
XLSX_SHEET_ROWS = 1_048_575
# How often a background export reports its progress.
PROGRESS_EVERY = 10_000


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def export_records(overview):
    """The whole filtered, sorted result with what the columns need, fetched in chunks.

    Iterate it inside a transaction: a server-side cursor opened outside one is holdable.
    """
    related, accountmanagers = overview.table.related()
    # Only the fields the columns read, as the page does: a million rows' unused timestamps
    # were a fifth of the time.
    records = overview.table.data.data.select_related(*related).only(*overview.table.fields())
    if accountmanagers:
        records = records.with_accountmanager_names()
    return records.iterator(chunk_size=CHUNK)


@contextmanager
def reading():
    """The transaction an export's cursor lives in. On PostgreSQL without JIT: compiling the
    plan of a million rows held back the first row by a second or more, and gains nothing here."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def in_background(queryset, export_format: str) -> bool:
    """Whether this export is a background job: more than EXPORT_BACKGROUND_ROWS rows, and a
    worker to run it (without one, CSV streams in the request; XLSX runs its job there).

    Counts at most EXPORT_BACKGROUND_ROWS + 1 rows, so the question costs the same at any size.
    """
    if export_format == "csv" and current_app.conf.task_always_eager:
        return False
    limit = settings.EXPORT_BACKGROUND_ROWS
    return queryset.order_by()[: limit + 1].count() > limit


# A cell starting with one of these is a formula to Excel and LibreOffice: typed text (a subject,
# a relation name) must never run as one in whoever opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """Typed text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_format(value, 2)
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int):  # a number, not typed text: -1 remaining days stays -1
        return str(value)
    return _inert(str(value))


def _labels(overview) -> list[str]:
    labels = dict(overview.table.column_choices())
    return [labels[name] for name in overview.columns]


def csv_lines(overview):
    """The header and then one line per traject, separated by ';' as Dutch Excel expects.

    Iterate it inside a transaction (csv_stream does).
    """
    writer = csv.writer(_Echo(), delimiter=";")
    columns = overview.columns
    yield "\ufeff" + writer.writerow(_labels(overview))
    for record in export_records(overview):
        yield writer.writerow([_text(EXPORT_VALUES[name](record)) for name in columns])


def csv_stream(overview) -> Iterator[str]:
    """The CSV for a StreamingHttpResponse: the header at once, then the rows in pieces.

    The transaction and its cursor live in this generator, which runs after the view has
    returned; closing it early (the client went away) rolls the transaction back.
    """
    lines = csv_lines(overview)
    yield next(lines)
    with reading(), closing(lines):  # the cursor is closed inside its transaction
        piece, size = [], 0
        for line in lines:
            piece.append(line)
            size += len(line)
            if size >= PIECE:
                yield "".join(piece)
                piece, size = [], 0
        if piece:
            yield "".join(piece)


def _xlsx_write(overview, handle, progress: Callable[[int], None] | None = None) -> int:
    labels = _labels(overview)
    workbook = Workbook(write_only=True)
    sheet, in_sheet, done = None, XLSX_SHEET_ROWS, 0
    with reading():
        for record in export_records(overview):
            if in_sheet == XLSX_SHEET_ROWS:
                number = done // XLSX_SHEET_ROWS + 1
                sheet = workbook.create_sheet("Trajecten" + (f" {number}" if number > 1 else ""))
                sheet.append(labels)
                in_sheet = 0
            sheet.append([_inert(EXPORT_VALUES[name](record)) for name in overview.columns])
            in_sheet += 1
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
    if sheet is None:
        workbook.create_sheet("Trajecten").append(labels)
    workbook.save(handle)
    return done


def _csv_write(overview, handle, progress: Callable[[int], None] | None = None) -> int:
    lines = csv_lines(overview)
    handle.write(next(lines).encode("utf-8"))
    done = 0
    with reading():
        for line in lines:
            handle.write(line.encode("utf-8"))
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
    return done


def export_write(overview, export_format: str, handle, progress=None) -> int:
    """Write the whole export to a binary file; returns the number of rows."""
    write = _csv_write if export_format == "csv" else _xlsx_write
    return write(overview, handle, progress)


def xlsx_file(overview):
    """A temporary file holding the workbook; amounts and dates stay numbers and dates."""
    # Returned open: FileResponse streams it and closes it when the response is done.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    _xlsx_write(overview, handle)
    handle.seek(0)
    return handle
