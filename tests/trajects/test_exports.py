"""Exports: the same rows, columns, shares and visibility as the page."""

import csv
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from ..factories import AccountmanagerFactory, TrajectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(am, other_am):
    TrajectFactory(
        subject="Gedeeld", value=Decimal("5000"), probability=50, accountmanagers=[am, other_am]
    )
    TrajectFactory(subject="Van Bob", value=Decimal("700"), accountmanagers=[other_am])


def csv_lines(response) -> list[str]:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_csv_has_the_columns_and_the_accountmanagers_share(client_for, am, world):
    response = client_for(am).get("/sales/export.csv", {"cols": ["subject", "value", "weighted"]})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert csv_lines(response) == ["Onderwerp;Waarde;Gewogen", "Gedeeld;2500,00;1250,00"]


def test_csv_shares_of_three_add_up_to_the_value(client_for, beheerder, am, other_am):
    cor = AccountmanagerFactory(username="am_cor")
    TrajectFactory(
        subject="Duizend", value=Decimal("1000"), probability=55,
        accountmanagers=[am, other_am, cor],
    )  # fmt: skip
    query = {"cols": ["subject", "value", "weighted"]}
    everyone = {**query, "accountmanager": [am.pk, other_am.pk, cor.pk]}
    lines = csv_lines(client_for(beheerder).get("/sales/export.csv", everyone))
    assert lines == ["Onderwerp;Waarde;Gewogen", "Duizend;1000,00;550,00"]
    shares = [
        csv_lines(client_for(beheerder).get("/sales/export.csv", {**query, "accountmanager": pk}))
        for pk in (am.pk, other_am.pk, cor.pk)
    ]
    assert [lines[1] for lines in shares] == [
        "Duizend;333,34;183,34",
        "Duizend;333,33;183,33",
        "Duizend;333,33;183,33",
    ]
    mine = csv_lines(client_for(am).get("/sales/export.csv", query))
    assert mine[1] == "Duizend;333,34;183,34"


def test_csv_for_a_beheerder_is_the_whole_filtered_result(client_for, beheerder, world):
    lines = csv_lines(
        client_for(beheerder).get("/sales/export.csv", {"cols": ["subject", "value"]})
    )
    assert sorted(lines[1:]) == ["Gedeeld;5000,00", "Van Bob;700,00"]
    filtered = csv_lines(
        client_for(beheerder).get("/sales/export.csv", {"cols": ["subject"], "keyword": "bob"})
    )
    assert filtered == ["Onderwerp", "Van Bob"]


def test_csv_streams_in_chunks_of_a_server_side_cursor(client_for, beheerder, am, monkeypatch):
    from trajects import exports

    monkeypatch.setattr(exports, "CHUNK", 7)
    for index in range(40):
        TrajectFactory(subject=f"R{index:02}", accountmanagers=[am])
    lines = csv_lines(
        client_for(beheerder).get(
            "/sales/export.csv", {"cols": ["subject", "accountmanagers"], "sort": "subject"}
        )
    )
    assert len(lines) == 41 and lines[1].startswith("R00;") and am.last_name in lines[1]


