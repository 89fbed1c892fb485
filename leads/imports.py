"""Reading a lead file (CSV or XLSX) into rows and naming what is wrong with each row.

Nothing here writes: `leads.services` turns the valid rows into leads in one transaction.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from salesmodule.amounts import parse_amount
from salesmodule.text import normalise
from settings_app.models import Source, Stage
from settings_app.roles import accountmanagers

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_VALUE = Decimal("999999999999.99")  # what Traject.value (14 digits, 2 decimals) holds

# Column → the header names we accept for it (compared without case, accents, spaces, dashes).
COLUMNS = {
    "subject": ("subject", "onderwerp"),
    "relation": ("relation", "relatie", "bedrijf", "company"),
    "contact": ("contact", "contactpersoon", "contactperson"),
    "email": ("email", "emailadres", "emailaddress"),
    "value": ("value", "waarde"),
    "source": ("source", "bron"),
    "stage": ("stage", "fase"),
    "accountmanager": (
        "accountmanageremail",
        "accountmanageremailadres",
        "accountmanager",
        "accountmanagermail",
    ),
}
REQUIRED_COLUMNS = ("subject", "relation")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, too big)."""


@dataclass
class ImportRow:
    number: int  # the row number the user sees in his spreadsheet (the header is row 1)
    subject: str = ""
    relation: str = ""
    contact: str = ""
    email: str = ""
    value: Decimal | None = None
    source: Source | None = None
    stage: Stage | None = None
    accountmanager: object = None
    errors: list[str] = field(default_factory=list)


def _header_key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(str(text or "")))


def _cell(value) -> str:
    """A cell as text: XLSX numbers without a trailing '.0', whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("Dit XLSX-bestand kan niet worden gelezen.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = []
        for values in reader:
            rows.append([value.strip() for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise ImportFileError(_("Dit CSV-bestand kan niet worden gelezen: %s") % exc) from exc


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of text, header first."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Een importbestand is hooguit 20 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise ImportFileError(_("Kies een CSV- of XLSX-bestand."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("Een import heeft hooguit 50.000 rijen; splits het bestand."))
    # PostgreSQL refuses NUL in text and JSON: a cell's NUL would fail the preview (a bad
    # cell is quoted in its reason) or the import. It is no character anyone meant.
    return [[value.replace("\x00", "") for value in row] for row in rows]


def parse_value(text: str) -> Decimal | None:
    """An amount as typed in NL or EN notation ('1.250,50', '2.500', '1250.50', '€ 1250'), read
    by the one amount parser of every money input (salesmodule.amounts).

    Raises ValueError with the reason.
    """
    try:
        # Read as Dutch whatever language the task runs in: '2.500' is two thousand five hundred.
        amount = parse_amount(text, decimal_mark=",")
    except ValueError:
        raise ValueError(_('waarde "%s" is geen bedrag') % text) from None
    if amount is None:
        return None
    if amount < 0:
        raise ValueError(_('waarde "%s" kan niet negatief zijn') % text)
    if amount > MAX_VALUE:
        raise ValueError(_('waarde "%s" is te groot') % text)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_('waarde "%s" heeft meer dan twee decimalen') % text)
    return amount.quantize(Decimal("0.01"))


def _columns(header: list[str]) -> dict[str, int]:
    keys = [_header_key(text) for text in header]
    found = {}
    for column, names in COLUMNS.items():
        for name in names:
            if name in keys:
                found[column] = keys.index(name)
                break
    missing = [column for column in REQUIRED_COLUMNS if column not in found]
    if missing:
        raise ImportFileError(
            _("De eerste rij moet de kolomnamen bevatten; ontbreekt: %s.")
            % ", ".join(COLUMNS[column][0] for column in missing)
        )
    return found


def rows_validate(table: list[list[str]]) -> list[ImportRow]:
    """Every non-empty data row, each with the reasons it cannot be imported (if any)."""
    if not table:
        raise ImportFileError(_("Het bestand is leeg."))
    columns = _columns(table[0])
    sources = {normalise(source.name): source for source in Source.objects.active()}
    # A lead starts in an open stage (a won or lost one would need a reason).
    stages = {
        normalise(stage.name): stage
        for stage in Stage.objects.active().filter(outcome_on_entry="").order_by("-order", "-pk")
    }
    managers = {
        user.email.lower(): user for user in accountmanagers().exclude(email="").order_by("pk")
    }
    known_users = {
        email.lower()
        for email in get_user_model().objects.exclude(email="").values_list("email", flat=True)
    }
    rows = []
    for index, values in enumerate(table[1:], start=2):
        if not any(values):
            continue

        def get(column, values=values):
            position = columns.get(column)
            return values[position] if position is not None and position < len(values) else ""

        row = ImportRow(number=index)
        row.subject = " ".join(get("subject").split())
        row.relation = " ".join(get("relation").split())
        row.contact = " ".join(get("contact").split())
        row.email = get("email")
        if not row.subject:
            row.errors.append(_("onderwerp ontbreekt"))
        elif len(row.subject) > 255:
            row.errors.append(_("onderwerp is langer dan 255 tekens"))
        if not row.relation:
            row.errors.append(_("relatie ontbreekt"))
        elif len(row.relation) > 200:
            row.errors.append(_("relatienaam is langer dan 200 tekens"))
        if len(row.contact) > 200:
            row.errors.append(_("naam contactpersoon is te lang"))
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(_('e-mailadres "%s" is ongeldig') % row.email)
        try:
            row.value = parse_value(get("value"))
        except ValueError as exc:
            row.errors.append(str(exc))
        source_name = get("source")
        if source_name:
            row.source = sources.get(normalise(source_name))
            if row.source is None:
                row.errors.append(_('onbekende bron "%s"') % source_name)
        stage_name = get("stage")
        if stage_name:
            row.stage = stages.get(normalise(stage_name))
            if row.stage is None:
                row.errors.append(_('onbekende of gesloten stage "%s"') % stage_name)
        manager_email = get("accountmanager")
        if manager_email:
            row.accountmanager = managers.get(manager_email.lower())
            if row.accountmanager is None:
                reason = (
                    _('"%s" is geen actieve accountmanager')
                    if manager_email.lower() in known_users
                    else _('onbekende accountmanager "%s"')
                )
                row.errors.append(reason % manager_email)
        rows.append(row)
    return rows
