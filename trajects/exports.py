"""Exports of the trajects overview: the same rows, columns, shares and visibility as the page.

CSV is streamed from a server-side cursor in chunks, so a million rows never sit in memory;
XLSX (openpyxl's write-only mode) is offered up to XLSX_MAX rows.
"""

import csv
import datetime
import tempfile
from decimal import Decimal

from django.utils.formats import date_format, number_format
from openpyxl import Workbook

from .tables import EXPORT_VALUES

CHUNK = 2000
XLSX_MAX = 100_000


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def export_records(overview):
    """The whole filtered, sorted result with what the columns need, fetched in chunks."""
    related, accountmanagers = overview.table.related()
    records = overview.table.data.data.select_related(*related)
    if accountmanagers:
        records = records.with_accountmanager_names()
    return records.iterator(chunk_size=CHUNK)


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
    return _inert(str(value))


def csv_lines(overview):
    """The header and then one line per traject, separated by ';' as Dutch Excel expects."""
    writer = csv.writer(_Echo(), delimiter=";")
    columns = overview.columns
    labels = dict(overview.table.column_choices())
    yield "\ufeff" + writer.writerow([labels[name] for name in columns])
    for record in export_records(overview):
        yield writer.writerow([_text(EXPORT_VALUES[name](record)) for name in columns])


def xlsx_file(overview):
    """A temporary file holding the workbook; amounts and dates stay numbers and dates."""
    labels = dict(overview.table.column_choices())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Trajecten")
    sheet.append([labels[name] for name in overview.columns])
    for record in export_records(overview):
        sheet.append([_inert(EXPORT_VALUES[name](record)) for name in overview.columns])
    # Returned open: FileResponse streams it and closes it when the response is done.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle
