"""Reading a rendered board: columns, their cards and headers, as a browser sees them."""

import re
from html.parser import HTMLParser


class _BoardReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.columns: dict[str, dict] = {}
        self._column = None
        self._card = None
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "section" and "board-column" in classes:
            self._column = {
                "stage": attrs.get("data-stage"),
                "name": "",
                "cards": [],
                "count": None,
                "label": attrs.get("aria-labelledby"),
            }
            self.columns[attrs["id"]] = self._column
        elif tag == "h2" and self._column is not None:
            self._in = "name"
        elif tag == "span" and "board-count" in classes and self._column is not None:
            self._column["count"] = int(attrs["data-count"])
        elif tag == "li" and "board-card" in classes:
            self._card = {
                "id": int(attrs["data-traject"]),
                "stage": attrs.get("data-stage"),
                "subject": "",
                "misplaced": "misplaced" in classes,
                "text": "",
            }
            if self._column is not None:
                self._column["cards"].append(self._card)
        elif tag == "a" and "board-card-subject" in classes and self._card is not None:
            self._in = "subject"
            self._card["title"] = attrs.get("title")

    def handle_endtag(self, tag):
        if tag in ("h2", "a"):
            self._in = None
        elif tag == "li":
            self._card = None
        elif tag == "section":
            self._column = None

    def handle_data(self, data):
        if self._in == "name" and self._column is not None:
            self._column["name"] += data
        if self._card is not None:
            self._card["text"] += data
            if self._in == "subject":
                self._card["subject"] += data


def board_columns(html: str) -> dict[str, dict]:
    """{column name: {stage, cards: [{id, subject, ...}], count}} in the page's order."""
    reader = _BoardReader()
    reader.feed(html)
    return {column["name"].strip(): column for column in reader.columns.values()}


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-traject="(\d+)"', html)]


def header_sums(html: str, column_dom_id: str) -> tuple[str, str, str]:
    """(count, waarde, omzet) of one column's header, the amounts exact (data-value)."""
    head = html.split(f'id="{column_dom_id}-kop"')[1].split("</header>")[0]
    count = re.search(r'data-count="(\d+)"', head).group(1)
    value = re.search(r'board-value" data-value="([^"]*)"', head).group(1)
    weighted = re.search(r'board-weighted" data-value="([^"]*)"', head).group(1)
    return int(count), value, weighted
