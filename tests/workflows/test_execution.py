"""Issue 15, point 5: rules fire after commit from every entry point, each action once, and a
workflow's own changes fire nothing. Celery runs eagerly here (the same code as a worker);
tests/workflows/test_worker.py runs a real worker on Redis."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from followups.models import Task
from leads import services as lead_services
from quotes import services as quote_services
from settings_app.models import TrajectType
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject
from trajects.moves import traject_stage_move
from workflows.engine import run_execute
from workflows.models import ActionRun, ActionState, Run

from ..factories import ContactFactory, RelationFactory, TrajectFactory
from ..quotes.conftest import make_quote
from ..trajects.conftest import loaded_form
from .conftest import TODAY, reason, rule_make, stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "sales_select")]

TASK = {"kind": "task", "title": "Offerte nabellen", "days": 3}


@pytest.fixture
def contact(db):
    return ContactFactory(first_name="Jan", last_name="Jansen", email="jan@klant.example")


@pytest.fixture
def traject(am, contact):
    return TrajectFactory(
        subject="Glazen deuren",
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        stage=stage("Introductie"),
        value=Decimal("12500.00"),
        expected_close=datetime.date(2027, 4, 1),
    )


@pytest.fixture
def voorstel_rule():
    return rule_make(stage=stage("Voorstel"), actions=[TASK])


def tasks_of(traject):
    return list(Task.objects.filter(traject=traject).values_list("title", "due_on", "assignee"))


def workflow_lines(traject, action=None):
    entries = DossierEntry.objects.filter(traject=traject, kind=DossierKind.WORKFLOW)
    if action:
        entries = entries.filter(data__action=action)
    return list(entries.values_list("data__workflow", "data__action"))


class TestEntryPoints:
    def test_detail_page(
        self, client_for, am, traject, voorstel_rule, django_capture_on_commit_callbacks
    ):
        client = client_for(am)
        data = loaded_form(client, traject) | {"stage": str(stage("Voorstel").pk)}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("trajects:informatie", args=[traject.pk]), data)
        assert response.status_code in (200, 302)
        assert tasks_of(traject) == [
            ("Offerte nabellen", TODAY + datetime.timedelta(days=3), am.pk)
        ]
        assert workflow_lines(traject) == [("Voorstel opvolgen", "fired")]

    def test_board_move(
        self, client_for, am, traject, voorstel_rule, django_capture_on_commit_callbacks
    ):
        data = {"stage": str(stage("Voorstel").pk), "stage_seen": str(stage("Introductie").pk)}
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(am).post(
                reverse("board:move", args=[traject.pk]), data, headers={"HX-Request": "true"}
            )
        assert response.status_code == 200
        assert len(tasks_of(traject)) == 1

    def test_nothing_before_the_commit(
        self, am, traject, voorstel_rule, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            traject_stage_move(
                traject=traject, stage=stage("Voorstel"), stage_seen=stage("Introductie"), by=am
            )
            assert tasks_of(traject) == [] and not Run.objects.exists()
        assert callbacks  # the announcement waits for the commit
        assert tasks_of(traject) == []

    def test_quote_acceptance_fires_the_won_rule(
        self, am, traject, django_capture_on_commit_callbacks
    ):
        rule_make(
            "Gewonnen", outcome="won", actions=[{"kind": "note", "text": "Gewonnen: {onderwerp}"}]
        )
        quote = quote_services.quote_send(quote=make_quote(traject, am), user=am)
        with django_capture_on_commit_callbacks(execute=True):
            quote_services.quote_accept(
                quote=quote, user=am, set_order=True, win_loss_reason=reason("Prijs/kwaliteit")
            )
        notes = DossierEntry.objects.filter(traject=traject, kind=DossierKind.NOTE)
        assert list(notes.values_list("text", "author", "data__workflow")) == [
            ("Gewonnen: Glazen deuren", None, "Gewonnen")
        ]

    def test_quick_add_enters_the_stage(
        self, client_for, am, voorstel_rule, eb, django_capture_on_commit_callbacks
    ):
        relation = RelationFactory()
        with django_capture_on_commit_callbacks(execute=True):
            lead = lead_services.lead_create(
                created_by=am,
                subject="Nieuw",
                relation=relation,
                business_type=eb,
                stage=stage("Voorstel"),
            )
        assert tasks_of(lead) == [("Offerte nabellen", TODAY + datetime.timedelta(days=3), am.pk)]

    def test_a_lead_without_stage_fires_nothing(
        self, am, voorstel_rule, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            lead = lead_services.lead_create(
                created_by=am, subject="Nieuw", relation=RelationFactory()
            )
        assert tasks_of(lead) == [] and not Run.objects.exists()

    def test_bulk_update_fires_per_traject(
        self, beheerder, am, voorstel_rule, django_capture_on_commit_callbacks
    ):
        trajects = [
            TrajectFactory(accountmanagers=[am], stage=stage("Introductie")) for _ in range(3)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_bulk_update(
                traject_ids=[t.pk for t in trajects],
                user=beheerder,
                changes={"stage": stage("Voorstel").pk},
            )
        assert Task.objects.filter(traject__in=trajects).count() == 3


class TestTriggers:
    def test_business_type_limit(self, am, nb, eb, django_capture_on_commit_callbacks):
        rule_make(stage=stage("Voorstel"), business_types=[nb], actions=[TASK])
        on_nb = TrajectFactory(accountmanagers=[am], business_type=nb)
        on_eb = TrajectFactory(accountmanagers=[am], business_type=eb)
        with django_capture_on_commit_callbacks(execute=True):
            for traject in (on_nb, on_eb):
                services.traject_update(
                    traject=traject, user=am, changes={"stage": stage("Voorstel")}
                )
        assert len(tasks_of(on_nb)) == 1 and tasks_of(on_eb) == []

    def test_status_rule_with_a_reason(self, am, traject, django_capture_on_commit_callbacks):
        rule_make("Te duur", outcome="lost", reason=reason("Te duur"), actions=[TASK])
        lost = TrajectType.objects.get(name="Lost")
        other = TrajectFactory(accountmanagers=[am])
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(
                traject=traject,
                user=am,
                changes={"type": lost, "win_loss_reason": reason("Te duur")},
            )
            services.traject_update(
                traject=other,
                user=am,
                changes={"type": lost, "win_loss_reason": reason("Geen budget")},
            )
        assert len(tasks_of(traject)) == 1 and tasks_of(other) == []

    def test_entering_an_outcome_stage_is_a_status_change(
        self, am, traject, django_capture_on_commit_callbacks
    ):
        rule_make("Verloren", outcome="lost", actions=[TASK])
        with django_capture_on_commit_callbacks(execute=True):
            traject_stage_move(
                traject=traject,
                stage=stage("Verloren"),
                stage_seen=stage("Introductie"),
                by=am,
                reason=reason("Te duur"),
            )
        assert len(tasks_of(traject)) == 1

    def test_a_switched_off_rule_does_nothing(
        self, am, traject, voorstel_rule, django_capture_on_commit_callbacks
    ):
        voorstel_rule.active = False
        voorstel_rule.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
        assert tasks_of(traject) == [] and workflow_lines(traject) == []

    def test_a_deactivated_stage_skips_the_rule_with_a_dossier_line(
        self, am, traject, voorstel_rule, django_capture_on_commit_callbacks
    ):
        # The traject was put in the stage before it was switched off; moving there again is
        # not possible, so the rule is hit through a traject moved by the service directly.
        voorstel = stage("Voorstel")
        voorstel.active = False
        voorstel.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(traject=traject, user=am, changes={"stage": voorstel})
        if Traject.objects.get(pk=traject.pk).stage_id != voorstel.pk:
            pytest.skip("an inactive stage cannot be entered at all")
        assert tasks_of(traject) == []
        assert workflow_lines(traject) == [("Voorstel opvolgen", "skipped")]
        voorstel_rule.refresh_from_db()
        assert "niet meer actief" in voorstel_rule.warning()


class TestNoLoops:
    def test_a_workflows_stage_change_fires_no_rule(
        self, am, traject, django_capture_on_commit_callbacks
    ):
        rule_make(
            "Naar onderhandeling",
            stage=stage("Voorstel"),
            actions=[{"kind": "stage", "stage": stage("Onderhandeling")}],
        )
        second = rule_make("Onderhandeling taak", stage=stage("Onderhandeling"), actions=[TASK])
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
        traject.refresh_from_db()
        assert traject.stage == stage("Onderhandeling")  # the first rule did its action
        assert tasks_of(traject) == []  # the second did not fire
        assert not Run.objects.filter(rule=second).exists()
        moved = DossierEntry.objects.get(
            traject=traject, kind=DossierKind.STAGE_CHANGE, data__new="Onderhandeling"
        )
        assert moved.author is None and moved.data["workflow"] == "Naar onderhandeling"


class TestActions:
    def test_every_action_in_order_with_the_workflow_as_author(
        self, am, other_am, contact, traject, django_capture_on_commit_callbacks
    ):
        other_am.email = "bob@bureau.example"
        other_am.save()
        am.email = "anna@bureau.example"
        am.save()
        rule_make(
            "Alles",
            stage=stage("Voorstel"),
            actions=[
                {"kind": "probability", "probability": 75},
                {"kind": "move_close", "days": 14},
                {"kind": "note", "text": "Voorstel voor {relatie}, waarde {waarde}"},
                {
                    "kind": "email",
                    "recipients": "contact",
                    "title": "Ons voorstel: {onderwerp}",
                    "text": "Beste {contactpersoon}, ... {accountmanagers}",
                },
                {
                    "kind": "email",
                    "recipients": "accountmanagers",
                    "title": "Voorstel {onderwerp}",
                    "text": "Bel {contactpersoon}",
                },
                {"kind": "add_am", "user": other_am},
                {"kind": "task", "title": "Nabellen", "days": 2},
            ],
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
        traject.refresh_from_db()
        assert traject.probability == 75
        assert traject.expected_close == datetime.date(2027, 4, 15)
        to_contact, to_managers = mail.outbox
        assert to_contact.to == ["jan@klant.example"] and to_contact.reply_to == [
            "anna@bureau.example"
        ]
        assert to_contact.subject == "Ons voorstel: Glazen deuren"
        assert "Beste Jan Jansen" in to_contact.body
        assert to_managers.to == ["anna@bureau.example"]  # bob is added after the e-mail
        note = DossierEntry.objects.get(traject=traject, kind=DossierKind.NOTE)
        assert note.text == f"Voorstel voor {contact.relation.name}, waarde € 12.500,00"
        copies = DossierEntry.objects.filter(traject=traject, kind=DossierKind.EMAIL)
        assert sorted(copies.values_list("text", flat=True)) == [
            "Ons voorstel: Glazen deuren",
            "Voorstel Glazen deuren",
        ]
        assert sorted(tasks_of(traject)) == sorted(
            [("Nabellen", TODAY + datetime.timedelta(days=2), user.pk) for user in (am, other_am)]
        )
        written = DossierEntry.objects.filter(traject=traject, data__workflow="Alles")
        assert written.exclude(kind=DossierKind.WORKFLOW).filter(author__isnull=False).count() == 0
        assert written.count() >= 8  # fired, kans, close, note, 2 e-mails, share, 2 tasks
        # The page says who did it.
        page = self._detail(am, traject)
        assert "Workflow ‘Alles’" in page

    def _detail(self, user, traject):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client.get(reverse("trajects:detail", args=[traject.pk])).text

    def test_replace_the_accountmanagers(
        self, am, other_am, traject, django_capture_on_commit_callbacks
    ):
        rule_make("Naar EB", outcome="won", actions=[{"kind": "replace_am", "user": other_am}])
        won = TrajectType.objects.get(name="Order")
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(
                traject=traject,
                user=am,
                changes={"type": won, "win_loss_reason": reason("Relatie")},
            )
        assert list(traject.accountmanager_links.values_list("user", flat=True)) == [other_am.pk]


class TestOnceAndFailures:
    def test_running_a_run_again_applies_nothing_twice(
        self, am, traject, django_capture_on_commit_callbacks
    ):
        rule_make(
            stage=stage("Voorstel"),
            actions=[TASK, {"kind": "email", "recipients": "contact", "title": "x", "text": "y"}],
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
        run = Run.objects.get()
        Run.objects.filter(pk=run.pk).update(finished_at=None)  # as if redelivered mid-way
        run_execute(run_id=run.pk)
        run_execute(run_id=run.pk)
        assert len(tasks_of(traject)) == 1 and len(mail.outbox) == 1
        assert set(ActionRun.objects.values_list("state", flat=True)) == {ActionState.DONE}

    def test_an_email_started_but_not_confirmed_is_not_sent_again(
        self, am, traject, django_capture_on_commit_callbacks, client_for, keyuser
    ):
        rule = rule_make(
            stage=stage("Voorstel"),
            actions=[{"kind": "email", "recipients": "contact", "title": "x", "text": "y"}, TASK],
        )
        run = Run.objects.create(
            change="6f1c7e1a-0000-4000-8000-000000000001", rule=rule, traject=traject
        )
        action = rule.actions.get(kind="email")
        ActionRun.objects.create(
            key=f"{run.change}:{rule.pk}:{action.pk}",
            run=run,
            action=action,
            state=ActionState.STARTED,
        )
        run_execute(run_id=run.pk)
        assert mail.outbox == []
        assert ActionRun.objects.get(action=action).state == ActionState.UNCONFIRMED
        assert len(tasks_of(traject)) == 1  # the run goes on
        listing = client_for(keyuser).get(reverse("admin:workflows_actionrun_changelist")).text
        assert "Mogelijk niet verzonden" in listing and "Glazen deuren" in listing

    def test_a_failing_smtp_server_is_retried_then_recorded(
        self, am, traject, settings, django_capture_on_commit_callbacks, client_for, keyuser
    ):
        settings.EMAIL_BACKEND = "tests.workflows.backends.RefusingBackend"
        settings.WORKFLOW_MAX_RETRIES = 2
        from tests.workflows import backends

        backends.RefusingBackend.attempts = 0
        rule_make(
            "Mail",
            stage=stage("Voorstel"),
            actions=[{"kind": "email", "recipients": "contact", "title": "x", "text": "y"}, TASK],
        )
        with django_capture_on_commit_callbacks(execute=True):
            saved = services.traject_update(
                traject=traject, user=am, changes={"stage": stage("Voorstel")}
            )
        assert saved.stage == stage("Voorstel")
        assert Traject.objects.get(pk=traject.pk).stage == stage("Voorstel")  # the save stands
        from workflows.tasks import workflow_run

        assert backends.RefusingBackend.attempts == workflow_run.max_retries + 1
        failed = ActionRun.objects.get(state=ActionState.FAILED)
        assert failed.attempts == workflow_run.max_retries + 1 and "421" in failed.error
        assert tasks_of(traject) == []  # the actions after it are not done
        assert workflow_lines(traject, "failed") == [("Mail", "failed")]
        listing = client_for(keyuser).get(reverse("admin:workflows_actionrun_changelist")).text
        assert "Mislukt" in listing and "Glazen deuren" in listing


class TestImport:
    """Leads from an import fire only the rules that say "ook bij import"."""

    CSV = (
        "subject,relation,stage,accountmanager\n"
        "A,Acme,Voorstel,anna@bureau.example\n"
        "B,Acme,,anna@bureau.example\n"
    )

    def run_import(self, beheerder, captured):
        lead_import = lead_services.lead_import_preview(
            created_by=beheerder, filename="leads.csv", content=self.CSV.encode()
        )
        with captured(execute=True):
            lead_services.lead_import_start(lead_import=lead_import, user=beheerder)
        return Traject.objects.order_by("subject")

    def test_not_by_default(self, beheerder, am, voorstel_rule, django_capture_on_commit_callbacks):
        am.email = "anna@bureau.example"
        am.save()
        with_stage, without = self.run_import(beheerder, django_capture_on_commit_callbacks)
        assert with_stage.stage == stage("Voorstel") and without.stage is None
        assert not Task.objects.exists() and not Run.objects.exists()

    def test_where_the_rule_says_so(
        self, beheerder, am, voorstel_rule, django_capture_on_commit_callbacks
    ):
        am.email = "anna@bureau.example"
        am.save()
        voorstel_rule.on_import = True
        voorstel_rule.save()
        with_stage, without = self.run_import(beheerder, django_capture_on_commit_callbacks)
        assert tasks_of(with_stage) == [
            ("Offerte nabellen", TODAY + datetime.timedelta(days=3), am.pk)
        ]
        assert tasks_of(without) == []

    def test_an_unknown_or_closed_stage_is_a_row_error(self, beheerder):
        lead_import = lead_services.lead_import_preview(
            created_by=beheerder,
            filename="leads.csv",
            content=b"subject,relation,stage\nA,Acme,Gewonnen\nB,Acme,Bestaat niet\n",
        )
        errors = [row["errors"] for row in lead_import.bad_rows] if lead_import.bad_rows else None
        assert errors == [
            ['onbekende of gesloten stage "Gewonnen"'],
            ['onbekende of gesloten stage "Bestaat niet"'],
        ]


def test_a_deactivated_accountmanager_is_never_added(
    am, other_am, traject, django_capture_on_commit_callbacks
):
    rule_make("Naar Bob", stage=stage("Voorstel"), actions=[{"kind": "add_am", "user": other_am}])
    other_am.is_active = False
    other_am.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.traject_update(traject=traject, user=am, changes={"stage": stage("Voorstel")})
    assert list(traject.accountmanager_links.values_list("user", flat=True)) == [am.pk]
    failed = ActionRun.objects.get()
    assert failed.state == ActionState.FAILED and "geen actieve accountmanager" in failed.error
