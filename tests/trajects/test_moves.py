"""traject_stage_move (issue 13, points 5-6): the board's card move as a trajects service.

The default stages belong to NB and EB both, so the business-type test adds a stage of its own.
"""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from settings_app.models import BusinessType, ClientSettings, Stage, TrajectType, WinLossReason
from settings_app.services import user_settings_set
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject
from trajects.moves import StageConflict, traject_stage_move

from ..factories import TrajectFactory

MOMENT = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


def stage(name):
    return Stage.objects.get(name=name)


def reason(text):
    return WinLossReason.objects.get(reason=text)


def reload(traject):
    return Traject.objects.select_related("stage", "type").get(pk=traject.pk)


def stage_entries(traject):
    return list(
        DossierEntry.objects.filter(traject=traject, kind=DossierKind.STAGE_CHANGE)
        .order_by("created_at", "pk")
        .values_list("data__old", "data__new")
    )


@pytest.fixture
def in_voorstel(am):
    return TrajectFactory(accountmanagers=[am], stage=stage("Voorstel"), probability=60)


@pytest.fixture
def sales_select_on(db):
    settings = ClientSettings.load()
    settings.sales_select_enabled = True
    settings.save()
    return settings


class TestMove:
    def test_moves_and_writes_the_dossier(self, am, in_voorstel):
        moved = traject_stage_move(
            traject=in_voorstel, stage=stage("Onderhandeling"), stage_seen=stage("Voorstel"), by=am
        )
        assert moved.stage == stage("Onderhandeling")
        assert reload(in_voorstel).stage == stage("Onderhandeling")
        assert stage_entries(in_voorstel) == [("Voorstel", "Onderhandeling")]

    def test_a_move_restarts_the_days_in_stage(self, am, in_voorstel):
        with time_machine.travel(MOMENT, tick=False):
            traject_stage_move(
                traject=in_voorstel, stage=stage("Onderhandeling"), stage_seen=stage("Voorstel"),
                by=am,
            )  # fmt: skip
        assert reload(in_voorstel).stage_changed_at == MOMENT

    def test_back_to_no_stage(self, am, in_voorstel):
        traject_stage_move(traject=in_voorstel, stage=None, stage_seen=stage("Voorstel"), by=am)
        assert reload(in_voorstel).stage is None
        assert stage_entries(in_voorstel) == [("Voorstel", "–")]

    def test_from_no_stage(self, am):
        traject = TrajectFactory(accountmanagers=[am], stage=None)
        traject_stage_move(traject=traject, stage=stage("Introductie"), stage_seen=None, by=am)
        assert reload(traject).stage == stage("Introductie")

    def test_a_lead_moved_by_its_accountmanager_converts(self, am):
        with time_machine.travel(MOMENT, tick=False):
            lead = TrajectFactory(accountmanagers=[am], converted_at=None, stage=None)
            traject_stage_move(traject=lead, stage=stage("Introductie"), stage_seen=None, by=am)
        assert reload(lead).converted_at == MOMENT
        assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1

    def test_a_lead_moved_by_an_unassigned_beheerder_stays_a_lead(self, beheerder):
        lead = TrajectFactory(converted_at=None, stage=None)
        traject_stage_move(traject=lead, stage=stage("Introductie"), stage_seen=None, by=beheerder)
        lead = reload(lead)
        assert lead.stage == stage("Introductie") and lead.converted_at is None

    def test_the_same_stage_is_no_change(self, am, in_voorstel):
        traject_stage_move(
            traject=in_voorstel, stage=stage("Voorstel"), stage_seen=stage("Voorstel"), by=am
        )
        assert stage_entries(in_voorstel) == []


class TestRefused:
    def test_a_traject_the_user_may_not_see(self, other_am, in_voorstel):
        with pytest.raises(Traject.DoesNotExist):
            traject_stage_move(
                traject=in_voorstel, stage=stage("Introductie"), stage_seen=stage("Voorstel"),
                by=other_am,
            )  # fmt: skip
        assert reload(in_voorstel).stage == stage("Voorstel")

    def test_a_stage_of_another_business_type(self, am, in_voorstel):
        nb_only = Stage.objects.create(name="Pitch NB", order=2)
        nb_only.business_types.add(BusinessType.objects.get(code="NB"))
        with pytest.raises(ValidationError) as refused:
            traject_stage_move(
                traject=in_voorstel, stage=nb_only, stage_seen=stage("Voorstel"), by=am
            )
        assert "hoort niet bij business" in str(refused.value.message_dict["stage"])
        assert reload(in_voorstel).stage == stage("Voorstel")
        assert stage_entries(in_voorstel) == []

    def test_an_inactive_stage(self, am, in_voorstel):
        Stage.objects.filter(name="Introductie").update(active=False)
        with pytest.raises(ValidationError) as refused:
            traject_stage_move(
                traject=in_voorstel, stage=stage("Introductie"), stage_seen=stage("Voorstel"),
                by=am,
            )  # fmt: skip
        assert "niet meer actief" in str(refused.value.message_dict["stage"])
        assert reload(in_voorstel).stage == stage("Voorstel")

    def test_a_stale_stage_seen(self, am, other_am, in_voorstel):
        services.traject_accountmanager_add(traject=in_voorstel, user=am, accountmanager=other_am)
        traject_stage_move(
            traject=in_voorstel, stage=stage("Onderhandeling"), stage_seen=stage("Voorstel"),
            by=other_am,
        )  # fmt: skip
        with pytest.raises(StageConflict) as refused:
            traject_stage_move(
                traject=in_voorstel, stage=stage("Introductie"), stage_seen=stage("Voorstel"),
                by=am,
            )  # fmt: skip
        assert refused.value.traject.stage == stage("Onderhandeling")
        assert other_am.get_full_name() in str(refused.value)
        assert reload(in_voorstel).stage == stage("Onderhandeling")
        assert len(stage_entries(in_voorstel)) == 1

    def test_a_stale_stage_seen_to_the_stage_it_is_in_now_is_refused_too(self, am, in_voorstel):
        with pytest.raises(StageConflict):
            traject_stage_move(
                traject=in_voorstel, stage=stage("Voorstel"), stage_seen=stage("Introductie"),
                by=am,
            )  # fmt: skip

    def test_a_colleagues_change_of_kans_does_not_block_a_move(self, am, other_am, in_voorstel):
        services.traject_accountmanager_add(traject=in_voorstel, user=am, accountmanager=other_am)
        services.traject_update(
            traject=in_voorstel, user=other_am, changes={"probability": 80},
            loaded={"probability": 60},
        )  # fmt: skip
        traject_stage_move(
            traject=in_voorstel, stage=stage("Onderhandeling"), stage_seen=stage("Voorstel"),
            by=am,
        )  # fmt: skip
        traject = reload(in_voorstel)
        assert traject.stage == stage("Onderhandeling") and traject.probability == 80


