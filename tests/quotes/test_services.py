"""Quote services: concept, numbering at first send, frozen quotes, versions, decisions, e-mail."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from quotes import services
from quotes.models import Quote, QuoteCounter, QuoteLine, QuoteStatus
from settings_app.models import ClientSettings, Outcome, TrajectType, WinLossReason
from trajects.models import DossierEntry, DossierKind, Traject
from trajects.services import TrajectConflict, traject_update

from ..factories import AccountmanagerFactory, ContactFactory, TrajectFactory
from .conftest import GOLDEN_LINES, decimal_lines, make_quote, quote_fields

pytestmark = pytest.mark.django_db


def reload(quote):
    return Quote.objects.get(pk=quote.pk)


class TestConcept:
    def test_create_stores_lines_and_the_hand_computed_totals(self, quote, traject):
        assert quote.status == QuoteStatus.CONCEPT and quote.number == ""
        assert [line.amount for line in quote.lines.all()] == [
            Decimal("19.49"),
            Decimal("300.00"),
            Decimal("25.03"),
        ]
        stored = reload(quote)
        assert (
            stored.subtotal,
            stored.discount_amount,
            stored.net_total,
            stored.vat_amount,
            stored.total,
        ) == (
            Decimal("344.52"),
            Decimal("34.45"),
            Decimal("310.07"),
            Decimal("62.41"),
            Decimal("372.48"),
        )
        entry = DossierEntry.objects.get(traject=traject, kind=DossierKind.QUOTE)
        assert entry.data["quote"] == quote.pk and entry.data["action"] == "created"

    def test_a_quote_does_not_convert_a_lead(self, am, relation, contact):
        lead = TrajectFactory(
            relation=relation, contact=contact, converted_at=None, accountmanagers=[am]
        )
        make_quote(lead, am)
        assert Traject.objects.get(pk=lead.pk).converted_at is None

    def test_update_replaces_lines_and_totals(self, quote, am):
        services.quote_update(
            quote=quote,
            user=am,
            fields=quote_fields(quote.traject, discount_percent=Decimal("0")),
            lines=decimal_lines(GOLDEN_LINES[:1]),
        )
        quote = reload(quote)
        assert quote.lines.count() == 1 and quote.total == Decimal("23.58")  # 19.49 + 4.0929

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ({"quantity": Decimal("-1")}, "groter dan 0"),
            ({"quantity": "abc"}, "Regel 1"),
            ({"unit_price": Decimal("1.23456")}, "Regel 1"),
            ({"vat_rate": 33}, "Regel 1"),
            ({"unit_price": Decimal("-5")}, "negatief"),
        ],
    )
    def test_bad_lines_are_refused_and_nothing_is_saved(self, traject, am, line, message):
        bad = [{**GOLDEN_LINES[0], **line}]
        with pytest.raises(ValidationError) as caught:
            services.quote_create(traject=traject, user=am, fields=quote_fields(traject), lines=bad)
        assert message in " ".join(caught.value.message_dict["lines"])
        assert not Quote.objects.exists() and not QuoteLine.objects.exists()

    def test_500_lines_and_no_lines_are_refused(self, traject, am):
        for lines in (GOLDEN_LINES[:1] * 500, []):
            with pytest.raises(ValidationError) as caught:
                services.quote_create(
                    traject=traject,
                    user=am,
                    fields=quote_fields(traject),
                    lines=decimal_lines(lines),
                )
            assert "lines" in caught.value.message_dict
        assert not Quote.objects.exists()

    def test_discount_over_100_and_contact_of_another_relation_are_refused(self, traject, am):
        with pytest.raises(ValidationError) as caught:
            make_quote(traject, am, discount_percent=Decimal("120"))
        assert "discount_percent" in caught.value.message_dict
        stranger = ContactFactory()  # another relation
        with pytest.raises(ValidationError) as caught:
            make_quote(traject, am, contact=stranger)
        assert "contact" in caught.value.message_dict
        assert not Quote.objects.exists()

    def test_a_traject_the_user_cannot_see_does_not_exist_for_him(self, traject, other_am):
        with pytest.raises(Traject.DoesNotExist):
            make_quote(traject, other_am)

    def test_a_deleted_concept_is_gone(self, quote, am):
        services.quote_delete(quote=quote, user=am)
        assert not Quote.objects.exists()


class TestSending:
    def test_first_send_numbers_freezes_stores_and_files_the_pdf(self, quote, am, traject):
        sent = services.quote_send(quote=quote, user=am)
        year = sent.quote_date.year
        assert sent.number == f"{year}-0001" and sent.status == QuoteStatus.SENT
        assert sent.pdf.name.startswith(f"quotes/{year}/{year}-0001-")
        assert sent.pdf.read()[:5] == b"%PDF-"
        entry = DossierEntry.objects.filter(traject=traject, kind=DossierKind.QUOTE).first()
        assert entry.data["action"] == "sent" and entry.data["pdf"] == sent.pdf.name
        assert entry.data["number"] == sent.number and entry.data["total"] == "372.48"

    def test_numbers_are_consecutive_per_year_and_concepts_take_none(self, traject, am):
        first, concept, second = (make_quote(traject, am) for _ in range(3))
        services.quote_send(quote=first, user=am)
        services.quote_send(quote=second, user=am)
        year = reload(first).year
        assert [reload(q).number for q in (first, concept, second)] == [
            f"{year}-0001",
            "",
            f"{year}-0002",
        ]
        assert QuoteCounter.objects.get(year=year).last == 2

    def test_a_new_year_starts_at_one(self, traject, am, time_machine_2027):
        QuoteCounter.objects.create(year=2026, last=41)
        sent = services.quote_send(quote=make_quote(traject, am), user=am)
        assert sent.number == "2027-0001"

    def test_a_failed_send_takes_no_number(self, traject, am, monkeypatch):
        def broken(quote):
            raise RuntimeError("renderer down")

        monkeypatch.setattr(services, "quote_pdf_render", broken)
        quote = make_quote(traject, am)
        with pytest.raises(RuntimeError):
            services.quote_send(quote=quote, user=am)
        assert reload(quote).status == QuoteStatus.CONCEPT
        assert not QuoteCounter.objects.filter(last__gt=0).exists()
        monkeypatch.undo()
        assert services.quote_send(quote=quote, user=am).sequence == 1  # no gap

    def test_a_sent_quote_is_frozen(self, quote, am):
        services.quote_send(quote=quote, user=am)
        with pytest.raises(services.QuoteStateError):
            services.quote_update(
                quote=quote,
                user=am,
                fields=quote_fields(quote.traject),
                lines=decimal_lines(GOLDEN_LINES),
            )
        with pytest.raises(services.QuoteStateError):
            services.quote_send(quote=quote, user=am)
        with pytest.raises(services.QuoteStateError):
            services.quote_delete(quote=quote, user=am)

    def test_a_new_version_keeps_the_number_with_a_suffix_and_replaces_the_old(self, quote, am):
        sent = services.quote_send(quote=quote, user=am)
        old_pdf = sent.pdf.name
        draft = services.quote_revise(quote=sent, user=am)
        assert draft.is_concept and draft.number == f"{sent.number}-2"
        assert services.quote_revise(quote=sent, user=am) == draft  # one draft per number
        services.quote_update(
            quote=draft,
            user=am,
            fields=quote_fields(quote.traject),
            lines=decimal_lines(GOLDEN_LINES[:2]),
        )
        resent = services.quote_send(quote=draft, user=am)
        assert resent.number == f"{sent.number}-2" and resent.pdf.name != old_pdf
        old = reload(sent)
        assert old.status == QuoteStatus.SUPERSEDED and old.pdf.name == old_pdf
        assert old.total == Decimal("372.48") and old.lines.count() == 3  # untouched
        assert QuoteCounter.objects.get(year=sent.year).last == 1  # versions take no number
        third = services.quote_send(quote=services.quote_revise(quote=resent, user=am), user=am)
        assert third.number == f"{sent.number}-3"

    def test_a_concept_cannot_be_accepted_rejected_or_revised(self, quote, am):
        for step in (services.quote_accept, services.quote_reject, services.quote_revise):
            with pytest.raises(services.QuoteStateError):
                step(quote=quote, user=am)
        assert reload(quote).status == QuoteStatus.CONCEPT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_sends_get_twenty_consecutive_numbers(am, traject):
    quotes = [make_quote(traject, am) for _ in range(20)]
    barrier = threading.Barrier(len(quotes))
    errors = []

    def send(quote):
        try:
            user = type(am).objects.get(pk=am.pk)
            barrier.wait(timeout=30)
            services.quote_send(quote=quote.pk, user=user)
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(quote,)) for quote in quotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sent = Quote.objects.filter(pk__in=[q.pk for q in quotes])
    assert sorted(sent.values_list("sequence", flat=True)) == list(range(1, 21))
    assert len({q.number for q in sent}) == 20
    assert all(q.status == QuoteStatus.SENT and q.pdf for q in sent)
    assert QuoteCounter.objects.get().last == 20


class TestDecisions:
    @pytest.fixture
    def sent(self, quote, am):
        return services.quote_send(quote=quote, user=am)

    def test_accepting_sets_order_and_the_net_total_before_vat(self, sent, am, traject):
        services.quote_accept(quote=sent, user=am, set_order=True)
        traject = Traject.objects.get(pk=traject.pk)
        # 372.48 incl. VAT; the value is the net total after the 10% discount, before VAT.
        assert traject.type.outcome == Outcome.WON and traject.value == Decimal("310.07")
        assert reload(sent).status == QuoteStatus.ACCEPTED

    def test_golden_net_67_35_at_21_percent_makes_the_value_67_35(self, am, traject):
        line = {"description": "Werving", "quantity": "1", "unit": "", "unit_price": "67.35"}
        quote = make_quote(traject, am, lines=[{**line, "vat_rate": 21}], discount_percent=0)
        quote = services.quote_send(quote=quote, user=am)
        assert (quote.net_total, quote.vat_amount, quote.total) == (
            Decimal("67.35"),
            Decimal("14.14"),
            Decimal("81.49"),
        )
        services.quote_accept(quote=quote, user=am, set_order=True)
        assert Traject.objects.get(pk=traject.pk).value == Decimal("67.35")

    def test_accepting_without_setting_order_leaves_the_traject(self, sent, am, traject):
        services.quote_accept(quote=sent, user=am, set_order=False)
        fresh = Traject.objects.get(pk=traject.pk)
        assert fresh.type_id == traject.type_id and fresh.value == traject.value

    def test_sales_select_needs_the_won_reason_and_nothing_changes_without_it(
        self, sent, am, traject
    ):
        client = ClientSettings.load()
        client.sales_select_enabled = True
        client.save()
        am.__dict__.pop("_sales_roles", None)
        with pytest.raises(ValidationError) as caught:
            services.quote_accept(quote=sent, user=am, set_order=True)
        assert "win_loss_reason" in caught.value.message_dict
        assert reload(sent).status == QuoteStatus.SENT
        assert Traject.objects.get(pk=traject.pk).type.outcome == Outcome.OPEN
        reason = WinLossReason.objects.filter(outcome="won").first()
        services.quote_accept(quote=sent, user=am, set_order=True, win_loss_reason=reason)
        traject = Traject.objects.get(pk=traject.pk)
        assert traject.win_loss_reason == reason and traject.type.outcome == Outcome.WON

    def test_accepting_refuses_when_someone_changed_the_value_meanwhile(
        self, sent, am, other_am, traject
    ):
        loaded = {"type": traject.type_id, "value": traject.value}
        traject_update(traject=traject, user=am, changes={"value": Decimal("5000")})
        with pytest.raises(TrajectConflict):
            services.quote_accept(quote=sent, user=am, set_order=True, loaded=loaded)
        assert reload(sent).status == QuoteStatus.SENT

    def test_rejecting_then_a_new_version(self, sent, am):
        services.quote_reject(quote=sent, user=am)
        assert reload(sent).status == QuoteStatus.REJECTED
        with pytest.raises(services.QuoteStateError):
            services.quote_accept(quote=sent, user=am)
        assert services.quote_revise(quote=sent, user=am).version == 2

    def test_an_accepted_quote_takes_no_new_version(self, sent, am):
        services.quote_accept(quote=sent, user=am, set_order=False)
        with pytest.raises(services.QuoteStateError):
            services.quote_revise(quote=sent, user=am)

    def test_someone_who_cannot_see_the_traject_cannot_touch_the_quote(self, sent, other_am):
        for step in (
            services.quote_accept,
            services.quote_reject,
            services.quote_revise,
            services.quote_send,
            services.quote_delete,
        ):
            with pytest.raises(Quote.DoesNotExist):
                step(quote=sent, user=other_am)
        with pytest.raises(Quote.DoesNotExist):
            services.quote_email(quote=sent, user=other_am, to="a@b.nl", subject="x", message="")

    def test_a_beheerder_may_act_on_any_quote(self, sent, beheerder):
        services.quote_reject(quote=sent, user=beheerder)
        assert reload(sent).status == QuoteStatus.REJECTED


class TestEmail:
    def test_a_concept_is_numbered_then_mailed_with_the_pdf_and_logged(self, quote, am, traject):
        am.email = "anna@bureau.nl"
        am.save()
        sent = services.quote_email(
            quote=quote,
            user=am,
            to="piet@hanzebouw.nl",
            subject="Onze offerte",
            message="Beste Piet",
        )
        assert sent.status == QuoteStatus.SENT and sent.number
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["piet@hanzebouw.nl"] and message.reply_to == ["anna@bureau.nl"]
        (name, content, mimetype) = message.attachments[0]
        assert name == f"Offerte-{sent.number}.pdf" and mimetype == "application/pdf"
        assert content == reload(sent).pdf.read()
        entry = DossierEntry.objects.get(traject=traject, kind=DossierKind.EMAIL)
        assert entry.data["to"] == "piet@hanzebouw.nl" and entry.data["number"] == sent.number
        assert entry.text == "Onze offerte"

    def test_bad_address_and_header_injection_are_refused(self, quote, am):
        with pytest.raises(ValidationError) as caught:
            services.quote_email(quote=quote, user=am, to="geen adres", subject="x", message="")
        assert "to" in caught.value.message_dict
        services.quote_email(
            quote=quote,
            user=am,
            to="piet@hanzebouw.nl",
            subject="Offerte\nBcc: x@evil.nl",
            message="",
        )
        assert mail.outbox[0].subject == "Offerte Bcc: x@evil.nl"
        assert mail.outbox[0].bcc == []

    def test_a_failing_mail_server_keeps_the_number_and_logs_no_email(self, quote, am, settings):
        settings.EMAIL_BACKEND = "tests.quotes.failing_backend.FailingBackend"
        with pytest.raises(services.QuoteEmailError):
            services.quote_email(
                quote=quote, user=am, to="piet@hanzebouw.nl", subject="x", message=""
            )
        assert reload(quote).status == QuoteStatus.SENT
        assert not DossierEntry.objects.filter(kind=DossierKind.EMAIL).exists()

    def test_a_superseded_version_is_not_mailed(self, quote, am):
        sent = services.quote_send(quote=quote, user=am)
        services.quote_send(quote=services.quote_revise(quote=sent, user=am), user=am)
        with pytest.raises(services.QuoteStateError):
            services.quote_email(
                quote=sent, user=am, to="piet@hanzebouw.nl", subject="x", message=""
            )
        assert mail.outbox == []


def test_an_order_type_is_needed_to_set_order(quote, am):
    sent = services.quote_send(quote=quote, user=am)
    TrajectType.objects.filter(outcome=Outcome.WON).update(active=False)
    with pytest.raises(ValidationError):
        services.quote_accept(quote=sent, user=am, set_order=True)
    assert reload(sent).status == QuoteStatus.SENT


def test_visible_to_follows_the_traject(quote, am, other_am, beheerder, traject):
    other = make_quote(
        TrajectFactory(relation=traject.relation, accountmanagers=[other_am]), other_am
    )
    assert list(Quote.objects.visible_to(am)) == [quote]
    assert list(Quote.objects.visible_to(other_am)) == [other]
    assert set(Quote.objects.visible_to(beheerder)) == {quote, other}
    assert QuoteLine.objects.visible_to(am).count() == 3
    assert QuoteLine.objects.visible_to(other_am).count() == 3
    newcomer = AccountmanagerFactory()
    assert not Quote.objects.visible_to(newcomer).exists()
    Traject.objects.filter(pk=traject.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert not Quote.objects.visible_to(am).exists()
    assert list(Quote.objects.visible_to(beheerder)) == [other]
