"""Quote pages over HTTP: the form and its htmx steps, bad input, permissions, list, decisions."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from quotes import services
from quotes.models import Quote, QuoteStatus
from settings_app.models import ClientSettings, PaymentTerm, WinLossReason
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import ContactFactory, TrajectFactory
from .conftest import make_quote

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def form_data(traject, lines=None, **overrides) -> dict:
    """A POST as the browser sends it: Dutch decimal commas, ISO date, one management form."""
    lines = (
        lines
        if lines is not None
        else [
            ("Werving", "1,5", "uur", "12,99", "21"),
            ("Advertentie", "3", "stuk", "100", "21"),
            ("Lunch", "2,5", "", "10,01", "9"),
        ]
    )
    data = {
        "title": "Werving monteurs",
        "contact": traject.contact_id or "",
        "payment_term": PaymentTerm.objects.active().first().pk,
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "discount_percent": "10",
        "opening_text": "Geachte heer Jansen,",
        "closing_text": "Met vriendelijke groet",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (description, quantity, unit, price, rate) in enumerate(lines):
        data |= {
            f"lines-{index}-description": description,
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit": unit,
            f"lines-{index}-unit_price": price,
            f"lines-{index}-vat_rate": rate,
        }
    return data | overrides


def create_url(traject):
    return reverse("quotes:create", args=[traject.pk])


class TestForm:
    def test_new_form_starts_with_the_defaults(self, client_for, am, traject, contact):
        response = client_for(am).get(create_url(traject))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["title"] == traject.subject
        assert form.initial["contact"] == contact
        assert form.initial["valid_until"] == timezone.localdate() + datetime.timedelta(days=30)
        assert form.initial["payment_term"] == PaymentTerm.objects.get(name="30 dagen")
        assert 'name="lines-0-description"' in response.text
        assert 'hx-trigger="input delay:400ms, change"' in response.text

    def test_only_the_relations_contacts_are_offered(self, client_for, am, traject):
        stranger = ContactFactory(last_name="Vreemdeling")
        response = client_for(am).get(create_url(traject))
        assert "Vreemdeling" not in response.text and "Piet Jansen" in response.text
        assert stranger.pk not in [
            c.pk for c in response.context["form"].fields["contact"].queryset
        ]

    def test_saving_creates_the_concept_with_exact_totals(self, client_for, am, traject):
        response = client_for(am).post(create_url(traject), form_data(traject))
        quote = Quote.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "quotes:detail", args=[quote.pk]
        )
        assert quote.total == Decimal("372.48") and quote.lines.count() == 3
        assert quote.lines.first().quantity == Decimal("1.5")
        detail = client_for(am).get(response["Location"])
        assert "372,48" in detail.text and "Btw 21% over" in detail.text

    def test_blank_extra_rows_are_ignored(self, client_for, am, traject):
        lines = [("Werving", "1", "", "10", "21"), ("", "", "", "", "21")]
        response = client_for(am).post(create_url(traject), form_data(traject, lines))
        assert response.status_code == 302
        assert Quote.objects.get().lines.count() == 1

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"lines-0-quantity": "-1"}, "quantity", "Het aantal moet groter dan 0 zijn."),
            ({"lines-0-quantity": "abc"}, "quantity", "Vul een getal in"),
            ({"lines-0-unit_price": "12,34567"}, "unit_price", "Gebruik hooguit 2 decimalen."),
            ({"lines-0-vat_rate": "33"}, "vat_rate", "Kies een btw-tarief: 21%, 9% of 0%."),
        ],
    )
    def test_bad_lines_come_back_beside_the_field_and_keep_what_was_typed(
        self, client_for, am, traject, overrides, field, message
    ):
        response = client_for(am).post(create_url(traject), form_data(traject, **overrides))
        assert response.status_code == 200
        assert not Quote.objects.exists()
        line = response.context["lines"].forms[0]
        assert message in line.errors[field][0]
        typed = next(iter(overrides.values()))
        assert f'value="{typed}"' in response.text or f">{typed}<" in response.text or typed == "33"
        assert 'value="Werving monteurs"' in response.text  # the rest is kept too

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"discount_percent": "120"}, "discount_percent", "De korting ligt tussen 0 en 100%."),
            ({"payment_term": "999999"}, "payment_term", "Kies een betaalconditie uit de lijst."),
            ({"valid_until": "31-02-2027"}, "valid_until", "Vul een geldige datum in"),
            ({"valid_until": "2001-01-01"}, "valid_until", "in het verleden"),
            ({"title": ""}, "title", "Dit veld is verplicht."),
        ],
    )
    def test_bad_quote_fields_come_back_beside_the_field(
        self, client_for, am, traject, overrides, field, message
    ):
        response = client_for(am).post(create_url(traject), form_data(traject, **overrides))
        assert response.status_code == 200
        assert message in response.context["form"].errors[field][0]
        assert not Quote.objects.exists()

    def test_a_contact_of_another_relation_is_refused_by_name(self, client_for, am, traject):
        stranger = ContactFactory()
        response = client_for(am).post(create_url(traject), form_data(traject, contact=stranger.pk))
        assert response.context["form"].errors["contact"] == [
            f"Kies een contactpersoon van {traject.relation.name}."
        ]
        assert not Quote.objects.exists()

    def test_500_lines_are_refused_with_a_clear_message(self, client_for, am, traject):
        lines = [("Regel", "1", "", "1", "21")] * 500
        response = client_for(am).post(create_url(traject), form_data(traject, lines))
        assert response.status_code == 200
        assert (
            "Een offerte heeft hooguit 100 regels." in response.context["lines"].non_form_errors()
        )
        assert not Quote.objects.exists()

    def test_no_lines_at_all_is_refused(self, client_for, am, traject):
        response = client_for(am).post(create_url(traject), form_data(traject, []))
        assert "Voeg minstens één regel toe." in response.context["lines"].non_form_errors()
        assert not Quote.objects.exists()

    def test_a_forged_management_form_is_no_500(self, client_for, am, traject):
        data = form_data(traject)
        data["lines-TOTAL_FORMS"] = "abc"
        response = client_for(am).post(create_url(traject), data)
        assert response.status_code == 200 and not Quote.objects.exists()
        data["lines-TOTAL_FORMS"] = "100000000"
        response = client_for(am).post(create_url(traject), data)
        assert response.status_code == 200 and not Quote.objects.exists()

    def test_forged_fields_change_nothing_they_should_not(self, client_for, am, traject):
        data = form_data(traject) | {
            "status": "accepted",
            "sequence": "7",
            "year": "2020",
            "total": "1",
            "traject": "999",
        }
        client_for(am).post(create_url(traject), data)
        quote = Quote.objects.get()
        assert quote.status == QuoteStatus.CONCEPT and quote.sequence is None
        assert quote.total == Decimal("372.48") and quote.traject_id == traject.pk


class TestLiveForm:
    """htmx: totals update as you type; lines are added and removed in place."""

    def test_recalculate_returns_only_the_totals_and_line_amounts(self, client_for, am, traject):
        data = form_data(traject) | {"op": "recalc"}
        response = client_for(am).post(create_url(traject), data, headers=HX)
        assert response.status_code == 200 and "<html" not in response.text
        assert response.text.lstrip().startswith('<div id="totals"')
        assert "372,48" in response.text and "Btw 9% over" in response.text
        assert '<span id="amount-lines-0" hx-swap-oob="true">€\xa019,49</span>' in response.text
        assert not Quote.objects.exists()

    def test_recalculate_skips_lines_that_are_not_valid_yet(self, client_for, am, traject):
        data = form_data(traject, **{"lines-1-quantity": "abc", "discount_percent": "x"})
        response = client_for(am).post(create_url(traject), data | {"op": "recalc"}, headers=HX)
        # 19.49 + 25.03 without discount: 44.52 + 4.09 (21%) + 2.25 (9%) = 50.86
        assert "50,86" in response.text
        assert '<span id="amount-lines-1" hx-swap-oob="true">–</span>' in response.text

    def test_add_line_returns_one_row_and_the_new_form_count(self, client_for, am, traject):
        data = form_data(traject) | {"op": "add"}
        response = client_for(am).post(create_url(traject), data, headers=HX)
        assert response.text.lstrip().startswith('<tr id="line-lines-3"')
        assert 'name="lines-3-description"' in response.text
        assert re.search(
            r'name="lines-TOTAL_FORMS" value="4"[^>]*hx-swap-oob="true"', response.text
        )
        assert "<html" not in response.text

    def test_add_line_stops_at_the_maximum(self, client_for, am, traject):
        data = form_data(traject, [("Regel", "1", "", "1", "21")] * 100) | {"op": "add"}
        response = client_for(am).post(create_url(traject), data, headers=HX)
        assert "<tr" not in response.text and "hooguit 100 regels" in response.text

    def test_remove_line_returns_the_totals_without_it(self, client_for, am, traject):
        data = form_data(traject) | {"op": "remove-lines-1"}
        response = client_for(am).post(create_url(traject), data, headers=HX)
        assert 'id="totals" class="quote-totals" hx-swap-oob="true"' in response.text
        # 19.49 + 25.03 with 10%: 21%: 19.49 - 1.95 = 17.54 + 3.68 ; 9%: 25.03 - 2.50 = 22.53 + 2.03
        assert "45,78" in response.text
        assert "amount-lines-1" not in response.text

    def test_rows_removed_in_place_leave_gaps_that_are_simply_skipped(
        self, client_for, am, traject
    ):
        data = form_data(traject)
        for name in ("description", "quantity", "unit", "unit_price", "vat_rate"):
            del data[f"lines-0-{name}"], data[f"lines-2-{name}"]
        response = client_for(am).post(create_url(traject), data)
        assert response.status_code == 302
        assert [line.description for line in Quote.objects.get().lines.all()] == ["Advertentie"]

    def test_the_line_limit_counts_rows_not_row_numbers(self, client_for, am, traject):
        data = form_data(traject, [("Regel", "1", "", "1", "21")] * 105)
        for index in range(5):  # five rows were removed in the browser: 100 remain
            for name in ("description", "quantity", "unit", "unit_price", "vat_rate"):
                del data[f"lines-{index}-{name}"]
        response = client_for(am).post(create_url(traject), data)
        assert response.status_code == 302
        assert Quote.objects.get().lines.count() == 100

    def test_without_javascript_add_and_remove_rerender_the_page(self, client_for, am, traject):
        client = client_for(am)
        response = client.post(create_url(traject), form_data(traject) | {"op": "add"})
        assert response.status_code == 200 and "<html" in response.text
        assert len(response.context["lines"].forms) == 4
        response = client.post(create_url(traject), form_data(traject) | {"op": "remove-lines-0"})
        forms = response.context["lines"].forms
        assert [f["description"].value() for f in forms] == ["Advertentie", "Lunch"]
        assert 'name="lines-TOTAL_FORMS" value="2"' in response.text
        assert not Quote.objects.exists()

    def test_edit_form_shows_the_lines_and_saves_changes(self, client_for, am, quote):
        client = client_for(am)
        url = reverse("quotes:edit", args=[quote.pk])
        response = client.get(url)
        assert "Advertentie</textarea>" in response.text
        assert "372,48" in response.text  # live totals already on the first render
        response = client.post(url, form_data(quote.traject, discount_percent="0"))
        assert response.status_code == 302
        assert Quote.objects.get(pk=quote.pk).discount_amount == Decimal("0.00")


class TestPermissions:
    def urls(self, quote):
        return {
            "detail": ("get", reverse("quotes:detail", args=[quote.pk])),
            "edit": ("post", reverse("quotes:edit", args=[quote.pk])),
            "pdf": ("get", reverse("quotes:pdf", args=[quote.pk])),
            "download": ("get", reverse("quotes:download", args=[quote.pk])),
            "send": ("post", reverse("quotes:send", args=[quote.pk])),
            "email": ("post", reverse("quotes:email", args=[quote.pk])),
            "email-form": ("get", reverse("quotes:email", args=[quote.pk])),
            "accept": ("post", reverse("quotes:accept", args=[quote.pk])),
            "reject": ("post", reverse("quotes:reject", args=[quote.pk])),
            "revise": ("post", reverse("quotes:revise", args=[quote.pk])),
            "delete": ("post", reverse("quotes:delete", args=[quote.pk])),
            "create": ("post", create_url(quote.traject)),
        }

    @pytest.mark.parametrize("who", ["other_am", "nobody"])
    def test_every_quote_url_is_404_for_who_cannot_see_the_traject(
        self, request, client_for, quote, who
    ):
        client = client_for(request.getfixturevalue(who))
        for name, (method, url) in self.urls(quote).items():
            data = {"to": "x@evil.nl", "subject": "x", "set_order": "on"} | form_data(quote.traject)
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, name
        assert mail.outbox == []
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.CONCEPT
        assert Quote.objects.count() == 1

    def test_anonymous_goes_to_login(self, client, quote):
        response = client.get(reverse("quotes:pdf", args=[quote.pk]))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_beheerder_opens_and_acts_on_any_quote(self, client_for, beheerder, quote):
        client = client_for(beheerder)
        assert client.get(reverse("quotes:detail", args=[quote.pk])).status_code == 200
        client.post(reverse("quotes:send", args=[quote.pk]))
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT

    def test_a_deleted_traject_takes_its_quotes_along(self, client_for, am, quote):
        Traject.objects.filter(pk=quote.traject_id).update(deleted_at=timezone.now())
        assert client_for(am).get(reverse("quotes:detail", args=[quote.pk])).status_code == 404

    def test_wrong_methods_are_refused(self, client_for, am, quote):
        client = client_for(am)
        assert client.get(reverse("quotes:send", args=[quote.pk])).status_code == 405
        assert client.post(reverse("quotes:pdf", args=[quote.pk])).status_code == 405


class TestStatusFlow:
    def test_send_then_the_quote_is_frozen_over_http(self, client_for, am, quote):
        client = client_for(am)
        response = client.post(reverse("quotes:send", args=[quote.pk]), follow=True)
        quote = Quote.objects.get(pk=quote.pk)
        assert quote.number in response.text and "vastgelegd als verzonden" in response.text
        response = client.post(
            reverse("quotes:edit", args=[quote.pk]),
            form_data(quote.traject, discount_percent="50"),
            follow=True,
        )
        assert "ligt vast: maak een nieuwe versie" in response.text
        assert Quote.objects.get(pk=quote.pk).discount_percent == Decimal("10.00")
        response = client.get(reverse("quotes:edit", args=[quote.pk]))
        assert response.status_code == 302

    def test_a_second_send_is_refused_with_a_message(self, client_for, am, quote):
        client = client_for(am)
        client.post(reverse("quotes:send", args=[quote.pk]))
        response = client.post(reverse("quotes:send", args=[quote.pk]), follow=True)
        assert "is al verzonden" in response.text
        assert Quote.objects.get(pk=quote.pk).sequence == 1

    def test_new_version_opens_its_form(self, client_for, am, quote):
        client = client_for(am)
        client.post(reverse("quotes:send", args=[quote.pk]))
        response = client.post(reverse("quotes:revise", args=[quote.pk]))
        draft = Quote.objects.get(version=2)
        assert response["Location"] == reverse("quotes:edit", args=[draft.pk])
        assert client.get(response["Location"]).status_code == 200

    def test_accept_offers_order_and_value_and_applies_it(self, client_for, am, quote, traject):
        services.quote_send(quote=quote, user=am)
        client = client_for(am)
        url = reverse("quotes:accept", args=[quote.pk])
        page = client.get(url)
        assert "Zet het traject op type Order" in page.text
        assert "offertetotaal excl. btw, € 310,07" in " ".join(page.text.split())
        response = client.post(
            url, {"set_order": "on", "loaded_type": traject.type_id, "loaded_value": "1000.00"}
        )
        assert response.status_code == 302
        traject = Traject.objects.get(pk=traject.pk)
        # The net total after discount, before VAT (372,48 incl. VAT).
        assert traject.value == Decimal("310.07") and traject.type.name == "Order"

    def test_accept_with_sales_select_asks_for_the_reason_beside_the_field(
        self, client_for, am, quote, traject
    ):
        services.quote_send(quote=quote, user=am)
        ClientSettings.objects.filter(pk=1).update(sales_select_enabled=True)
        client = client_for(am)
        url = reverse("quotes:accept", args=[quote.pk])
        assert 'class="error">*' in client.get(url).text
        response = client.post(url, {"set_order": "on"})
        assert response.status_code == 200
        assert "Sales Select" in response.context["form"].errors["win_loss_reason"][0]
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT
        reason = WinLossReason.objects.get(reason="Relatie")
        response = client.post(url, {"set_order": "on", "win_loss_reason": reason.pk})
        assert response.status_code == 302
        assert Traject.objects.get(pk=traject.pk).win_loss_reason == reason

    def test_accept_reports_a_conflicting_change(self, client_for, am, quote, traject):
        services.quote_send(quote=quote, user=am)
        response = client_for(am).post(
            reverse("quotes:accept", args=[quote.pk]),
            {"set_order": "on", "loaded_type": traject.type_id, "loaded_value": "999.00"},
        )
        assert response.status_code == 200
        assert "intussen gewijzigd" in str(response.context["form"].non_field_errors())
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT

    def test_reject(self, client_for, am, quote):
        services.quote_send(quote=quote, user=am)
        client_for(am).post(reverse("quotes:reject", args=[quote.pk]))
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.REJECTED

    def test_accepting_a_concept_is_refused(self, client_for, am, quote):
        response = client_for(am).post(
            reverse("quotes:accept", args=[quote.pk]), {"set_order": "on"}, follow=True
        )
        assert "Alleen een verzonden offerte" in response.text
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.CONCEPT


class TestEmailPage:
    def test_the_form_is_addressed_to_the_contact(self, client_for, am, quote):
        response = client_for(am).get(reverse("quotes:email", args=[quote.pk]))
        initial = response.context["form"].initial
        assert initial["to"] == "piet@hanzebouw.nl" and "Beste Piet," in initial["message"]

    def test_sending_mails_the_pdf_and_logs_it(self, client_for, am, quote, traject):
        url = reverse("quotes:email", args=[quote.pk])
        response = client_for(am).post(
            url, {"to": "piet@hanzebouw.nl", "subject": "Offerte", "message": "Hallo"}
        )
        quote = Quote.objects.get(pk=quote.pk)
        assert response.status_code == 302 and quote.status == QuoteStatus.SENT
        assert mail.outbox[0].attachments[0][0] == f"Offerte-{quote.number}.pdf"
        assert DossierEntry.objects.filter(traject=traject, kind=DossierKind.EMAIL).count() == 1

    def test_a_bad_address_keeps_the_form_and_sends_nothing(self, client_for, am, quote):
        url = reverse("quotes:email", args=[quote.pk])
        response = client_for(am).post(
            url, {"to": "piet@", "subject": "Offerte", "message": "Hallo"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["to"] == ["Vul een geldig e-mailadres in."]
        assert 'value="piet@"' in response.text
        assert mail.outbox == [] and Quote.objects.get(pk=quote.pk).is_concept

    def test_a_failing_server_shows_a_message(self, client_for, am, quote, settings):
        settings.EMAIL_BACKEND = "tests.quotes.failing_backend.FailingBackend"
        url = reverse("quotes:email", args=[quote.pk])
        response = client_for(am).post(url, {"to": "piet@hanzebouw.nl", "subject": "Offerte"})
        assert response.status_code == 200
        assert "De e-mail kon niet worden verzonden" in response.text


class TestPdfViews:
    def test_preview_inline_and_download(self, client_for, am, quote):
        client = client_for(am)
        response = client.get(reverse("quotes:pdf", args=[quote.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert response.content.startswith(b"%PDF-")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        services.quote_send(quote=quote, user=am)
        quote = Quote.objects.get(pk=quote.pk)
        response = client.get(reverse("quotes:download", args=[quote.pk]))
        assert (
            response["Content-Disposition"] == f'attachment; filename="Offerte-{quote.number}.pdf"'
        )
        assert response.content == quote.pdf.read()  # the stored document, not a new one

    def test_a_lost_pdf_file_is_rendered_again(self, client_for, am, quote):
        sent = services.quote_send(quote=quote, user=am)
        sent.pdf.storage.delete(sent.pdf.name)
        response = client_for(am).get(reverse("quotes:download", args=[sent.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")


class TestLists:
    @pytest.fixture
    def quotes(self, am, other_am, traject):
        mine_sent = services.quote_send(
            quote=make_quote(traject, am, title="Mijn verzonden"), user=am
        )
        mine_concept = make_quote(traject, am, title="Mijn concept")
        other_traject = TrajectFactory(relation=traject.relation, accountmanagers=[other_am])
        theirs = make_quote(other_traject, other_am, title="Zijn offerte", contact=None)
        return mine_sent, mine_concept, theirs

    def test_list_shows_only_visible_quotes(self, client_for, am, beheerder, quotes):
        text = client_for(am).get(reverse("quotes:list")).text
        assert "Mijn verzonden" in text and "Mijn concept" in text and "Zijn offerte" not in text
        text = client_for(beheerder).get(reverse("quotes:list")).text
        assert "Zijn offerte" in text

    def test_status_filter_and_a_bad_status(self, client_for, am, quotes):
        client = client_for(am)
        text = client.get(reverse("quotes:list"), {"status": "sent"}).text
        assert "Mijn verzonden" in text and "Mijn concept" not in text
        text = client.get(reverse("quotes:list"), {"status": "<script>", "page": "x"}).text
        assert "Mijn verzonden" in text and "Mijn concept" in text

    def test_htmx_results_fragment(self, client_for, am, quotes):
        response = client_for(am).get(
            reverse("quotes:list"), {"status": "concept"}, headers=HX | {"HX-Target": "results"}
        )
        assert response.text.lstrip().startswith('<div id="results">')
        assert "<html" not in response.text and "Mijn concept" in response.text

    def test_list_query_count_does_not_grow(
        self, client_for, am, traject, django_assert_max_num_queries
    ):
        client = client_for(am)
        make_quote(traject, am)
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("quotes:list"))
        for _ in range(10):
            make_quote(traject, am)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("quotes:list"))

    def test_traject_page_shows_its_quotes_and_the_offerte_button(
        self, client_for, am, quotes, traject
    ):
        text = client_for(am).get(reverse("trajects:detail", args=[traject.pk])).text
        assert 'id="offertes"' in text and create_url(traject) in text
        assert "Mijn verzonden" in text and "Mijn concept" in text and "Zijn offerte" not in text

    def test_text_typed_into_a_quote_is_escaped_on_pages(self, client_for, am, traject):
        evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
        lines = [
            {
                "description": evil,
                "quantity": Decimal("1"),
                "unit": "",
                "unit_price": Decimal("1"),
                "vat_rate": 21,
            }
        ]
        quote = make_quote(traject, am, title=evil, lines=lines)
        for url in (
            reverse("quotes:detail", args=[quote.pk]),
            reverse("quotes:list"),
            reverse("trajects:detail", args=[traject.pk]),
            reverse("quotes:edit", args=[quote.pk]),
        ):
            text = client_for(am).get(url).text
            assert "<script>alert(1)</script>" not in text and "<img src=x" not in text, url


class TestManual5:
    def test_the_dossier_entry_of_a_sent_quote_links_to_its_pdf(self, client_for, am, quote):
        client = client_for(am)
        client.post(reverse("quotes:send", args=[quote.pk]))
        quote = Quote.objects.get(pk=quote.pk)
        page = client.get(reverse("trajects:detail", args=[quote.traject_id])).text
        dossier = page[page.index('id="dossier"') :]
        link = re.search(r'<a href="([^"]+)"[^>]*>PDF ' + re.escape(quote.number), dossier)
        assert link, dossier[:2000]
        response = client.get(link.group(1))
        assert response.status_code == 200 and response.content == quote.pdf.read()

    def test_quote_line_inputs_have_labels(self, client_for, am, quote):
        response = client_for(am).get(reverse("quotes:edit", args=[quote.pk]))
        for index in range(3):
            for name, label in (
                ("description", "Omschrijving"),
                ("quantity", "Aantal"),
                ("unit", "Eenheid"),
                ("unit_price", "Prijs per eenheid"),
                ("vat_rate", "Btw"),
            ):
                tag = re.search(rf'<[^>]+name="lines-{index}-{name}"[^>]*>', response.text)
                assert f'aria-label="{label}, regel {index + 1}"' in tag.group(0)

    def test_a_concept_heading_says_concept_once(self, client_for, am, quote):
        response = client_for(am).get(reverse("quotes:detail", args=[quote.pk]))
        heading = re.search(r"<h1>(.*?)</h1>", response.text, re.S).group(1)
        text = " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        assert text == "Offerte Concept Werving monteurs"
        services.quote_send(quote=quote, user=am)
        response = client_for(am).get(reverse("quotes:detail", args=[quote.pk]))
        heading = re.search(r"<h1>(.*?)</h1>", response.text, re.S).group(1)
        text = " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        assert text == f"Offerte {Quote.objects.get(pk=quote.pk).number} Verzonden Werving monteurs"
