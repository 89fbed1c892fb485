"""Rule 6 (issue 12, points 3-5): stages of a business type, outcome and kans, the reason rule.

The default stages belong to NB and EB both, so these tests add a stage of one business type.
`selecter` has Sales Select (SE3573) on for himself; `am` has it off.
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from settings_app.models import BusinessType, ClientSettings, Stage, TrajectType, WinLossReason
from settings_app.services import user_settings_set
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import AccountmanagerFactory, TrajectFactory
from .conftest import htmx, loaded_form, url

CLOSING = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


def stage(name):
    return Stage.objects.get(name=name)


def kind(name):
    return TrajectType.objects.get(name=name)


@pytest.fixture
def nb_only(db):
    """A stage of New business only."""
    only = Stage.objects.create(name="Pitch NB", order=2)
    only.business_types.add(BusinessType.objects.get(code="NB"))
    return only


@pytest.fixture
def selecter(db):
    """An accountmanager with Sales Select on for himself."""
    user = AccountmanagerFactory(username="am_sel")
    user_settings_set(user=user, accountmanager=True, sales_select=True)
    return user


@pytest.fixture
def shared(am, selecter):
    """A traject of am (Sales Select off) and selecter (on), in stage Voorstel, kans 60."""
    return TrajectFactory(accountmanagers=[am, selecter], stage=stage("Voorstel"), probability=60)


def changes_logged(traject) -> dict:
    return {
        e.data["field"]: (e.data["old"], e.data["new"])
        for e in DossierEntry.objects.filter(traject=traject).exclude(data={})
        if "field" in e.data
    }


class TestStagesOfTheBusinessType:
    def test_a_stage_of_another_business_type_is_refused(self, am, nb_only):
        traject = TrajectFactory(accountmanagers=[am])  # EB
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"stage": nb_only.pk})
        assert "Pitch NB" in error.value.message_dict["stage"][0]
        assert reload(traject).stage is None

    def test_changing_the_business_type_under_a_stage_that_does_not_fit_is_refused(
        self, am, nb_only
    ):
        nb = BusinessType.objects.get(code="NB")
        traject = TrajectFactory(accountmanagers=[am], business_type=nb, stage=nb_only)
        eb = BusinessType.objects.get(code="EB")
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"business_type": eb.pk})
        message = error.value.message_dict["business_type"][0]
        assert "Stage “Pitch NB” hoort niet bij business Existing business" in message
        assert reload(traject).business_type == nb
        services.traject_update(
            traject=traject, user=am, changes={"business_type": eb.pk, "stage": None}
        )
        assert (reload(traject).business_type, reload(traject).stage) == (eb, None)

    def test_the_form_offers_only_the_stages_of_the_business_type(
        self, client_for, am, traject, nb_only
    ):
        client = client_for(am)
        text = client.get(url("informatie", traject.pk)).text
        stages = text.split('name="stage"')[1].split("</select>")[0]
        assert "Voorstel" in stages and "Pitch NB" not in stages
        nb = BusinessType.objects.get(code="NB")
        fragment = client.get(
            url("informatie_fragment", traject.pk),
            {"business_type": nb.pk},
            headers=htmx("stageveld"),
        ).text
        assert fragment.lstrip().startswith('<div id="stageveld"') and "Pitch NB" in fragment

    def test_a_posted_stage_of_another_business_type_comes_back_with_a_message(
        self, client_for, am, traject, nb_only
    ):
        client = client_for(am)
        data = loaded_form(client, traject) | {"stage": str(nb_only.pk), "subject": "Nieuw"}
        response = client.post(url("informatie", traject.pk), data)
        assert response.status_code == 200
        beside = response.text.split('name="stage"')[1].split("</div>")[0]
        assert "hoort niet bij business" in beside
        assert (reload(traject).stage, reload(traject).subject) == (None, "Glazen deuren")


class TestOutcomeAndKans:
    def test_won_gets_kans_100_and_keeps_what_the_reports_need(self, am, time_machine):
        time_machine.move_to(CLOSING, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Voorstel"), probability=60)
        services.traject_update(traject=traject, user=am, changes={"type": kind("Order").pk})
        traject = reload(traject)
        assert (traject.type.name, traject.probability, traject.stage.name) == (
            "Order",
            100,
            "Voorstel",
        )
        assert (traject.closed_at, traject.open_probability) == (CLOSING, 60)
        assert traject.closed_from_stage == stage("Voorstel")
        assert changes_logged(traject)["probability"] == ("60", "100")
        assert DossierEntry.objects.filter(traject=traject, kind=DossierKind.TYPE_CHANGE).exists()

    def test_lost_by_its_stage_gets_kans_0_and_adds_no_omzet(self, am):
        traject = TrajectFactory(
            accountmanagers=[am], stage=stage("Voorstel"), probability=60, value=Decimal("1000")
        )
        services.traject_update(traject=traject, user=am, changes={"stage": stage("Verloren").pk})
        traject = reload(traject)
        assert (traject.type.name, traject.probability) == ("Lost", 0)
        assert traject.closed_from_stage.name == "Voorstel"
        assert traject.weighted_value == Decimal("0.00")
        assert Traject.objects.filter(pk=traject.pk).totals()["weighted"] == Decimal("0")
        assert changes_logged(traject)["probability"] == ("60", "0")
        assert changes_logged(traject)["type"] == ("Prospect", "Lost")

    def test_kans_cannot_be_edited_on_a_closed_traject(self, client_for, am, traject):
        services.traject_update(traject=traject, user=am, changes={"type": kind("Lost").pk})
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"probability": 40})
        assert "kans 0%" in error.value.message_dict["probability"][0]
        client = client_for(am)
        text = client.get(url("informatie", traject.pk)).text
        assert "disabled" in text.split('name="probability"')[1].split(">")[0]
        data = loaded_form(client, traject) | {"probability": "40"}
        assert client.post(url("informatie", traject.pk), data).status_code == 302
        assert reload(traject).probability == 0

    def test_leaving_an_outcome_stage_for_an_open_one_reopens(self, am, time_machine):
        time_machine.move_to(CLOSING, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Voorstel"), probability=60)
        won = stage("Gewonnen")
        reason = WinLossReason.objects.get(reason="Relatie")
        services.traject_update(
            traject=traject, user=am, changes={"stage": won.pk, "win_loss_reason": reason.pk}
        )
        services.traject_update(
            traject=traject, user=am, changes={"stage": stage("Onderhandeling").pk}
        )
        traject = reload(traject)
        assert (traject.type.name, traject.probability, traject.win_loss_reason) == (
            "Prospect",
            60,
            None,
        )
        assert (traject.closed_at, traject.open_probability, traject.closed_from_stage) == (
            None,
            None,
            None,
        )

    def test_an_open_type_in_an_outcome_stage_is_refused_naming_the_stage(self, am):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_update(traject=traject, user=am, changes={"stage": stage("Gewonnen").pk})
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=traject, user=am, changes={"type": kind("Prospect").pk})
        assert "“Gewonnen”" in error.value.message_dict["type"][0]
        assert reload(traject).type.name == "Order"

    def test_lost_in_an_open_stage_is_allowed_and_the_stage_stays(self, am):
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Voorstel"))
        services.traject_update(traject=traject, user=am, changes={"type": kind("Lost").pk})
        traject = reload(traject)
        assert (traject.type.name, traject.stage.name) == ("Lost", "Voorstel")
        services.traject_update(traject=traject, user=am, changes={"type": kind("Prospect").pk})
        assert (reload(traject).probability, reload(traject).closed_at) == (50, None)

    def test_the_won_type_with_the_lowest_order_is_used(self, am):
        TrajectType.objects.create(name="Order vervallen", outcome="won", order=0, active=False)
        big = TrajectType.objects.create(name="Order groot", outcome="won", order=0)
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_update(traject=traject, user=am, changes={"stage": stage("Gewonnen").pk})
        assert reload(traject).type == big


class TestReasonRule:
    """The rule depends on the client and the traject's accountmanagers, not on the editor."""

    def test_am_without_sales_select_is_refused_on_a_traject_shared_with_one_with_it(
        self, am, shared
    ):
        with pytest.raises(ValidationError) as error:
            services.traject_update(traject=shared, user=am, changes={"type": kind("Order").pk})
        assert "win_loss_reason" in error.value.message_dict
        assert reload(shared).type.name == "Prospect"

    def test_the_one_with_sales_select_is_refused_too(self, selecter, shared):
        with pytest.raises(ValidationError):
            services.traject_update(
                traject=shared, user=selecter, changes={"type": kind("Order").pk}
            )

    def test_optional_when_nobody_on_the_traject_has_it(self, am, selecter):
        traject = TrajectFactory(accountmanagers=[am])
        services.traject_update(traject=traject, user=am, changes={"type": kind("Lost").pk})
        assert reload(traject).type.name == "Lost"

    def test_the_client_setting_asks_it_of_everyone(self, am):
        ClientSettings.objects.update(sales_select_enabled=True)
        traject = TrajectFactory(accountmanagers=[am])
        with pytest.raises(ValidationError):
            services.traject_update(traject=traject, user=am, changes={"type": kind("Lost").pk})

    def test_over_http_am_is_asked_for_the_reason_on_the_shared_traject(
        self, client_for, am, shared
    ):
        client = client_for(am)
        page = client.get(url("informatie", shared.pk)).text
        data = form_of(page, shared) | {"type": str(kind("Order").pk)}
        response = client.post(url("informatie", shared.pk), data)
        assert response.status_code == 200
        beside = response.text.split('name="win_loss_reason"')[1].split("</div>")[0]
        assert "required" in beside.split(">")[0]
        assert "Kies een gewonnen/verloren reden" in beside
        assert reload(shared).type.name == "Prospect"
        data["win_loss_reason"] = str(WinLossReason.objects.get(reason="Relatie").pk)
        assert client.post(url("informatie", shared.pk), data).status_code == 302
        assert reload(shared).type.name == "Order"


