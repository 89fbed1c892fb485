"""The traject detail page: widgets, the Informatie form, omzet, won/lost reasons, conversion."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from settings_app.models import ClientSettings, Stage, TrajectType, WinLossReason
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import (
    AccountmanagerFactory,
    ContactFactory,
    RelationFactory,
    TrajectFactory,
    VacancyFactory,
)
from .conftest import htmx, loaded_form, url
from .html import form_data

pytestmark = pytest.mark.django_db

WIDGETS = ["informatie", "accountmanagers", "afspraken", "notities", "dossier", "geschiedenis"]


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


class TestPage:
    def test_accountmanager_sees_every_widget_of_his_traject(self, client_for, am, traject):
        response = client_for(am).get(url("detail", traject.pk))
        assert response.status_code == 200
        for widget in [*WIDGETS, "offertes"]:
            assert f'id="{widget}"' in response.text
        for label in ["Informatie", "Geschiedenis", "Dossier", "Notities", "Offertes"]:
            assert f">{label}" in response.text
        assert "Glazen deuren" in response.text and "Jan Jansen" in response.text
        assert "€ 500,00" in response.text  # omzet = 1000 × 50 %

    def test_offertes_come_from_the_quotes_template(self, client_for, am, traject):
        text = client_for(am).get(url("detail", traject.pk)).text
        section = text.split('<section id="offertes" class="card">')[1].split("</section>")[0]
        assert "<h2>Offertes</h2>" in section

    def test_beheerder_opens_any_and_others_get_404(self, client_for, beheerder, other_am, traject):
        assert client_for(beheerder).get(url("detail", traject.pk)).status_code == 200
        assert client_for(other_am).get(url("detail", traject.pk)).status_code == 404

    @pytest.mark.parametrize("widget", [*WIDGETS, "kop"])
    def test_htmx_gets_only_the_widget(self, client_for, am, traject, widget):
        response = client_for(am).get(url("detail", traject.pk), headers=htmx(widget))
        assert response.status_code == 200
        assert f'id="{widget}"' in response.text.split(">")[0]
        assert "<html" not in response.text

    def test_every_id_on_the_page_is_unique(self, client_for, am, traject):
        import re

        client = client_for(am)
        note = services.dossier_note_add(traject=traject, user=am, text="x")
        for address in (
            url("detail", traject.pk),
            url("informatie", traject.pk),
            url("note_edit", traject.pk, note.pk),
        ):
            ids = re.findall(r'\sid="([^"]+)"', client.get(address).text)
            assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    def test_wrong_methods_are_405_for_whoever_sees_it(self, client_for, am, traject):
        client = client_for(am)
        assert client.post(url("detail", traject.pk)).status_code == 405
        assert client.post(url("omzet", traject.pk)).status_code == 405
        for name in ("accountmanager_add", "hand_over", "note_add", "appointment_add"):
            assert client.get(url(name, traject.pk)).status_code == 405
        assert client.get(url("accountmanager_remove", traject.pk, am.pk)).status_code == 405
        assert reload(traject).accountmanager_count == 1

    def test_quotes_and_emails_filed_by_other_apps_join_the_timeline(self, client_for, am, traject):
        services.dossier_log(
            traject=traject, kind=DossierKind.QUOTE, author=am, text="Offerte 2026-001"
        )
        services.dossier_log(
            traject=traject, kind=DossierKind.EMAIL, author=am, text="Offerte gemaild aan Jan"
        )
        text = client_for(am).get(url("detail", traject.pk), headers=htmx("dossier")).text
        assert "<strong>Offerte</strong>" in text and "Offerte 2026-001" in text
        assert "<strong>E-mail</strong>" in text and "Offerte gemaild aan Jan" in text

    def test_english_on_request(self, client_for, am, traject):
        client = client_for(am)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        text = client.get(url("detail", traject.pk)).text
        assert "Expected close" in text and "History" in text and "€ 500.00" in text

    def test_query_count_does_not_grow_with_the_widgets_rows(
        self, client_for, am, other_am, traject, django_assert_max_num_queries
    ):
        client = client_for(am)

        def add_rows(n):
            for i in range(n):
                services.dossier_note_add(traject=traject, user=am, text=f"notitie {i}")
                services.traject_appointment_create(traject=traject, user=am, start=timezone.now())
                TrajectFactory(relation=traject.relation, accountmanagers=[am, other_am])
                services.traject_update(traject=traject, user=am, changes={"probability": 10 + i})

        add_rows(1)
        with django_assert_max_num_queries(30) as few:
            client.get(url("detail", traject.pk))
        add_rows(9)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url("detail", traject.pk))


class TestGeschiedenis:
    def test_every_traject_of_the_relation_newest_first_links_only_where_allowed(
        self, client_for, am, other_am, traject
    ):
        relation = traject.relation
        today = datetime.date.today()
        Traject.objects.filter(pk=traject.pk).update(lead_date=today - datetime.timedelta(days=5))
        old = TrajectFactory(
            subject="Oude opdracht",
            relation=relation,
            accountmanagers=[other_am],
            lead_date=today - datetime.timedelta(days=400),
            value=Decimal("7000"),
            probability=30,
        )
        new = TrajectFactory(
            subject="Nieuwe opdracht", relation=relation, accountmanagers=[am], lead_date=today
        )
        gone = TrajectFactory(subject="Weggegooid", relation=relation, accountmanagers=[am])
        services.traject_delete(traject=gone, user=am)
        TrajectFactory(subject="Andere klant", accountmanagers=[am])

        text = client_for(am).get(url("detail", traject.pk), headers=htmx("geschiedenis")).text
        assert text.index("Nieuwe opdracht") < text.index("Glazen deuren")
        assert text.index("Glazen deuren") < text.index("Oude opdracht")
        assert f'href="{url("detail", new.pk)}"' in text
        assert f'href="{url("detail", old.pk)}"' not in text  # not his: shown without a link
        assert "€ 7.000" in text and "30%" in text and escape(other_am.get_full_name()) in text
        assert "Weggegooid" not in text and "Andere klant" not in text

    def test_beheerder_gets_every_row_as_a_link(self, client_for, beheerder, other_am, traject):
        other = TrajectFactory(relation=traject.relation, accountmanagers=[other_am])
        text = client_for(beheerder).get(url("detail", traject.pk)).text
        assert f'href="{url("detail", other.pk)}"' in text

    def test_history_pages(self, client_for, am, traject):
        for i in range(12):
            TrajectFactory(relation=traject.relation, accountmanagers=[am], subject=f"Rij {i}")
        client = client_for(am)
        first = client.get(url("detail", traject.pk), headers=htmx("geschiedenis")).text
        assert "?geschiedenis=2" in first
        second = client.get(
            url("detail", traject.pk), {"geschiedenis": 2}, headers=htmx("geschiedenis")
        ).text
        assert second.count("<tr") - 1 == 3  # 13 rows, 10 per page


class TestInformatieForm:
    def test_edit_form_in_place_and_without_javascript(self, client_for, am, traject):
        client = client_for(am)
        fragment = client.get(url("informatie", traject.pk), headers=htmx("informatie"))
        assert fragment.text.lstrip().startswith('<section id="informatie"')
        assert 'name="initial-probability" value="50"' in fragment.text
        page = client.get(url("informatie", traject.pk), {"veld": "probability"})
        assert "<html" in page.text and 'name="probability"' in page.text
        assert "autofocus" in page.text.split('name="probability"')[1].split(">")[0]

    def test_plain_post_saves_and_redirects_with_old_and_new_in_the_dossier(
        self, client_for, am, traject
    ):
        client = client_for(am)
        data = loaded_form(client, traject) | {"probability": "80", "value": "5.000"}
        response = client.post(url("informatie", traject.pk), data)
        assert response.status_code == 302
        assert response["Location"] == url("detail", traject.pk) + "#informatie"
        traject = reload(traject)
        assert (traject.probability, traject.value) == (80, Decimal("5000.00"))
        changes = {
            e.data["field"]: (e.data["old"], e.data["new"], e.author)
            for e in DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE)
        }
        assert changes == {"probability": ("50", "80", am), "value": ("1000.00", "5000.00", am)}
        page = client.get(url("detail", traject.pk)).text
        assert "€ 4.000,00" in page  # omzet
        assert "50%</del> → <ins>80%" in page  # the dossier, old → new

    def test_htmx_post_returns_the_widget_and_tells_the_others(self, client_for, am, traject):
        client = client_for(am)
        data = loaded_form(client, traject) | {"subject": "Nieuwe glazen deuren"}
        response = client.post(url("informatie", traject.pk), data, headers=htmx("informatie"))
        assert response.status_code == 200
        assert 'id="informatie"' in response.text and "Nieuwe glazen deuren" in response.text
        assert '<h1 id="kop" hx-swap-oob="true">' in response.text
        assert "dossier-changed" in response["HX-Trigger"]
        assert "geschiedenis-changed" in response["HX-Trigger"]

    @pytest.mark.parametrize(
        ("amount", "stored"),
        [
            ("€ 10.000,50", "10000.50"),
            ("10.000", "10000.00"),
            ("1.250.000", "1250000.00"),
            ("2500,5", "2500.50"),
            ("2500.75", "2500.75"),
            ("", None),
        ],
    )
    def test_amounts_are_read_the_dutch_way(self, client_for, am, traject, amount, stored):
        client = client_for(am)
        data = loaded_form(client, traject) | {"value": amount}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        expected = Decimal(stored) if stored else None
        assert reload(traject).value == expected

    @pytest.mark.parametrize(
        ("field", "typed", "message"),
        [
            ("probability", "101", "hoogstens 100"),
            ("probability", "-5", "minstens 0"),
            ("probability", "veel", "geheel getal"),
            ("value", "-1", "minstens 0"),
            ("value", "duur", "getal"),
            ("value", "1,234", "niet meer dan 2 cijfers achter de komma"),
            ("expected_close", "2026-02-31", "geldige datum"),
            ("expected_close", "31-02-2026", "geldige datum"),
            ("lead_date", "morgen", "geldige datum"),
            ("subject", "", "verplicht"),
            ("subject", "x" * 300, "niet meer dan 255 tekens"),
            ("relation", "999999", "Deze relatie bestaat niet (meer)"),
            ("type", "abc", "geldige keuze"),
        ],
    )
    def test_bad_input_comes_back_beside_the_field_keeping_what_was_typed(
        self, client_for, am, traject, field, typed, message
    ):
        client = client_for(am)
        before = Traject.objects.filter(pk=traject.pk).values().get()
        other, kept = ("source", "2") if field == "subject" else ("subject", "Ander onderwerp")
        data = loaded_form(client, traject) | {other: kept, field: typed}
        for headers in ({}, htmx("informatie")):
            response = client.post(url("informatie", traject.pk), data, headers=headers)
            assert response.status_code == 200
            # Up to the next field: the relation picker has boxes of its own.
            beside = response.text.split(f'name="{field}"', 1)[1].split('<div class="field')[0]
            assert message in beside
            shown = form_data(response.text, action=url("informatie", traject.pk))
            assert shown[other] == kept  # the rest of what he typed is still there
            if field not in ("relation", "type"):  # a choice that does not exist cannot show
                assert shown[field] == typed
        assert Traject.objects.filter(pk=traject.pk).values().get() == before
        assert not DossierEntry.objects.filter(kind=DossierKind.FIELD_CHANGE).exists()

    def test_contact_of_another_relation_is_refused_beside_the_field(self, client_for, am, traject):
        client = client_for(am)
        stranger = ContactFactory()
        data = loaded_form(client, traject) | {"contact": str(stranger.pk)}
        response = client.post(url("informatie", traject.pk), data)
        assert "geldige keuze" in response.text.split('name="contact"')[1].split("</div>")[0]
        assert reload(traject).contact_id == traject.contact_id

    def test_changing_the_relation_with_its_contact_and_vacancy(self, client_for, am, traject):
        client = client_for(am)
        relation = RelationFactory(name="Bakkerij Brood & Zo")
        contact = ContactFactory(relation=relation, last_name="Bakker")
        vacancy = VacancyFactory(relation=relation, title="Bakker gezocht")
        found = client.get(reverse("crm:relation_search"), {"relation_query": "brood"})
        assert f'data-value="{relation.pk}" data-label="Bakkerij Brood &amp; Zo"' in found.text
        picked = client.get(
            url("informatie_fragment", traject.pk),
            {"relation": relation.pk},
            headers=htmx("relatievelden"),
        )
        assert picked.text.lstrip().startswith('<div id="relatievelden"')
        assert "Bakker gezocht" in picked.text and "Jan Bakker" in picked.text
        data = loaded_form(client, traject) | {
            "relation": str(relation.pk),
            "contact": str(contact.pk),
            "vacancy": str(vacancy.pk),
        }
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        traject = reload(traject)
        assert (traject.relation, traject.contact, traject.vacancy) == (relation, contact, vacancy)

    def test_relation_search_without_javascript_saves_nothing(self, client_for, am, traject):
        client = client_for(am)
        relation = RelationFactory(name="Zoekbaar B.V.")
        data = loaded_form(client, traject) | {
            "relation_query": "zoekbaar",
            "_refresh": "1",
            "probability": "90",
        }
        response = client.post(url("informatie", traject.pk), data)
        assert response.status_code == 200
        assert f'name="relation" value="{relation.pk}"> Zoekbaar B.V.' in response.text
        assert 'value="90"' in response.text
        assert reload(traject).probability == 50

    def test_enter_in_another_field_still_saves(self, client_for, am, traject):
        client = client_for(am)
        data = loaded_form(client, traject) | {"_refresh": "1", "probability": "90"}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        assert reload(traject).probability == 90


class TestOmzet:
    @pytest.mark.parametrize(
        ("probability", "value", "shown"),
        [
            ("80", "5000", "€ 4.000,00"),
            ("50", "10.000", "€ 5.000,00"),
            ("33", "99,99", "€ 33,00"),
            ("101", "5000", "–"),
            ("abc", "5000", "–"),
            ("50", "-1", "–"),
            ("50", "", "–"),
        ],
    )
    def test_omzet_follows_what_is_typed_before_saving(
        self, client_for, am, traject, probability, value, shown
    ):
        response = client_for(am).get(
            url("omzet", traject.pk), {"probability": probability, "value": value}
        )
        assert response.status_code == 200
        assert response.text.startswith('<output id="omzet"')
        assert f">{shown}</output>" in response.text
        assert reload(traject).probability == 50

    def test_the_inputs_ask_for_it(self, client_for, am, traject):
        text = client_for(am).get(url("informatie", traject.pk)).text
        kans = text.split('name="probability"')[1].split(">")[0]
        assert f'hx-get="{url("omzet", traject.pk)}"' in kans and 'hx-target="#omzet"' in kans


class TestWonLost:
    """Rule 6 on the detail page."""

    @pytest.fixture
    def sales_select(self, db):
        ClientSettings.objects.update(sales_select_enabled=True)

    def test_choosing_order_asks_for_a_won_reason(self, client_for, am, traject, sales_select):
        order = TrajectType.objects.get(name="Order")
        response = client_for(am).get(
            url("informatie_fragment", traject.pk), {"type": order.pk}, headers=htmx("redenveld")
        )
        text = response.text
        assert text.lstrip().startswith('<div id="redenveld"') and " hidden" not in text[:60]
        assert "Relatie (gewonnen)" in text and "Te duur" not in text
        assert "required" in text.split('name="win_loss_reason"')[1].split(">")[0]

    def test_a_stage_that_wins_asks_too(self, client_for, am, traject, sales_select):
        stage = Stage.objects.get(name="Verloren")
        text = (
            client_for(am)
            .get(
                url("informatie_fragment", traject.pk),
                {"stage": stage.pk},
                headers=htmx("redenveld"),
            )
            .text
        )
        assert "Te duur (verloren)" in text and "Relatie (gewonnen)" not in text

    def test_prospect_hides_the_reason(self, client_for, am, traject):
        text = client_for(am).get(url("informatie", traject.pk)).text
        assert '<div id="redenveld" class="subgrid" hidden>' in text

    def test_save_without_reason_is_refused_with_sales_select(
        self, client_for, am, traject, sales_select
    ):
        client = client_for(am)
        order = TrajectType.objects.get(name="Order")
        data = loaded_form(client, traject) | {"type": str(order.pk), "probability": "100"}
        response = client.post(url("informatie", traject.pk), data)
        assert response.status_code == 200
        beside = response.text.split('name="win_loss_reason"')[1].split("</div>")[0]
        assert "Kies een gewonnen/verloren reden" in beside
        assert '<div id="redenveld" class="subgrid">' in response.text
        assert 'value="100"' in response.text
        assert reload(traject).type.name == "Prospect"
        reason = WinLossReason.objects.get(reason="Relatie")
        data["win_loss_reason"] = str(reason.pk)
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        traject = reload(traject)
        assert (traject.type, traject.win_loss_reason) == (order, reason)

    def test_reason_is_optional_without_sales_select(self, client_for, am, traject):
        client = client_for(am)
        lost = TrajectType.objects.get(name="Lost")
        data = loaded_form(client, traject) | {"type": str(lost.pk)}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        assert reload(traject).type == lost

    def test_user_setting_asks_the_reason_on_his_trajects(self, client_for, traject):
        from settings_app.services import user_settings_set

        selecter = AccountmanagerFactory(username="am_select")
        user_settings_set(user=selecter, accountmanager=True, sales_select=True)
        services.traject_accountmanager_add(
            traject=traject, user=traject.accountmanagers.first(), accountmanager=selecter
        )
        client = client_for(selecter)
        order = TrajectType.objects.get(name="Order")
        data = loaded_form(client, traject) | {"type": str(order.pk)}
        assert client.post(url("informatie", traject.pk), data).status_code == 200
        assert reload(traject).type.name == "Prospect"

    def test_entering_a_winning_stage_sets_type_and_writes_both(self, client_for, am, traject):
        client = client_for(am)
        stage = Stage.objects.get(name="Gewonnen")
        data = loaded_form(client, traject) | {"stage": str(stage.pk)}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        traject = reload(traject)
        assert traject.type.outcome == "won"
        kinds = set(DossierEntry.objects.values_list("kind", flat=True))
        assert {DossierKind.STAGE_CHANGE, DossierKind.TYPE_CHANGE} <= kinds


class TestConversion:
    """Rule 1 over HTTP: the assigned accountmanager's first saved change converts."""

    def test_assigned_accountmanager_converts_a_lead_by_saving_a_change(
        self, client_for, am, contact
    ):
        lead = TrajectFactory(
            converted_at=None, accountmanagers=[am], relation=contact.relation, contact=contact
        )
        client = client_for(am)
        assert ">Lead</small>" in client.get(url("detail", lead.pk)).text
        unchanged = loaded_form(client, lead)
        assert client.post(url("informatie", lead.pk), unchanged).status_code == 302
        assert reload(lead).converted_at is None  # nothing changed: still a lead
        changed = unchanged | {"probability": "60"}
        response = client.post(url("informatie", lead.pk), changed, headers=htmx("informatie"))
        assert ">Traject</small>" in response.text  # the heading follows (out of band)
        assert reload(lead).converted_at is not None
        assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1

    def test_beheerder_not_assigned_does_not_convert(self, client_for, am, beheerder, contact):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am], relation=contact.relation)
        client = client_for(beheerder)
        data = loaded_form(client, lead) | {"subject": "Door beheerder"}
        assert client.post(url("informatie", lead.pk), data).status_code == 302
        lead = reload(lead)
        assert lead.subject == "Door beheerder" and lead.converted_at is None

    def test_notes_appointments_and_shares_over_http_do_not_convert(
        self, client_for, am, other_am, contact
    ):
        lead = TrajectFactory(
            converted_at=None, accountmanagers=[am], relation=contact.relation, contact=contact
        )
        client = client_for(am)
        client.post(url("note_add", lead.pk), {"text": "Gebeld"})
        client.post(
            url("appointment_add", lead.pk),
            {"date": "2026-05-04", "time": "10:00", "kind": "visit", "contact": contact.pk},
        )
        client.post(url("accountmanager_add", lead.pk), {"accountmanager": other_am.pk})
        lead = reload(lead)
        assert lead.converted_at is None and lead.first_visit_on is None
        assert lead.accountmanager_count == 2
