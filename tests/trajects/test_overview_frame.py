"""The trajects overview's new frame (issue 14) over HTTP: month chips and their words, the
year stepper, one criterion at a time, the totals inside the table, the column arrows, and
the lead form's "Lead door" list."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from trajects.tables import DEFAULT_COLUMNS

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db

URL = "/sales/"
D = datetime.date


def period(response) -> str:
    return re.search(r'<span class="period" id="period">(.*?)</span>', response.text).group(1)


def checked(response, name: str) -> list[str]:
    """The values of the ticked month or year chips."""
    return re.findall(rf'name="{name}" value="(\d+)" id="{name}-\d+" checked', response.text)


class TestMonthChips:
    @pytest.fixture(autouse=True)
    def world(self, am):
        for day in [D(2026, 12, 5), D(2027, 1, 5), D(2027, 2, 5), D(2026, 1, 5)]:
            TrajectFactory(subject=f"T {day}", expected_close=day, accountmanagers=[am])

    def test_twelve_chips_and_the_opening_month_in_words(self, client_for, am):
        with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)):
            response = client_for(am).get(URL)
        assert len(re.findall(r'<input type="checkbox" name="month"', response.text)) == 12
        assert checked(response, "month") == ["12"] and checked(response, "year") == ["2026"]
        assert period(response) == "dec 2026"
        # Real checkboxes with labels: a click or the space bar each, no modifier keys.
        assert '<label for="month-12" title="december">' in response.text

    @pytest.mark.parametrize(
        ("params", "words"),
        [
            ({"month": ["1", "2", "3"], "year": "2027"}, "jan – mrt 2027"),
            ({"month": ["12", "1", "2"], "year": ["2026", "2027"]}, "jan, feb, dec 2026 en 2027"),
            ({"month": ["11", "12"], "year": "2026"}, "nov, dec 2026"),
            ({"month": "3", "dates": "1"}, "mrt, elk jaar"),
            ({"year": "2026"}, "2026"),
            ({"dates": "1"}, "alle data"),
            ({"month": [str(m) for m in range(1, 13)], "year": "2026"}, "2026"),
        ],
    )
    def test_what_is_chosen_reads_in_words(self, client_for, am, params, words):
        assert period(client_for(am).get(URL, params)) == words

    def test_the_url_keeps_month_and_year_and_the_chips_follow_it(self, client_for, am):
        response = client_for(am).get(URL, {"month": ["12", "1", "2"], "year": ["2026", "2027"]})
        assert sorted(checked(response, "month"), key=int) == ["1", "2", "12"]
        assert checked(response, "year") == ["2026", "2027"]
        # Still months × years (DESIGN rule 2): the saved links mean what they meant.
        rows = re.findall(r'<a href="/sales/\d+/">([^<]*)</a>', response.text)
        assert sorted(rows) == ["T 2026-01-05", "T 2026-12-05", "T 2027-01-05", "T 2027-02-05"]

    def test_year_stepper_moves_the_chosen_years_and_keeps_the_months(self, client_for, am):
        with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)):
            response = client_for(am).get(URL)
        back = re.search(r'<a class="btn" href="([^"]+)" id="year-back"', response.text).group(1)
        forward = re.search(r'<a class="btn" href="([^"]+)" id="year-forward"', response.text)
        assert "month=12" in back and "year=2025" in back
        assert "month=12" in forward.group(1) and "year=2027" in forward.group(1)
        # The years either side can be ticked too, one click each.
        assert re.findall(r'name="year" value="(\d+)"', response.text) == ["2025", "2026", "2027"]

    def test_no_step_past_the_years_one_may_choose(self, client_for, am):
        with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)):
            response = client_for(am).get(URL, {"year": "2031"})
        assert 'id="year-forward"' not in response.text and 'id="year-back"' in response.text

    @pytest.mark.parametrize("bad", ["13", "0", "dec", "x" * 5000, "\x00"])
    def test_a_bad_month_is_ignored_with_a_notice(self, client_for, am, bad):
        response = client_for(am).get(URL, {"month": ["12", bad], "year": "2026"})
        assert response.status_code == 200
        assert "genegeerd" in response.text
        assert checked(response, "month") == ["12"] and period(response) == "dec 2026"


class TestOneCriterionAtATime:
    def test_the_panel_opens_without_any_criterion_control(self, client_for, beheerder):
        text = client_for(beheerder).get(URL).text
        assert 'id="id_criterion"' in text
        assert not re.search(r'id="criterion-\w+"', text)
        assert 'id="id_accountmanager"' not in text and 'id="id_lead_by"' not in text

    def test_choosing_one_shows_only_its_control_and_offers_the_rest(self, client_for, beheerder):
        text = client_for(beheerder).get(URL, {"criterion": "stage"}).text
        assert re.findall(r'id="criterion-(\w+)"', text) == ["stage"]
        picker = text.split('id="id_criterion"')[1].split("</select>")[0]
        assert 'value="stage"' not in picker and 'value="type"' in picker

    def test_criteria_in_use_keep_their_control(self, client_for, beheerder, am):
        text = client_for(beheerder).get(URL, {"lead_by": am.pk, "probability_min": "20"}).text
        assert set(re.findall(r'id="criterion-(\w+)"', text)) == {"lead_by", "probability"}

    @pytest.mark.parametrize("bad", ["nonsense", "x" * 5000, "<script>", "keyword"])
    def test_an_unknown_criterion_shows_nothing(self, client_for, am, bad):
        response = client_for(am).get(URL, {"criterion": bad})
        assert response.status_code == 200
        assert not re.search(r'id="criterion-\w+"', response.text)
        assert "<script>" not in response.text.split('id="add-criterion"')[1].split("</div>")[0]


class TestTotalsInTheTable:
    def test_pagina_and_totaal_are_the_tables_own_footer_aligned_with_the_columns(
        self, client_for, am
    ):
        TrajectFactory(accountmanagers=[am], expected_close=D(2026, 11, 5))
        text = client_for(am).get(URL, {"month": "11", "year": "2026"}).text
        table = text.split('id="traject-table"')[1].split("</table>")[0]
        foot = table.split("<tfoot>")[1]
        first = next(i for i, name in enumerate(DEFAULT_COLUMNS) if name == "probability")
        for which in ("page-totals", "all-totals"):
            row = re.search(rf'<tr class="{which}"[^>]*>(.*?)</tr>', foot, re.S).group(1)
            assert f'colspan="{first}"' in row
            cells = re.findall(r"<td[^>]*>", row)
            assert len(cells) == len(DEFAULT_COLUMNS) - first  # one under every other column
            totals = re.findall(r'<td class="num" data-total="(\w+)"', row)
            assert totals == ["avg_probability", "value", "weighted", "visits"]
        assert 'id="totals"' not in text  # no second table

    def test_numbers_are_right_aligned_in_head_body_and_foot(self, client_for, am):
        TrajectFactory(accountmanagers=[am], expected_close=D(2026, 11, 5))
        text = client_for(am).get(URL, {"month": "11", "year": "2026"}).text
        for name in ("probability", "value"):
            head = rf'<th class="[^"]*\bnum\b[^"]*"[^>]*>\s*<a [^>]*data-sort="{name}"'
            assert re.search(head, text)

    def test_cut_text_keeps_its_whole_value_in_the_title(self, client_for, am):
        subject = "Een heel lang onderwerp " * 8
        TrajectFactory(subject=subject, accountmanagers=[am], expected_close=D(2026, 11, 5))
        text = client_for(am).get(URL, {"month": "11", "year": "2026"}).text
        assert f'<td class="wide" title="{subject}">' in text
        assert 'class="table-wrap fill"' in text and 'class="grid lines"' in text


def test_column_arrows_say_left_and_right(client_for, am):
    text = client_for(am).get(URL).text
    chooser = text.split('class="column-list"')[1].split("</ol>")[0]
    assert "↑" not in chooser and "↓" not in chooser
    assert 'aria-label="Relatie naar links"' in chooser and ">←</a>" in chooser
    assert 'aria-label="Relatie naar rechts"' in chooser and ">→</a>" in chooser
    assert 'aria-label="Onderwerp naar links"' not in chooser  # the first column


class TestLeadDoor:
    """The lead form's "Lead door": the user himself once, by name, chosen from the start."""

    def options(self, response) -> list[tuple[str, str]]:
        select = response.text.split('name="lead_by"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)

    @pytest.mark.parametrize("who", ["beheerder", "am"])
    def test_the_user_is_offered_once(self, request, client_for, who):
        user = request.getfixturevalue(who)
        options = self.options(client_for(user).get(reverse("leads:create")))
        values = [value for value, _label in options]
        assert values.count(str(user.pk)) == 1 and "" not in values
        labels = [label for _value, label in options]
        assert sum("(ikzelf)" in label for label in labels) == 1
        assert f"{user.get_full_name()} (ikzelf)" in labels

    def test_an_empty_lead_door_still_means_the_user_himself(self, client_for, beheerder):
        from leads.forms import LeadForm

        form = LeadForm(user=beheerder)
        assert form.fields["lead_by"].empty_label is None
        assert form.initial["lead_by"] == beheerder.pk