def form_of(page: str, traject) -> dict:
    from .html import form_data

    return form_data(page, action=url("informatie", traject.pk))


class TestDataMigration:
    """trajects 0009: rows saved before rule 6 are brought in line, in batches."""

    def run(self, batch_size=2):
        migration = importlib.import_module("trajects.migrations.0011_stages_bring_in_line")
        return migration.bring_in_line(apps, None, batch_size=batch_size)

    def test_rows_that_break_the_rule_are_fixed_and_written_in_the_dossier(self, am, nb_only):
        lost, order = kind("Lost"), kind("Order")
        bad_lost = TrajectFactory(type=lost, probability=30)
        bad_won = TrajectFactory(type=order, probability=80, stage=stage("Voorstel"))
        outside = TrajectFactory(stage=nb_only)  # EB
        contradicting = TrajectFactory(stage=stage("Gewonnen"), probability=40)
        good = TrajectFactory(stage=stage("Voorstel"), probability=40)
        Traject.objects.filter(pk=bad_lost.pk).update(
            updated_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
        )

        counts = self.run()

        bad_lost, bad_won = reload(bad_lost), reload(bad_won)
        assert (bad_lost.probability, bad_lost.open_probability) == (0, 30)
        assert bad_lost.closed_at == datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
        assert (bad_won.probability, bad_won.open_probability) == (100, 80)
        assert bad_won.closed_from_stage.name == "Voorstel"
        assert reload(outside).stage is None
        contradicting = reload(contradicting)
        assert (contradicting.type.name, contradicting.stage) == ("Prospect", None)
        assert changes_logged(bad_lost) == {"probability": ("30", "0")}
        assert changes_logged(outside) == {"stage": ("Pitch NB", "–")}
        assert changes_logged(contradicting) == {"stage": ("Gewonnen", "–")}
        assert DossierEntry.objects.filter(traject=contradicting, author=None).count() == 1
        assert changes_logged(good) == {} and reload(good).version == good.version
        assert counts["probability"] == 2
        assert self.run()["probability"] == 0
        assert DossierEntry.objects.count() == 4


def test_the_calibration_reads_the_kans_entered_while_open(am):
    from trajects.models import PriceRangeStatistic

    traject = TrajectFactory(accountmanagers=[am], probability=40, value=Decimal("100"))
    services.traject_update(traject=traject, user=am, changes={"type": kind("Lost").pk})
    assert reload(traject).probability == 0
    services.statistics_regenerate()
    overall = PriceRangeStatistic.objects.get(accountmanager=None)
    assert (overall.lost, overall.average_probability) == (1, Decimal("40.00"))
