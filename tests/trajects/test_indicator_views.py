"""The remaining-days indicator over HTTP (issue 13, point 7): on the trajects overview, the
leads overview and the detail page, at the boundaries, with the client's own thresholds."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app.models import ClientSettings, TrajectType
from trajects.tables import short_date

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC)  # 10:00 in Amsterdam
TODAY = datetime.date(2027, 3, 10)
N, M = 10, 2  # this client's thresholds (not the defaults 14 / 3)

# Days left → (level, days, visible text), written out by hand for N = 10, M = 2.
GOLDEN = {
    N + 1: ("green", 11, "nog 11 dagen", "op schema"),
    N: ("orange", 10, "nog 10 dagen", "let op"),
    M + 1: ("orange", 3, "nog 3 dagen", "let op"),
    M: ("red", 2, "nog 2 dagen", "dringend"),
    0: ("red", 0, "vandaag", "dringend"),
    -1: ("overdue", 1, "verlopen, 1 dag", "verlopen"),
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    ClientSettings.objects.filter(pk=1).update(remaining_days_orange=N, remaining_days_red=M)


def close_in(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def make(am, **kwargs):
    """One traject per boundary, plus a won and a lost one whose date has passed."""
    made = {
        days: TrajectFactory(
            subject=f"D{days:+d}", accountmanagers=[am], expected_close=close_in(days), **kwargs
        )
        for days in GOLDEN
    }
    for name, outcome in (("Order", "won"), ("Lost", "lost")):
        made[outcome] = TrajectFactory(
            subject=f"closed {outcome}",
            accountmanagers=[am],
            expected_close=close_in(-5),
            type=TrajectType.objects.get(name=name),
            probability=100 if outcome == "won" else 0,
            closed_at=NOW - datetime.timedelta(days=1),
            **kwargs,
        )
    return made


def badges_by_row(page: str) -> dict[str, str]:
    """Each table row's subject → the HTML of its remaining-days cell ('' when empty)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        subject = re.search(r'<a href="/sales/\d+/">([^<]*)</a>', row).group(1)
        cell = re.search(r'<td class="remaining-cell">(.*?)</td>', row, re.S)
        found[subject] = cell.group(1) if cell else None
    return found


def check_golden(cell: str, days_left: int) -> None:
    level, days, text, word = GOLDEN[days_left]
    assert f'data-remaining-level="{level}"' in cell, (days_left, cell)
    assert f'data-remaining-days="{days}"' in cell
    assert text in cell
    # Colour is never the only signal: the level in words is the badge's accessible name.
    assert f'<span class="visually-hidden">Resterende dagen: {text}, {word}</span>' in cell


