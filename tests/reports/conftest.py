"""Fixtures of the report tests: a frozen clock, Sales Select, helpers to read the pages."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

# Every report test runs on this day unless it moves the clock itself (time_machine).
NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return TODAY


def url(name: str, **params) -> str:
    from urllib.parse import urlencode

    query = urlencode(params, doseq=True)
    return reverse(f"reports:{name}") + (f"?{query}" if query else "")


class TableReader(HTMLParser):
    """Every table of a page by id: rows of (row header, [data-value of each cell], [link])."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list] = {}
        self.bars: list[dict] = []
        self._table = None
        self._row = None
        self._in_th = False
        self._cell_link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = {"label": "", "values": [], "links": []}
        elif tag == "th" and self._row is not None and attrs.get("scope") == "row":
            self._in_th = True
        elif tag == "td" and self._row is not None:
            self._row["values"].append(attrs.get("data-value"))
            self._row["links"].append(None)
        elif tag == "a" and self._row is not None and self._row["values"]:
            self._row["links"][-1] = attrs.get("href")
        elif tag == "rect" and "data-value" in attrs:
            self.bars.append(attrs)

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False
        elif tag == "tr" and self._row is not None:
            if self._row["values"]:
                self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_th and self._row is not None:
            self._row["label"] += data


def read_page(html: str) -> TableReader:
    reader = TableReader()
    reader.feed(html)
    return reader


def amounts(row) -> list[Decimal]:
    return [Decimal(v) for v in row["values"]]


def strip(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
