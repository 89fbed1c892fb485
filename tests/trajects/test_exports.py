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


def test_xlsx_over_the_limit_is_offered_as_csv(client_for, beheerder, world, monkeypatch):
    from trajects import views

    monkeypatch.setattr(views, "XLSX_MAX", 1)
    response = client_for(beheerder).get("/sales/export.xlsx", {"keyword": "e"}, follow=True)
    assert response.status_code == 200
    assert "exporteer als CSV" in response.text
    assert response.redirect_chain[0][0].startswith("/sales/?keyword=e")


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