class TestTrajectsOverview:
    def test_the_column_at_the_boundaries_and_nothing_for_won_or_lost(self, client_for, am):
        make(am)
        response = client_for(am).get("/sales/", {"dates": "1"})
        assert response.status_code == 200
        assert 'data-sort="remaining_days">Resterende dagen</a>' in response.text
        cells = badges_by_row(response.text)
        for days_left in GOLDEN:
            check_golden(cells[f"D{days_left:+d}"], days_left)
        assert cells["closed won"] == "" and cells["closed lost"] == ""

    def test_the_thresholds_are_the_clients_for_every_user(
        self, client_for, am, other_am, beheerder
    ):
        make(am)
        TrajectFactory(subject="van bob", accountmanagers=[other_am], expected_close=close_in(N))
        bob = badges_by_row(client_for(other_am).get("/sales/", {"dates": "1"}).text)
        assert list(bob) == ["van bob"]
        check_golden(bob["van bob"], N)
        everyone = badges_by_row(client_for(beheerder).get("/sales/", {"dates": "1"}).text)
        check_golden(everyone[f"D{M + 1:+d}"], M + 1)
        check_golden(everyone["van bob"], N)

    def test_the_column_can_be_sorted_and_left_out(self, client_for, am):
        make(am)
        client = client_for(am)
        page = client.get("/sales/", {"dates": "1", "sort": "remaining_days"}).text
        subjects = list(badges_by_row(page))
        assert subjects[:2] == ["closed won", "closed lost"] or subjects[:2] == [
            "closed lost",
            "closed won",
        ]
        assert subjects[2:] == ["D-1", "D+0", "D+2", "D+3", "D+10", "D+11"]
        without = client.get("/sales/", {"dates": "1", "cols": ["subject", "expected_close"]})
        assert "data-remaining-level" not in without.text
        assert 'data-sort="remaining_days"' not in without.text

    def test_the_export_gives_the_days_as_a_number(self, client_for, am):
        make(am)
        response = client_for(am).get(
            reverse("trajects:export_csv"),
            {"dates": "1", "cols": ["subject", "remaining_days"]},
        )
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = dict(line.split(";")[:2] for line in text.splitlines()[1:] if ";" in line)
        assert lines["D+11"] == "11" and lines["D-1"] == "-1" and lines["closed won"] == ""

    def test_rows_do_not_cost_queries(self, client_for, am):
        client = client_for(am)
        params = {"dates": "1", "cols": ["subject", "remaining_days"]}
        TrajectFactory(accountmanagers=[am], expected_close=close_in(1))
        client.get("/sales/", params)
        with CaptureQueriesContext(connection) as one:
            client.get("/sales/", params)
        for days in range(24):
            TrajectFactory(accountmanagers=[am], expected_close=close_in(days - 5))
        with CaptureQueriesContext(connection) as many:
            assert client.get("/sales/", params).text.count("data-remaining-level") == 25
        assert len(many.captured_queries) == len(one.captured_queries)


class TestLeadsOverview:
    def test_the_column_at_the_boundaries_and_nothing_for_won_or_lost(self, client_for, am):
        make(am, converted_at=None)
        response = client_for(am).get("/sales/leads/")
        assert response.status_code == 200
        # The trajects overview's column (issue 14): sortable there and here.
        assert 'data-sort="remaining_days">Resterende dagen</a>' in response.text
        cells = badges_by_row(response.text)
        for days_left in GOLDEN:
            check_golden(cells[f"D{days_left:+d}"], days_left)
        assert cells["closed won"] == "" and cells["closed lost"] == ""

    def test_rows_do_not_cost_queries(self, client_for, am):
        client = client_for(am)
        TrajectFactory(accountmanagers=[am], converted_at=None)
        client.get("/sales/leads/")
        with CaptureQueriesContext(connection) as one:
            client.get("/sales/leads/")
        for days in range(14):
            TrajectFactory(accountmanagers=[am], converted_at=None, expected_close=close_in(days))
        with CaptureQueriesContext(connection) as many:
            assert client.get("/sales/leads/").text.count("data-remaining-level") == 15
        assert len(many.captured_queries) == len(one.captured_queries)


class TestDetailPage:
    def expected_close_cell(self, client, traject) -> str:
        response = client.get(reverse("trajects:detail", args=[traject.pk]))
        assert response.status_code == 200
        return re.search(r'<dd id="info-expected_close">(.*?)</dd>', response.text, re.S).group(1)

    def test_beside_sluiting_verwacht_at_the_boundaries(self, client_for, am):
        made = make(am)
        client = client_for(am)
        for days_left in GOLDEN:
            cell = self.expected_close_cell(client, made[days_left])
            assert short_date(close_in(days_left)) in cell
            check_golden(cell, days_left)
        for outcome in ("won", "lost"):
            assert "remaining" not in self.expected_close_cell(client, made[outcome])

    def test_the_beheerder_sees_the_same(self, client_for, am, beheerder):
        made = make(am)
        check_golden(self.expected_close_cell(client_for(beheerder), made[0]), 0)

    def test_someone_elses_traject_is_still_404(self, client_for, am, other_am):
        made = make(am)
        response = client_for(other_am).get(reverse("trajects:detail", args=[made[0].pk]))
        assert response.status_code == 404