def test_xlsx_keeps_numbers_as_numbers(client_for, am, world):
    response = client_for(am).get(
        "/sales/export.xlsx", {"cols": ["subject", "value", "expected_close"]}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Onderwerp", "Waarde", "Sluiting verwacht")
    assert rows[1][:2] == ("Gedeeld", 2500)
    assert len(rows) == 2


def test_the_xlsx_goes_on_in_a_next_sheet_past_a_sheets_rows(client_for, am, monkeypatch):
    from trajects import exports

    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 2)
    for index in range(3):
        TrajectFactory(subject=f"R{index}", accountmanagers=[am])
    response = client_for(am).get("/sales/export.xlsx", {"cols": ["subject"], "sort": "subject"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Trajecten", "Trajecten 2"]
    assert [list(sheet.values) for sheet in book.worksheets] == [
        [("Onderwerp",), ("R0",), ("R1",)],
        [("Onderwerp",), ("R2",)],
    ]


def test_nobody_exports_nothing(client_for, nobody, world):
    assert csv_lines(client_for(nobody).get("/sales/export.csv", {"cols": ["subject"]})) == [
        "Onderwerp"
    ]


@pytest.mark.parametrize(
    "subject",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', '=HYPERLINK("http://x")'],
)
def test_typed_text_stays_text_in_both_exports(client_for, am, subject):
    TrajectFactory(subject=subject, accountmanagers=[am])
    lines = csv_lines(client_for(am).get("/sales/export.csv", {"cols": ["subject"]}))
    expected = "'" + subject if subject.startswith("=") else subject
    assert list(csv.reader(lines, delimiter=";")) == [["Onderwerp"], [expected]]
    response = client_for(am).get("/sales/export.xlsx", {"cols": ["subject"]})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == expected and cell.data_type == "s"


def test_csv_rows_leave_in_pieces_not_a_write_per_line(client_for, am, monkeypatch):
    from trajects import exports

    monkeypatch.setattr(exports, "PIECE", 20)
    for index in range(6):
        TrajectFactory(subject=f"Onderwerp {index}", accountmanagers=[am])
    response = client_for(am).get("/sales/export.csv", {"cols": ["subject"], "sort": "subject"})
    pieces = list(response.streaming_content)
    # The header alone at once, then pieces of at least PIECE characters, the last one less.
    assert pieces[0].decode("utf-8-sig") == "Onderwerp\r\n"
    assert [piece.count(b"\r\n") for piece in pieces[1:]] == [2, 2, 2]
    assert b"".join(pieces).decode("utf-8-sig").splitlines()[1:] == [
        f"Onderwerp {index}" for index in range(6)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_streamed_csv_reads_a_cursor_that_is_not_holdable(client_for, am, monkeypatch):
    """Outside a transaction Django declares the cursor WITH HOLD, and PostgreSQL computes the
    whole result before the first row; inside one the rows come as the cursor is read."""
    from django.db import connection

    from trajects import exports

    monkeypatch.setattr(exports, "CHUNK", 2)
    monkeypatch.setattr(exports, "PIECE", 1)
    for index in range(5):
        TrajectFactory(subject=f"R{index}", accountmanagers=[am])
    response = client_for(am).get("/sales/export.csv", {"cols": ["subject"], "sort": "subject"})
    pieces = iter(response.streaming_content)
    assert next(pieces).decode("utf-8-sig") == "Onderwerp\r\n"
    assert next(pieces) == b"R0\r\n"
    with connection.cursor() as cursor:  # the request's connection: pg_cursors is per session
        cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        assert [row[0] for row in cursor.fetchall()] == [False]
        cursor.execute("SHOW jit")  # compiling a million rows' plan held back the first row
        assert cursor.fetchone() == ("off",)
    assert [piece.decode() for piece in pieces] == ["R1\r\n", "R2\r\n", "R3\r\n", "R4\r\n"]
    response.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone() == (0,)
    assert not connection.in_atomic_block
    # A client that goes away after the first row: the transaction and cursor end with it.
    response = client_for(am).get("/sales/export.csv", {"cols": ["subject"], "sort": "subject"})
    pieces = iter(response.streaming_content)
    assert [next(pieces), next(pieces)] == [b"\xef\xbb\xbfOnderwerp\r\n", b"R0\r\n"]
    assert connection.in_atomic_block
    response.close()
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone() == (0,)


def test_every_column_is_exported_without_a_query_per_row(
    client_for, beheerder, am, other_am, django_assert_max_num_queries
):
    from trajects.tables import TrajectTable

    columns = [name for name, _label in TrajectTable.column_choices()]
    for index in range(3):
        TrajectFactory(subject=f"R{index}", accountmanagers=[am, other_am], lead_by=am)
    client = client_for(beheerder)
    response = client.get("/sales/export.csv", {"cols": columns, "sort": "subject"})
    # The rows (and on SQLite their accountmanagers) inside a savepoint: a field a column reads
    # that the query left out would cost a query for each of the three rows.
    with django_assert_max_num_queries(4):
        lines = csv_lines(response)
    assert len(lines) == 4 and all(len(line.split(";")) == len(columns) for line in lines)
    assert (
        lines[1].startswith("R0;") and am.last_name in lines[1] and other_am.last_name in lines[1]
    )


def test_xlsx_shares_of_three_add_up_to_the_value(client_for, beheerder, am, other_am):
    """Issue 12, point 1 in the XLSX export too: € 1.000 at 55 % over three accountmanagers."""
    cor = AccountmanagerFactory(username="am_cor")
    TrajectFactory(
        subject="Duizend", value=Decimal("1000"), probability=55,
        accountmanagers=[am, other_am, cor],
    )  # fmt: skip

    def row(user, **params):
        query = {"cols": ["subject", "value", "weighted"], **params}
        response = client_for(user).get("/sales/export.xlsx", query)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2
        return tuple(Decimal(str(cell)) for cell in rows[1][1:])

    everyone = [am.pk, other_am.pk, cor.pk]
    assert row(beheerder, accountmanager=everyone) == (Decimal("1000"), Decimal("550"))
    shares = [row(beheerder, accountmanager=pk) for pk in everyone]
    assert shares == [
        (Decimal("333.34"), Decimal("183.34")),
        (Decimal("333.33"), Decimal("183.33")),
        (Decimal("333.33"), Decimal("183.33")),
    ]
    assert sum(value for value, _ in shares) == Decimal("1000")
