"""One date and money format per language (issue 14): dd-mm-jjjj and dd/mm/yyyy, in display
and in edit fields (a text box with a calendar, never the browser's date input); whole euros
in lists, cents on detail pages and in edit fields, grouped the language's way."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from salesmodule.amounts import AmountInput, euro, parse_amount
from salesmodule.fields import DateField, DateInput, date_placeholder, date_text
from trajects.models import Traject

from ..factories import ContactFactory, TrajectFactory

DAY = datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("language", "short", "shown", "placeholder"),
    [
        ("nl", "02-12-2026", "02-12-2026", "dd-mm-jjjj"),
        ("en", "02/12/2026", "02/12/2026", "dd/mm/yyyy"),
    ],
)
def test_one_notation_per_language_in_display_and_edit(language, short, shown, placeholder):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert date_format(DAY) == short  # a bare {{ date }} too
        assert date_format(datetime.datetime(2026, 12, 2, 9, 5), "SHORT_DATETIME_FORMAT") == (
            f"{short} 09:05"
        )
        assert date_text(DAY) == shown and date_placeholder() == placeholder


class DateForm(forms.Form):
    day = DateField()


@pytest.mark.parametrize(
    ("language", "typed", "day"),
    [
        ("nl", "02-12-2026", DAY),
        ("nl", "2-12-2026", DAY),
        ("nl", "02/12/2026", DAY),
        ("nl", "02-12-26", DAY),
        ("nl", "2026-12-02", DAY),  # ISO in every language
        ("en", "02/12/2026", DAY),  # day first, as in Dutch
        ("en", "02-12-2026", DAY),
        ("en", "2026-12-02", DAY),
    ],
)
def test_the_field_reads_the_languages_notations(language, typed, day):
    with translation.override(language):
        form = DateForm({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == day


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("nl", "31-02-2026", "Voer een geldige datum in."),
        ("nl", "morgen", "Voer een geldige datum in."),
        ("nl", "12/31/2026", "Voer een geldige datum in."),  # American: no month 31
        ("nl", "9" * 5000, "Voer een geldige datum in."),
        ("nl", "01-01-2101", "Kies een datum tussen 1900 en 2100."),
        ("en", "31/02/2026", "Enter a valid date."),
    ],
)
def test_bad_dates_get_a_message(language, typed, message):
    with translation.override(language):
        form = DateForm({"day": typed})
        assert not form.is_valid()
        assert form.errors["day"] == [message]


@pytest.mark.parametrize(
    ("language", "value", "placeholder"),
    [("nl", "02-12-2026", "dd-mm-jjjj"), ("en", "02/12/2026", "dd/mm/yyyy")],
)
def test_the_widget_is_a_text_box_with_the_calendar(language, value, placeholder):
    with translation.override(language):
        rendered = DateInput().render("day", DAY)
    assert 'type="text"' in rendered and 'type="date"' not in rendered
    assert f'value="{value}"' in rendered and f'placeholder="{placeholder}"' in rendered
    assert 'src="/static/js/datepicker.js"' in rendered and 'type="module"' in rendered
    config = json.loads(html.unescape(re.search(r'data-datepicker="([^"]*)"', rendered)[1]))
    assert config["format"] == {"nl": "%d-%m-%Y", "en": "%d/%m/%Y"}[language]
    assert config["months"][11] == {"nl": "december", "en": "December"}[language]
    assert config["firstDay"] == 1 and config["weekdays"][0] == {"nl": "ma", "en": "Mon"}[language]


def test_what_was_typed_stays_in_the_box():
    with translation.override("nl"):
        assert 'value="31-02-2026"' in DateInput().render("day", "31-02-2026")


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("nl", Decimal("20000"), "20.000,00"),
        ("nl", Decimal("1234567.5"), "1.234.567,50"),
        ("nl", Decimal("999.99"), "999,99"),
        ("nl", Decimal("0"), "0,00"),
        ("en", Decimal("20000"), "20,000.00"),
        ("en", Decimal("1234567.5"), "1,234,567.50"),
    ],
)
def test_amount_fields_show_grouped_cents_and_read_them_back(language, amount, shown):
    with translation.override(language):
        assert AmountInput().format_value(amount) == shown
        assert parse_amount(shown) == amount


@pytest.mark.parametrize(
    ("language", "whole", "cents"),
    [("nl", "€ 20.000", "€ 20.000,50"), ("en", "€ 20,000", "€ 20,000.50")],
)
def test_one_euro_format_whole_in_lists_cents_on_details(language, whole, cents):
    with translation.override(language):
        assert euro(Decimal("19999.50")) == whole
        assert euro(Decimal("20000.50"), cents=True) == cents
        assert euro(None) == "" and euro(None, cents=True) == ""


# Over HTTP: the screens in Dutch and in English.


@pytest.fixture
def traject(am):
    contact = ContactFactory()
    return TrajectFactory(
        subject="Glazen deuren",
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        value=Decimal("20000.00"),
        expected_close=DAY,
        lead_date=datetime.date(2026, 11, 20),
    )


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def field_tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page)[0]


@pytest.mark.django_db
class TestScreens:
    @pytest.mark.parametrize(
        ("language", "day", "amount", "detail_amount"),
        [
            ("nl", "02-12-2026", "20.000,00", "€ 20.000,00"),
            ("en", "02/12/2026", "20,000.00", "€ 20,000.00"),
        ],
    )
    def test_the_informatie_widget(
        self, client_for, am, traject, language, day, amount, detail_amount
    ):
        client = in_language(client_for(am), language)
        detail = client.get(reverse("trajects:detail", args=[traject.pk])).text
        assert f">{day}</a>" in detail and detail_amount in detail
        page = client.get(reverse("trajects:informatie", args=[traject.pk])).text
        for name, shown in (("expected_close", day), ("value", amount)):
            tag = field_tag(page, name)
            assert 'type="text"' in tag and f'value="{shown}"' in tag, tag
        assert "data-datepicker" in field_tag(page, "expected_close")

    @pytest.mark.parametrize(("language", "typed"), [("nl", "15-01-2027"), ("en", "15/01/2027")])
    def test_a_date_typed_in_the_languages_notation_is_saved(
        self, client_for, am, traject, language, typed
    ):
        from tests.trajects.conftest import loaded_form

        client = in_language(client_for(am), language)
        data = loaded_form(client, traject) | {"expected_close": typed}
        response = client.post(reverse("trajects:informatie", args=[traject.pk]), data)
        assert response.status_code in (200, 302)
        assert Traject.objects.get(pk=traject.pk).expected_close == datetime.date(2027, 1, 15)

    @pytest.mark.parametrize(
        ("language", "typed", "message"),
        [
            ("nl", "15/13/2027", "Voer een geldige datum in."),
            ("en", "1/15/2027", "Enter a valid date."),
        ],
    )
    def test_a_bad_date_comes_back_beside_the_field_and_nothing_is_saved(
        self, client_for, am, traject, language, typed, message
    ):
        from tests.trajects.conftest import loaded_form

        client = in_language(client_for(am), language)
        data = loaded_form(client, traject) | {"expected_close": typed, "value": "30.000,00"}
        response = client.post(reverse("trajects:informatie", args=[traject.pk]), data)
        assert response.status_code == 200
        error = re.search(r'id="id_expected_close_error"[^>]*>(.*?)</ul>', response.text, re.S)
        assert message in html.unescape(error[1])
        assert f'value="{typed}"' in field_tag(response.text, "expected_close")
        saved = Traject.objects.get(pk=traject.pk)
        assert saved.expected_close == DAY and saved.value == Decimal("20000.00")

    def test_the_appointment_and_quote_dates_are_the_same_field(self, client_for, am, traject):
        client = client_for(am)
        detail = client.get(reverse("trajects:detail", args=[traject.pk])).text
        assert "data-datepicker" in field_tag(detail, "date")  # the appointment's date
        quote = client.get(reverse("quotes:create", args=[traject.pk])).text
        assert "data-datepicker" in field_tag(quote, "valid_until")
        lead = client.get(reverse("leads:create")).text
        for name in ("lead_date", "expected_close"):
            tag = field_tag(lead, name)
            assert "data-datepicker" in tag and 'placeholder="dd-mm-jjjj"' in tag
        assert 'type="date"' not in detail + quote + lead

    @pytest.mark.parametrize(
        ("language", "day", "whole"),
        [("nl", "20-11-2026", "€ 20.000"), ("en", "20/11/2026", "€ 20,000")],
    )
    def test_lists_show_whole_euros_and_the_languages_dates(
        self, client_for, am, language, day, whole
    ):
        TrajectFactory(
            accountmanagers=[am],
            converted_at=None,
            value=Decimal("19999.99"),
            lead_date=datetime.date(2026, 11, 20),
        )
        client = in_language(client_for(am), language)
        page = client.get(reverse("leads:list")).text
        assert f'<td class="date">{day}</td>' in page and f'<td class="num">{whole}</td>' in page

    def test_the_quotes_list_whole_euros_the_quote_cents(self, client_for, am, traject):
        from tests.quotes.conftest import make_quote

        quote = make_quote(traject, am)
        client = client_for(am)
        listed = client.get(reverse("quotes:list")).text
        assert f'<td class="num">{euro(quote.total)}</td>' in listed
        detail = client.get(reverse("quotes:detail", args=[quote.pk])).text
        assert euro(quote.total, cents=True).replace(" ", "\xa0") in detail
        assert quote.total != quote.total.quantize(Decimal(1))  # the golden lines have cents

    @pytest.mark.parametrize(("language", "shown"), [("nl", "20.000,00"), ("en", "20,000.00")])
    def test_a_quote_lines_price_is_edited_grouped_with_cents(
        self, client_for, am, traject, language, shown
    ):
        from tests.quotes.conftest import make_quote

        line = {"description": "Project", "quantity": "1", "unit": "", "unit_price": "20000"}
        quote = make_quote(traject, am, lines=[{**line, "vat_rate": 21}])
        client = in_language(client_for(am), language)
        page = client.get(reverse("quotes:edit", args=[quote.pk])).text
        assert f'value="{shown}"' in field_tag(page, "lines-0-unit_price")
