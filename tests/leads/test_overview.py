"""The leads overview at parity with the trajects overview (issue 14, manual 4.1): the date
filter on the lead date, the criteria, columns and saved views, the Pagina/Totaal lines, the
remaining-days column, and distribution that keeps its ticks across searches and pages."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app.models import BusinessType, ClientSettings, Source
from trajects.models import SavedView, Traject

from ..factories import RelationFactory, TrajectFactory

pytestmark = pytest.mark.django_db

LIST = reverse("leads:list")
D = datetime.date
BIG = str(2**63)


def lead(**kwargs):
    kwargs.setdefault("converted_at", None)
    return TrajectFactory(**kwargs)


def rows(response) -> list[str]:
    """The subjects in the table, in order."""
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/sales/\d+/">([^<]*)</a>', body)


def headers(response) -> list[str]:
    head = response.text.split('id="lead-table"', 1)[1].split("</thead>", 1)[0]
    return [
        re.sub(r"<[^>]+>|[↑↓]", "", cell).strip()
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]


def foot(response, which: str) -> dict[str, str]:
    """The 'Pagina' (page-totals) or 'Totaal' (all-totals) line, cell by column header."""
    row = re.search(rf'<tr class="{which}"[^>]*>(.*?)</tr>', response.text, re.S).group(1)
    cells = []
    for attrs, cell in re.findall(r"<t[hd]([^>]*)>(.*?)</t[hd]>", row, re.S):
        cells.append(re.sub(r"<[^>]+>", " ", cell).split())
        span = re.search(r'colspan="(\d+)"', attrs)  # the label spans the columns before a figure
        cells.extend([] for _ in range(int(span.group(1)) - 1 if span else 0))
    names = headers(response)
    assert len(cells) == len(names), (cells, names)
    return {name: " ".join(cell) for name, cell in zip(names, cells, strict=True)}


def notices(response) -> str:
    match = re.search(r'<ul class="notices"[^>]*>(.*?)</ul>', response.text, re.S)
    return match.group(1) if match else ""


def euro(amount) -> str:
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return "€ " + f"{whole:,}".replace(",", ".")


def percent(value) -> str:
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def ticks(response) -> dict[str, bool]:
    """The tick boxes in the table: lead id → ticked."""
    return {
        pk: " checked" in rest
        for pk, rest in re.findall(
            r'<input type="checkbox" name="leads" value="(\d+)"([^>]*)>', response.text
        )
    }


def carried(response) -> list[str]:
    """The ticked leads not in the table, kept for the distribution form."""
    return re.findall(
        r'<input type="hidden" name="leads" value="(\d+)" form="distribute">', response.text
    )


# --- Visibility -----------------------------------------------------------------------------


class TestVisibility:
    def test_an_accountmanager_sees_only_his_leads_in_rows_and_totals(
        self, client_for, am, other_am
    ):
        lead(subject="Mijn lead", accountmanagers=[am], value=Decimal(100))
        lead(subject="Zijn lead", accountmanagers=[other_am], value=Decimal(7000))
        lead(subject="Uit de pot", value=Decimal(9000))
        response = client_for(am).get(LIST)
        assert rows(response) == ["Mijn lead"]
        assert "Zijn lead" not in response.text and "Uit de pot" not in response.text
        assert foot(response, "all-totals")["Waarde"] == "€ 100"
        assert foot(response, "all-totals")["Onderwerp"] == "Totaal 1 lead"

    def test_the_beheerder_sees_every_lead_and_the_pool(self, client_for, beheerder, am):
        lead(subject="Van Anna", accountmanagers=[am])
        lead(subject="Uit de pot")
        TrajectFactory(subject="Al een traject", accountmanagers=[am])
        response = client_for(beheerder).get(LIST)
        assert sorted(rows(response)) == ["Uit de pot", "Van Anna"]
        assert sorted(rows(client_for(beheerder).get(LIST, {"pool": "on"}))) == ["Uit de pot"]

    def test_the_pool_filter_means_nothing_to_an_accountmanager(self, client_for, am):
        lead(subject="Mijn lead", accountmanagers=[am])
        response = client_for(am).get(LIST, {"pool": "on"})
        assert rows(response) == ["Mijn lead"]
        assert 'name="pool"' not in response.text

    def test_an_accountmanager_cannot_filter_on_someone_else(self, client_for, am, other_am):
        lead(subject="Zijn lead", accountmanagers=[other_am])
        response = client_for(am).get(LIST, {"accountmanager": other_am.pk})
        assert "Zijn lead" not in response.text
        assert "bestaat niet of mag niet" in notices(response)

    def test_nobody_sees_nothing(self, client_for, nobody):
        lead(subject="Uit de pot", value=Decimal(10))
        response = client_for(nobody).get(LIST)
        assert response.status_code == 200 and rows(response) == []
        assert foot(response, "all-totals")["Waarde"] == "€ 0"

    def test_an_accountmanager_gets_no_tick_boxes_even_when_asked(self, client_for, am):
        mine = lead(accountmanagers=[am])
        response = client_for(am).get(LIST, {"leads": [mine.pk]})
        assert ticks(response) == {} and carried(response) == []
        assert 'id="distribute"' not in response.text


# --- Distribution: forged ids, and the ticks kept --------------------------------------------


class TestDistribution:
    def test_a_forged_lead_id_is_refused_with_a_message(self, client_for, beheerder, am):
        traject = TrajectFactory(subject="Al een traject")
        pool = lead(subject="Uit de pot")
        client = client_for(beheerder)
        for forged in (traject.pk, 999_999, BIG, "abc"):
            response = client.post(
                reverse("leads:distribute"),
                {"leads": [pool.pk, forged], "accountmanagers": [am.pk]},
                follow=True,
            )
            assert response.status_code == 200
            assert 'class="error"' in response.text
        assert pool.accountmanagers.count() == 0 and traject.accountmanagers.count() == 0

    def test_an_accountmanager_posting_a_distribution_gets_403(self, client_for, am):
        pool = lead()
        response = client_for(am).post(
            reverse("leads:distribute"), {"leads": [pool.pk], "accountmanagers": [am.pk]}
        )
        assert response.status_code == 403
        assert "Alleen een sales beheerder kan leads verdelen" in response.text
        assert pool.accountmanagers.count() == 0

    def test_ticks_are_kept_across_pages(self, client_for, beheerder):
        leads = [
            lead(subject=f"Pot {i:02d}", lead_date=D(2026, 1, 1) + datetime.timedelta(i))
            for i in range(30)
        ]
        first, far = leads[-1], leads[0]  # newest lead date first: page 1 and page 2
        client = client_for(beheerder)
        page1 = client.get(LIST, {"leads": [first.pk, far.pk]})
        assert ticks(page1)[str(first.pk)] is True
        assert ticks(page1)[str(leads[-2].pk)] is False
        assert carried(page1) == [str(far.pk)]  # on page 2, still ticked
        assert "2 leads aangevinkt" in page1.text
        page2 = client.get(LIST, {"leads": [first.pk, far.pk], "page": 2})
        assert ticks(page2)[str(far.pk)] is True and carried(page2) == [str(first.pk)]
        # The links the page makes leave the ticks out: the page adds those still on screen.
        next_link = re.search(r'href="(\?[^"]*)" rel="next"', page1.text).group(1)
        assert "page=2" in next_link and "leads=" not in next_link
        assert 'hx-include="input[name=leads][form=distribute]"' in page1.text

    def test_ticks_are_kept_across_searches(self, client_for, beheerder, am):
        glas = lead(subject="Pot glazen deuren")
        kozijn = lead(subject="Pot kozijnen")
        client = client_for(beheerder)
        response = client.get(LIST, {"q": "glazen", "leads": [glas.pk, kozijn.pk]})
        assert rows(response) == ["Pot glazen deuren"]
        assert ticks(response) == {str(glas.pk): True} and carried(response) == [str(kozijn.pk)]
        # Both go to the accountmanager with one click.
        data = {
            "leads": [glas.pk, kozijn.pk],
            "accountmanagers": [am.pk],
            "next": LIST + "?q=glazen",
        }
        after = client.post(reverse("leads:distribute"), data)
        assert after.url == LIST + "?q=glazen"
        assert set(Traject.objects.assigned_to(am)) == {glas, kozijn}

    def test_a_refused_distribution_keeps_the_ticks(self, client_for, beheerder):
        pool = lead()
        response = client_for(beheerder).post(
            reverse("leads:distribute"), {"leads": [pool.pk], "next": LIST + "?q=pot"}
        )
        assert response.status_code == 302
        assert response.url == f"{LIST}?q=pot&leads={pool.pk}"
        assert ticks(client_for(beheerder).get(response.url)) == {}  # "pot" finds nothing here
        assert carried(client_for(beheerder).get(response.url)) == [str(pool.pk)]

    def test_ticked_ids_that_are_no_lead_are_dropped_with_a_notice(self, client_for, beheerder):
        traject = TrajectFactory()
        pool = lead()
        response = client_for(beheerder).get(
            LIST, {"leads": [pool.pk, traject.pk, "abc", BIG, "\x00", "9" * 400]}
        )
        assert response.status_code == 200
        assert ticks(response) == {str(pool.pk): True} and carried(response) == []
        assert "geen lead meer" in notices(response) and "bestaan niet" in notices(response)

    def test_thousands_of_ticks_are_cut_with_a_notice(self, client_for, beheerder):
        pool = lead()
        response = client_for(beheerder).get(LIST, {"leads": [pool.pk] + ["1"] * 2000})
        assert response.status_code == 200
        assert "aangevinkte leads zijn bewaard" in notices(response)

    def test_selectie_wissen_is_a_link_without_the_ticks(self, client_for, beheerder):
        pool = lead()
        response = client_for(beheerder).get(LIST, {"q": "traject", "leads": [pool.pk]})
        link = re.search(r'<a href="([^"]*)" hx-boost="false" id="clear-selection">', response.text)
        assert link and "leads=" not in link.group(1) and "q=traject" in link.group(1)


# --- The totals lines ------------------------------------------------------------------------


class TestTotals:
    def test_totals_against_a_plain_sum_over_the_database(self, client_for, beheerder, am):
        values = [Decimal("1000.40"), Decimal("250.30"), None, Decimal("99303"), Decimal("0.5")]
        for i, value in enumerate(values * 6):  # 30 leads: two pages
            day = D(2026, 3, 1) + datetime.timedelta(i)
            owners = [am] if i % 2 else []
            lead(value=value, probability=(i * 17) % 101, lead_date=day, accountmanagers=owners)
        TrajectFactory(value=Decimal(5000))  # a traject: not in the leads' totals
        response = client_for(beheerder).get(LIST, {"per_page": 25})
        leads = list(
            Traject.objects.filter(converted_at__isnull=True).order_by("-lead_date", "-pk")
        )
        total = foot(response, "all-totals")
        assert total["Onderwerp"] == "Totaal 30 leads"
        assert total["Waarde"] == euro(sum(t.value for t in leads if t.value is not None))
        assert total["Kans"] == percent(Decimal(sum(t.probability for t in leads)) / len(leads))
        page = foot(response, "page-totals")
        shown = leads[:25]
        assert rows(response) == [t.subject for t in shown]
        assert page["Onderwerp"] == "Pagina 25 leads"
        assert page["Waarde"] == euro(sum(t.value for t in shown if t.value is not None))
        assert page["Kans"] == percent(Decimal(sum(t.probability for t in shown)) / 25)

    def test_an_accountmanager_counts_his_share(self, client_for, am, other_am):
        lead(value=Decimal("1001"), accountmanagers=[am, other_am])
        lead(value=Decimal("10"), accountmanagers=[am])
        response = client_for(am).get(LIST)
        assert foot(response, "all-totals")["Waarde"] == "€ 511"  # 500.50 + 10, whole euros
        assert 'id="share-note"' in response.text

    def test_the_totals_follow_the_filters(self, client_for, beheerder):
        lead(value=Decimal(100), lead_date=D(2026, 3, 9))
        lead(value=Decimal(200), lead_date=D(2026, 4, 9))
        response = client_for(beheerder).get(LIST, {"month": "3", "year": "2026"})
        assert foot(response, "all-totals")["Waarde"] == "€ 100"

    def test_the_figures_stand_under_their_columns(self, client_for, beheerder):
        lead(value=Decimal(100), probability=40)
        response = client_for(beheerder).get(LIST, {"cols": ["value", "subject", "probability"]})
        assert foot(response, "all-totals") == {
            "Selecteren": "", "Waarde": "€ 100", "Onderwerp": "Totaal 1 lead", "Kans": "40%",
        }  # fmt: skip


# --- Date filter and criteria ----------------------------------------------------------------


class TestFilters:
    def test_the_date_filter_works_on_the_lead_date(self, client_for, beheerder):
        lead(subject="Maart", lead_date=D(2026, 3, 9), expected_close=D(2026, 12, 1))
        lead(subject="April", lead_date=D(2026, 4, 9), expected_close=D(2026, 3, 1))
        lead(subject="Vorig jaar", lead_date=D(2025, 3, 9), expected_close=D(2026, 3, 1))
        client = client_for(beheerder)
        assert rows(client.get(LIST, {"month": "3", "year": "2026"})) == ["Maart"]
        assert sorted(rows(client.get(LIST, {"month": "3"}))) == ["Maart", "Vorig jaar"]
        assert sorted(rows(client.get(LIST, {"year": "2026"}))) == ["April", "Maart"]
        assert len(rows(client.get(LIST, {"month": ["3", "4"], "year": ["2025", "2026"]}))) == 3

    @time_machine.travel(datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC))
    def test_it_opens_on_every_date_and_offers_this_month(self, client_for, beheerder):
        lead(subject="Oud", lead_date=D(2019, 1, 1))
        lead(subject="Nu", lead_date=D(2026, 4, 2))
        client = client_for(beheerder)
        response = client.get(LIST)
        assert sorted(rows(response)) == ["Nu", "Oud"]
        this_month = re.search(r'<a href="([^"]*)" id="this-month">', response.text).group(1)
        assert rows(client.get(LIST + this_month.replace("&amp;", "&"))) == ["Nu"]

    @time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC))
    def test_month_chips_and_year_stepper_on_the_lead_date(self, client_for, beheerder):
        lead(subject="Dec", lead_date=D(2026, 12, 1))
        lead(subject="Jan", lead_date=D(2027, 1, 4))
        client = client_for(beheerder)
        response = client.get(LIST)
        assert len(re.findall(r'<input type="checkbox" name="month"', response.text)) == 12
        assert 'name="month" value="12" id="month-12" checked' not in response.text
        assert re.search(r'id="period">alle data<', response.text)
        # One click per month and per year; the summary says what is chosen in words.
        response = client.get(LIST, {"month": ["12", "1"], "year": ["2026", "2027"]})
        assert 'name="month" value="12" id="month-12" checked' in response.text
        assert re.search(r'id="period">jan, dec 2026 en 2027<', response.text)
        assert sorted(rows(response)) == ["Dec", "Jan"]
        forward = re.search(r'href="([^"]+)" id="year-forward"', response.text).group(1)
        forward = forward.replace("&amp;", "&")
        assert "year=2027" in forward and "year=2028" in forward and "month=12" in forward
        assert "dates=" not in forward  # the leads open on every date: no mark needed
        assert rows(client.get(LIST + forward)) == ["Jan"]

    def test_one_criterion_at_a_time(self, client_for, beheerder, am):
        client = client_for(beheerder)
        text = client.get(LIST).text
        assert not re.search(r'id="criterion-\w+"', text)
        picker = text.split('id="id_criterion"')[1].split("</select>")[0]
        offered = re.findall(r'<option value="(\w+)"', picker)
        # A lead has no type and no first visit: those criteria are not offered.
        assert offered == [
            "accountmanager", "business_type", "source", "stage", "price_range", "lead_by",
            "probability",
        ]  # fmt: skip
        text = client.get(LIST, {"criterion": "source"}).text
        assert re.findall(r'id="criterion-(\w+)"', text) == ["source"]
        text = client.get(LIST, {"lead_by": am.pk, "probability_max": "40"}).text
        assert set(re.findall(r'id="criterion-(\w+)"', text)) == {"lead_by", "probability"}
        for bad in ("type", "first_visit", "x" * 5000, "<script>"):
            response = client.get(LIST, {"criterion": bad})
            assert response.status_code == 200
            assert not re.search(r'id="criterion-\w+"', response.text), bad

    def test_criteria(self, client_for, beheerder, am, other_am):
        eb, nb = BusinessType.objects.get(code="EB"), BusinessType.objects.get(code="NB")
        website = Source.objects.first()
        relation = RelationFactory(name="Hanzebouw")
        lead(subject="A", business_type=nb, value=Decimal(600), probability=20, lead_by=am,
             accountmanagers=[am])  # fmt: skip
        lead(subject="B", business_type=eb, source=website, value=Decimal(50), probability=80,
             relation=relation, accountmanagers=[other_am])  # fmt: skip
        client = client_for(beheerder)
        for params, expected in (
            ({"business_type": nb.pk}, ["A"]),
            ({"source": website.pk}, ["B"]),
            ({"probability_min": 50}, ["B"]),
            ({"probability_max": 50}, ["A"]),
            ({"lead_by": am.pk}, ["A"]),
            ({"accountmanager": other_am.pk}, ["B"]),
            ({"relation": relation.pk}, ["B"]),
            ({"q": "hanzebouw"}, ["B"]),
        ):
            assert rows(client.get(LIST, params)) == expected, params
        settings = ClientSettings.load()
        settings.price_range_thresholds = "100,1000"
        settings.save()
        assert rows(client.get(LIST, {"price_range": "0"})) == ["B"]  # [0, 100)
        assert rows(client.get(LIST, {"price_range": "1"})) == ["A"]  # [100, 1000)

    def test_active_criteria_show_as_chips(self, client_for, beheerder):
        nb = BusinessType.objects.get(code="NB")
        response = client_for(beheerder).get(LIST, {"business_type": nb.pk, "q": "glas"})
        chips = response.text.split('id="active-criteria"')[1].split("</ul>")[0]
        assert "Business: " in chips and "Trefwoord: glas" in chips

    def test_the_remaining_days_column(self, client_for, am):
        with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
            lead(accountmanagers=[am], expected_close=D(2026, 3, 4))
            lead(accountmanagers=[am], expected_close=D(2026, 2, 1))
            response = client_for(am).get(LIST)
        assert "Resterende dagen" in headers(response)
        assert 'data-remaining-days="3"' in response.text
        assert 'data-remaining-level="overdue"' in response.text


# --- Columns and saved views -----------------------------------------------------------------


class TestColumnsAndViews:
    def test_choosing_columns_through_the_url(self, client_for, am):
        lead(accountmanagers=[am])
        response = client_for(am).get(LIST, {"cols": ["value", "subject", "lead_date"]})
        assert headers(response) == ["Waarde", "Onderwerp", "Lead datum"]

    def test_the_conversion_date_comes_with_the_converted_leads(self, client_for, am):
        lead(accountmanagers=[am])
        client = client_for(am)
        assert "Conversie datum" not in client.get(LIST).text
        assert headers(client.get(LIST, {"cols": ["subject"], "converted": "on"})) == [
            "Onderwerp", "Conversie datum",
        ]  # fmt: skip

    def test_save_a_leads_view_apart_from_the_trajects_views(self, client_for, am):
        client = client_for(am)
        traject_view = SavedView.objects.create(
            user=am, name="Geld", columns=["subject", "weighted"], is_default=True
        )
        response = client.post(
            reverse("leads:view_save"),
            {"name": "Geld", "columns": ["subject", "value"], "is_default": "on", "next": "q=x"},
        )
        view = SavedView.objects.get(user=am, overview="leads")
        assert response.status_code == 302
        assert response["Location"].startswith(LIST) and f"view={view.pk}" in response["Location"]
        assert view.columns == ["subject", "value"] and view.is_default
        traject_view.refresh_from_db()
        assert traject_view.is_default and traject_view.columns == ["subject", "weighted"]
        lead(accountmanagers=[am])
        assert headers(client.get(LIST)) == ["Onderwerp", "Waarde"]
        trajects = client.get(reverse("trajects:list")).text
        assert f"view={view.pk}" not in trajects and f"view={traject_view.pk}" in trajects
        # A leads view cannot be shown, made default or deleted from the trajects overview.
        assert client.post(reverse("trajects:view_delete", args=[view.pk])).status_code == 404
        assert client.post(reverse("leads:view_delete", args=[traject_view.pk])).status_code == 404

    def test_make_default_and_delete(self, client_for, am):
        client = client_for(am)
        one = SavedView.objects.create(
            user=am, overview="leads", name="Een", columns=["value"], is_default=True
        )
        two = SavedView.objects.create(user=am, overview="leads", name="Twee", columns=["subject"])
        client.post(reverse("leads:view_default", args=[two.pk]), {"next": ""})
        one.refresh_from_db()
        two.refresh_from_db()
        assert two.is_default and not one.is_default
        response = client.post(
            reverse("leads:view_delete", args=[two.pk]), {"next": f"view={two.pk}"}
        )
        assert response.status_code == 302 and "view=" not in response["Location"]
        assert not SavedView.objects.filter(pk=two.pk).exists()

    def test_views_are_per_user(self, client_for, am, other_am):
        theirs = SavedView.objects.create(
            user=other_am, overview="leads", name="Van Bob", columns=["value"]
        )
        client = client_for(am)
        response = client.get(LIST, {"view": theirs.pk})
        assert "Van Bob" not in response.text and "Weergave “" in notices(response)
        assert client.post(reverse("leads:view_default", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("leads:view_delete", args=[theirs.pk])).status_code == 404

    def test_a_bad_view_comes_back_beside_the_field(self, client_for, am):
        client = client_for(am)
        for data in (
            {"name": "", "columns": ["subject"], "next": "cols=subject"},
            {"name": "x" * 300, "columns": ["subject"]},
            {"name": "Raar", "columns": ["bogus"]},
            {"name": "Traject", "columns": ["first_visit_on"]},  # not a leads column
        ):
            response = client.post(reverse("leads:view_save"), data)
            assert response.status_code == 200, data
            assert 'class="error"' in response.text
        assert not SavedView.objects.exists()


# --- Bad input in every parameter -------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"month": ["13", "abc", "-1", BIG]},
        {"year": ["1800", "x", BIG]},
        {"q": "x" * 5000},
        {"q": "glas\x00deur"},
        {"relation": ["abc"]},
        {"relation": [BIG]},
        {"accountmanager": ["abc", BIG, "0"]},
        {"business_type": ["x", BIG]},
        {"source": ["999999"]},
        {"stage": ["\x00"]},
        {"price_range": ["99"]},
        {"lead_by": ["x"]},
        {"probability_min": "abc", "probability_max": "1e400"},
        {"probability_min": "90", "probability_max": "10"},
        {"converted": "maybe", "pool": "\x00"},
        {"cols": ["bogus", "subject"]},
        {"cols": ["bogus"]},
        {"view": "abc"},
        {"view": BIG},
        {"sort": "password"},
        {"sort": "-converted_at"},
        {"per_page": "1000000"},
        {"per_page": "abc"},
        {"page": "abc"},
        {"page": BIG},
        {"page": "-3"},
        {"leads": ["abc", BIG, "\x00"]},
        {"relation_q": "\x00" * 10},
        {"month": [str(i) for i in range(200)]},
    ],
)
def test_bad_input_never_fails_the_page(client_for, beheerder, am, params):
    lead(subject="Blijft zichtbaar", lead_date=D(2026, 3, 9))
    for user in (beheerder, am):
        response = client_for(user).get(LIST, params)
        assert response.status_code == 200, (user, params)
        assert 'id="lead-table"' in response.text
    htmx = client_for(beheerder).get(
        LIST, params, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert htmx.status_code == 200 and htmx.text.lstrip().startswith('<div id="results">')


def test_bad_values_are_reported(client_for, beheerder):
    response = client_for(beheerder).get(
        LIST, {"business_type": "abc", "sort": "password", "per_page": "7", "page": "x"}
    )
    said = notices(response)
    assert "Business “abc”" in said and "gesorteerd op lead datum" in said
    assert "7 per pagina kan niet" in said and "Pagina “x” bestaat niet" in said


# --- HTMX and the number of queries ----------------------------------------------------------


def test_htmx_gets_the_overview_or_the_results_fragment(client_for, beheerder):
    lead(subject="Pot")
    client = client_for(beheerder)
    whole = client.get(LIST, headers={"HX-Request": "true", "HX-Target": "overview"})
    assert whole.text.lstrip().startswith('<form id="overview"') and "<html" not in whole.text
    assert 'id="all-totals"' in whole.text
    part = client.get(LIST, {"q": "pot"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert part.text.lstrip().startswith('<div id="results">') and 'id="id_q"' not in part.text
    assert "HX-Request" in whole["Vary"]


@pytest.mark.parametrize("role", ["beheerder", "am"])
def test_the_number_of_queries_does_not_grow_with_the_leads(client_for, request, role):
    user = request.getfixturevalue(role)
    am = request.getfixturevalue("am")
    client = client_for(user)
    params = {"per_page": 100, "cols": [
        "subject", "relation", "contact", "type", "business_type", "stage", "source",
        "expected_close", "remaining_days", "lead_date", "probability", "value", "weighted",
        "visits", "accountmanagers", "lead_by",
    ]}  # fmt: skip

    def count(n: int) -> int:
        while Traject.objects.leads().count() < n:
            lead(accountmanagers=[am], lead_by=am, source=Source.objects.first())
        ticked = list(Traject.objects.values_list("pk", flat=True)[:3])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {**params, "leads": ticked})
        assert len(rows(response)) == n
        return len(queries.captured_queries)

    client.get(LIST)  # warm the session
    few, many = count(3), count(60)
    assert few == many
    assert many <= 14
