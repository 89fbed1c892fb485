"""Days in stage and "stilstaand" (issue 13, point 8): the stored stage_changed_at, its
backfill, the stage's "dagen tot stilstand", and the same rule in Python and in the database."""

import datetime
import html
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from settings_app.models import Stage, TrajectType, WinLossReason
from trajects import services
from trajects.indicators import days_in_stage, is_stale, stage_age
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import TrajectFactory

UTC = datetime.UTC
AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime.datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def reload(traject):
    return Traject.objects.select_related("stage").get(pk=traject.pk)


def stage(name, limit=None):
    found = Stage.objects.get(name=name)
    if limit is not None:
        Stage.objects.filter(pk=found.pk).update(stale_after_days=limit)
        found.refresh_from_db()
    return found


class TestStageChangedAt:
    def test_a_new_record_counts_from_its_creation(self, am, time_machine):
        time_machine.move_to(T0, tick=False)
        traject = TrajectFactory(accountmanagers=[am])
        assert reload(traject).stage_changed_at == T0

    def test_a_stage_change_through_the_service_restarts_the_count(self, am, time_machine):
        time_machine.move_to(T0, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Introductie"))
        moved = T0 + datetime.timedelta(days=5, hours=2)
        time_machine.move_to(moved, tick=False)
        services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel").pk})
        traject = reload(traject)
        assert traject.stage_changed_at == moved
        today = datetime.date(2027, 5, 11)
        assert days_in_stage(traject, today) == 3
        assert stage_age(traject, today=today).text == "3 dagen in stage"

    def test_other_changes_keep_it(self, am, time_machine):
        time_machine.move_to(T0, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Introductie"))
        time_machine.move_to(T0 + datetime.timedelta(days=2), tick=False)
        services.traject_update(
            traject=traject, user=am, changes={"probability": 70, "subject": "Nieuw"}
        )
        assert reload(traject).stage_changed_at == T0

    def test_a_bulk_change_of_stage_sets_it_on_every_traject(self, am, time_machine):
        time_machine.move_to(T0, tick=False)
        trajects = [TrajectFactory(accountmanagers=[am]) for _ in range(2)]
        later = T0 + datetime.timedelta(days=1)
        time_machine.move_to(later, tick=False)
        services.traject_bulk_update(
            traject_ids=[t.pk for t in trajects], user=am, changes={"stage": stage("Voorstel").pk}
        )
        assert {reload(t).stage_changed_at for t in trajects} == {later}

    def test_closing_through_an_outcome_stage_sets_it_and_a_closed_one_shows_nothing(
        self, am, time_machine
    ):
        time_machine.move_to(T0, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Voorstel", limit=1))
        later = T0 + datetime.timedelta(days=9)
        time_machine.move_to(later, tick=False)
        reason = WinLossReason.objects.filter(outcome="won").first()
        changes = {"stage": stage("Gewonnen").pk}
        if reason is not None:
            changes["win_loss_reason"] = reason.pk
        services.traject_update(traject=traject, user=am, changes=changes)
        traject = reload(traject)
        assert traject.stage_changed_at == later
        assert stage_age(traject, today=datetime.date(2027, 6, 30)) is None
        assert not is_stale(traject, datetime.date(2027, 6, 30))

    def test_a_lead_made_through_the_lead_form_counts_from_its_creation(self, am, time_machine):
        from leads.services import lead_create

        from ..factories import RelationFactory

        time_machine.move_to(T0, tick=False)
        lead = lead_create(created_by=am, subject="Nieuw", relation=RelationFactory())
        time_machine.move_to(T0 + datetime.timedelta(days=4), tick=False)
        lead = reload(lead)
        assert lead.stage_changed_at == T0
        assert days_in_stage(lead, datetime.date(2027, 5, 7)) == 4

    def test_days_count_in_the_agencys_calendar(self, am):
        # 23:30 UTC on 3 May is already 4 May in Amsterdam: 0 days in stage on 4 May.
        traject = TrajectFactory(accountmanagers=[am])
        traject.stage_changed_at = datetime.datetime(2027, 5, 3, 23, 30, tzinfo=UTC)
        assert days_in_stage(traject, datetime.date(2027, 5, 4)) == 0
        assert days_in_stage(traject, datetime.date(2027, 5, 5)) == 1
        assert stage_age(traject, today=datetime.date(2027, 5, 5)).text == "1 dag in stage"


class TestBackfill:
    """trajects 0014: stage_changed_at of the rows before it, from their history; and the
    same as a service for writers that make history without the services (the demo seed)."""

    @pytest.fixture(autouse=True, params=["migration", "service"])
    def how(self, request):
        self.how = request.param

    def run(self, batch_size=2):
        if self.how == "service":
            return services.traject_stage_changed_at_refresh(batch_size=batch_size)
        migration = importlib.import_module("trajects.migrations.0014_stage_changed_at")
        return migration.backfill(apps, None, batch_size=batch_size)

    def test_from_the_latest_stage_change_else_conversion_else_lead_date(self, am):
        changed = TrajectFactory(accountmanagers=[am], lead_date=datetime.date(2027, 1, 4))
        first = DossierEntry.objects.create(traject=changed, kind=DossierKind.STAGE_CHANGE)
        latest = DossierEntry.objects.create(traject=changed, kind=DossierKind.STAGE_CHANGE)
        other = DossierEntry.objects.create(traject=changed, kind=DossierKind.FIELD_CHANGE)
        DossierEntry.objects.filter(pk=first.pk).update(
            created_at=datetime.datetime(2027, 2, 1, 10, tzinfo=UTC)
        )
        DossierEntry.objects.filter(pk=latest.pk).update(
            created_at=datetime.datetime(2027, 3, 1, 10, tzinfo=UTC)
        )
        DossierEntry.objects.filter(pk=other.pk).update(
            created_at=datetime.datetime(2027, 4, 1, 10, tzinfo=UTC)
        )
        converted = TrajectFactory(
            accountmanagers=[am],
            converted_at=datetime.datetime(2027, 2, 14, 8, 15, tzinfo=UTC),
            lead_date=datetime.date(2027, 1, 5),
        )
        lead = TrajectFactory(converted_at=None, lead_date=datetime.date(2027, 1, 6))
        someone_elses = TrajectFactory(
            converted_at=datetime.datetime(2027, 1, 20, 12, tzinfo=UTC),
            lead_date=datetime.date(2027, 1, 7),
        )
        Traject.objects.update(stage_changed_at=datetime.datetime(2000, 1, 1, tzinfo=UTC))

        assert self.run() == 4

        assert reload(changed).stage_changed_at == datetime.datetime(2027, 3, 1, 10, tzinfo=UTC)
        assert reload(converted).stage_changed_at == datetime.datetime(
            2027, 2, 14, 8, 15, tzinfo=UTC
        )
        assert reload(lead).stage_changed_at == datetime.datetime(2027, 1, 6, tzinfo=UTC)
        assert timezone.localdate(reload(lead).stage_changed_at) == datetime.date(2027, 1, 6)
        assert reload(someone_elses).stage_changed_at == datetime.datetime(
            2027, 1, 20, 12, tzinfo=UTC
        )
        before = list(Traject.objects.order_by("pk").values_list("stage_changed_at", flat=True))
        assert self.run(batch_size=3) == 4
        assert list(Traject.objects.order_by("pk").values_list("stage_changed_at", flat=True)) == (
            before
        )

    def test_nothing_to_do_on_an_empty_table(self, db):
        assert self.run() == 0


def moment(local: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(local).replace(tzinfo=AMS)


class TestStale:
    TODAY = datetime.date(2027, 5, 20)

    @pytest.fixture
    def voorstel(self, db):
        return stage("Voorstel", limit=7)

    def make(self, am, at, **kwargs):
        traject = TrajectFactory(accountmanagers=[am], **kwargs)
        Traject.objects.filter(pk=traject.pk).update(stage_changed_at=at)
        return reload(traject)

    def test_stale_is_longer_than_the_limit_in_python_and_in_the_database(self, am, voorstel):
        # Golden cases: limit 7 on 20 May; 7 days in stage is not yet stilstaand, 8 is.
        seven = self.make(am, moment("2027-05-13 00:00"), stage=voorstel)
        eight = self.make(am, moment("2027-05-12 23:59"), stage=voorstel)
        no_limit = self.make(am, moment("2027-01-01 09:00"), stage=stage("Introductie"))
        no_stage = self.make(am, moment("2027-01-01 09:00"))
        closed = self.make(am, moment("2027-01-01 09:00"), stage=voorstel)
        Traject.objects.filter(pk=closed.pk).update(
            closed_at=timezone.now(), type=TrajectType.objects.get(name="Lost"), probability=0
        )
        closed = reload(closed)

        assert (days_in_stage(seven, self.TODAY), days_in_stage(eight, self.TODAY)) == (7, 8)
        assert [is_stale(t, self.TODAY) for t in (seven, eight, no_limit, no_stage, closed)] == [
            False,
            True,
            False,
            False,
            False,
        ]
        assert list(Traject.objects.stale(self.TODAY)) == [eight]
        assert stage_age(eight, today=self.TODAY).stale
        assert stage_age(eight, today=self.TODAY).label == (
            "8 dagen in stage, stilstaand (langer dan 7 dagen)"
        )
        assert stage_age(seven, today=self.TODAY).label == "7 dagen in stage"

    def test_the_filter_chains_and_takes_the_boards_limits(self, am, other_am, voorstel):
        mine = self.make(am, moment("2027-05-01 12:00"), stage=voorstel)
        self.make(other_am, moment("2027-05-01 12:00"), stage=voorstel)
        assert list(Traject.objects.visible_to(am).stale(self.TODAY)) == [mine]
        assert not Traject.objects.stale(self.TODAY, limits={voorstel.pk: 30}).exists()
        assert Traject.objects.stale(self.TODAY, limits={voorstel.pk: 18}).count() == 2
        assert not Traject.objects.stale(self.TODAY, limits={}).exists()

    def test_the_filter_costs_one_query_for_the_limits_or_none_with_them(
        self, am, voorstel, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            list(Traject.objects.stale(self.TODAY))
        with django_assert_num_queries(1):
            list(Traject.objects.stale(self.TODAY, limits={voorstel.pk: 7}))

    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        minutes=st.integers(min_value=0, max_value=60 * 24 * 40),
        limit=st.integers(min_value=1, max_value=30),
    )
    # Across the start of summer time (28 March 2027): the local midnight is what counts.
    @example(minutes=(5 * 24 - 1) * 60 + 30, limit=5)
    @example(minutes=5 * 24 * 60 + 30, limit=5)
    def test_python_and_database_agree(self, am, voorstel, minutes, limit):
        today = datetime.date(2027, 4, 2)
        at = datetime.datetime(2027, 4, 2, 23, 59, tzinfo=AMS) - datetime.timedelta(minutes=minutes)
        Stage.objects.filter(pk=voorstel.pk).update(stale_after_days=limit)
        traject = self.make(am, at, stage=voorstel)
        in_database = Traject.objects.stale(today).filter(pk=traject.pk).exists()
        assert is_stale(traject, today) is in_database
        Traject.objects.filter(pk=traject.pk).delete()


class TestBadge:
    def render(self, traject, limit=None):
        template = "{% load indicator_tags %}{% days_in_stage_badge traject %}"
        if limit is not None:
            template = "{% load indicator_tags %}{% days_in_stage_badge traject limit=limit %}"
        return html.unescape(
            Template(template).render(Context({"traject": traject, "limit": limit}))
        )

    def test_badge_says_days_and_stilstaand_in_words(self, am, time_machine):
        time_machine.move_to(datetime.datetime(2027, 5, 20, 10, tzinfo=UTC), tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Voorstel", limit=7))
        Traject.objects.filter(pk=traject.pk).update(stage_changed_at=moment("2027-05-10 12:00"))
        traject = reload(traject)
        page = self.render(traject)
        assert 'data-days-in-stage="10"' in page and "data-stale" in page
        assert "10 dagen in stage, stilstaand (langer dan 7 dagen)" in page
        assert "stilstaand</span>" in page
        calm = self.render(traject, limit=30)
        assert "10 dagen in stage" in calm and "stilstaand" not in calm


class TestSetting:
    URL = "admin:settings_app_stage_change"

    def post(self, client, target, value):
        data = {
            "name": target.name,
            "business_types": [b.pk for b in target.business_types.all()],
            "outcome_on_entry": target.outcome_on_entry,
            "stale_after_days": value,
            "order": target.order,
            "active": "on",
            "_save": "Bewaren",
        }
        return client.post(reverse(self.URL, args=[target.pk]), data)

    @pytest.mark.parametrize("value", ["0", "366", "-3", "zeven", "9" * 30])
    def test_bad_values_come_back_with_a_message(self, client_for, keyuser, value):
        target = stage("Voorstel")
        response = self.post(client_for(keyuser), target, value)
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
        assert stage("Voorstel").stale_after_days is None

    @pytest.mark.parametrize(("value", "stored"), [("7", 7), ("365", 365), ("", None)])
    def test_good_values_are_saved(self, client_for, keyuser, value, stored):
        target = stage("Voorstel", limit=3)
        response = self.post(client_for(keyuser), target, value)
        assert response.status_code == 302
        assert stage("Voorstel").stale_after_days == stored

    def test_the_screen_shows_the_field_with_its_explanation(self, client_for, keyuser):
        page = html.unescape(
            client_for(keyuser).get(reverse(self.URL, args=[stage("Voorstel").pk])).content.decode()
        )
        assert "Dagen tot stilstand" in page and "Leeg: nooit stilstaand." in page

    def test_the_database_refuses_zero_too(self, db):
        with pytest.raises(IntegrityError), transaction.atomic():
            Stage.objects.filter(name="Voorstel").update(stale_after_days=0)


@pytest.mark.django_db
def test_the_demo_seed_counts_days_in_stage_from_its_history(time_machine):
    from django.core.management import call_command
    from django.db.models import Max, OuterRef, Subquery

    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, tzinfo=UTC), tick=False)
    call_command("seed_demo", "--trajects", "300")
    latest = Subquery(
        DossierEntry.objects.filter(traject=OuterRef("pk"), kind=DossierKind.STAGE_CHANGE)
        .values("traject")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    rows = list(Traject.objects.annotate(latest=latest).filter(latest__isnull=False))
    assert rows, "the seed writes stage history"
    assert all(t.stage_changed_at == t.latest for t in rows)
    today = datetime.date(2026, 11, 23)
    assert {days_in_stage(t, today) for t in rows} != {0}


class TestDetailPage:
    def stage_cell(self, client, traject) -> str:
        import re

        response = client.get(reverse("trajects:detail", args=[traject.pk]))
        assert response.status_code == 200
        found = re.search(r'<dd id="dagen-in-stage">(.*?)</dd>', response.text, re.S)
        return found.group(1) if found else ""

    def test_days_in_stage_beside_the_stage_and_stilstaand_past_its_limit(
        self, client_for, am, time_machine
    ):
        time_machine.move_to(T0, tick=False)
        traject = TrajectFactory(accountmanagers=[am], stage=stage("Introductie"))
        services.traject_update(
            traject=traject, user=am, changes={"stage": stage("Voorstel", 7).pk}
        )
        client = client_for(am)
        time_machine.move_to(T0 + datetime.timedelta(days=7), tick=False)
        cell = html.unescape(self.stage_cell(client, traject))
        assert 'data-days-in-stage="7"' in cell and "data-stale" not in cell
        assert "7 dagen in stage" in cell
        time_machine.move_to(T0 + datetime.timedelta(days=8), tick=False)
        cell = html.unescape(self.stage_cell(client, traject))
        assert 'data-days-in-stage="8"' in cell and "data-stale" in cell
        assert "8 dagen in stage, stilstaand (langer dan 7 dagen)" in cell

    def test_nothing_without_a_stage(self, client_for, am):
        traject = TrajectFactory(accountmanagers=[am])
        assert "data-days-in-stage" not in self.stage_cell(client_for(am), traject)