class TestOutcome:
    def test_lost_with_a_reason_closes(self, am, in_voorstel, sales_select_on):
        with time_machine.travel(MOMENT, tick=False):
            traject_stage_move(
                traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"),
                by=am, reason=reason("Te duur"),
            )  # fmt: skip
        traject = reload(in_voorstel)
        assert traject.type == TrajectType.objects.get(name="Lost")
        assert traject.probability == 0 and traject.open_probability == 60
        assert traject.win_loss_reason == reason("Te duur")
        assert traject.closed_from_stage == stage("Voorstel") and traject.closed_at == MOMENT

    def test_won_sets_kans_100(self, am, in_voorstel, sales_select_on):
        traject_stage_move(
            traject=in_voorstel, stage=stage("Gewonnen"), stage_seen=stage("Voorstel"),
            by=am, reason=reason("Relatie"),
        )  # fmt: skip
        traject = reload(in_voorstel)
        assert traject.type.outcome == "won" and traject.probability == 100

    def test_without_a_reason_when_sales_select_requires_one(
        self, am, in_voorstel, sales_select_on
    ):
        with pytest.raises(ValidationError) as refused:
            traject_stage_move(
                traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"), by=am
            )
        assert "win_loss_reason" in refused.value.message_dict
        traject = reload(in_voorstel)
        assert traject.stage == stage("Voorstel") and traject.type.outcome == "open"
        assert stage_entries(in_voorstel) == []

    def test_required_when_one_accountmanager_has_sales_select(self, am, in_voorstel):
        user_settings_set(user=am, accountmanager=True, sales_select=True)
        with pytest.raises(ValidationError):
            traject_stage_move(
                traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"), by=am
            )

    def test_optional_without_sales_select(self, am, in_voorstel):
        traject_stage_move(
            traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"), by=am
        )
        traject = reload(in_voorstel)
        assert traject.type.outcome == "lost" and traject.win_loss_reason is None

    def test_a_reason_of_the_other_outcome(self, am, in_voorstel, sales_select_on):
        with pytest.raises(ValidationError) as refused:
            traject_stage_move(
                traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"),
                by=am, reason=reason("Relatie"),
            )  # fmt: skip
        assert "win_loss_reason" in refused.value.message_dict
        assert reload(in_voorstel).type.outcome == "open"

    def test_moving_back_reopens_with_the_old_kans(self, am, in_voorstel, sales_select_on):
        traject_stage_move(
            traject=in_voorstel, stage=stage("Verloren"), stage_seen=stage("Voorstel"),
            by=am, reason=reason("Te duur"),
        )  # fmt: skip
        traject_stage_move(
            traject=in_voorstel, stage=stage("Voorstel"), stage_seen=stage("Verloren"), by=am
        )
        traject = reload(in_voorstel)
        assert traject.type.outcome == "open" and traject.probability == 60
        assert traject.win_loss_reason is None and traject.closed_from_stage is None
        assert stage_entries(in_voorstel) == [("Voorstel", "Verloren"), ("Verloren", "Voorstel")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(10))
def test_two_simultaneous_moves_one_succeeds_one_is_refused(am, other_am, run):
    traject = TrajectFactory(accountmanagers=[am, other_am], stage=stage("Voorstel"))
    targets = [(am, stage("Introductie")), (other_am, stage("Onderhandeling"))]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def move(i):
        user, target = targets[i]
        try:
            barrier.wait()
            seen = stage("Voorstel")
            traject_stage_move(traject=traject.pk, stage=target, stage_seen=seen, by=user)
            outcomes[i] = "moved"
        except StageConflict:
            outcomes[i] = "refused"
        except Exception as exc:  # noqa: BLE001 -- the test inspects every outcome
            outcomes[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=move, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["moved", "refused"], outcomes
    winner = outcomes.index("moved")
    assert reload(traject).stage == targets[winner][1]
    assert stage_entries(traject) == [("Voorstel", targets[winner][1].name)]
