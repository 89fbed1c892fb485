"""Issue 15's browser test: a key-user makes the rule "stage wordt Voorstel → taak 'Offerte
nabellen' over 3 dagen" in Instellingen; an accountmanager drags a card to Voorstel on the
board; the task is in Mijn taken with the right due date and is done with one click; the
dossier shows the move, the rule and the task. The workflow runs eagerly after the commit (the
real worker's runs are in tests/workflows/test_worker.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import formats
from playwright.sync_api import expect

from followups.models import Task
from settings_app.models import BusinessType, ClientSettings, Stage
from workflows.models import Rule

from ..factories import TrajectFactory
from .test_leads import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stage(name):
    return Stage.objects.get(name=name)


@pytest.fixture
def clock(time_machine):
    moment = datetime.datetime(2027, 3, 15, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(moment, tick=True)
    return moment.date()


def test_rule_board_move_task_done(page, chromium, live_server, keyuser, am, clock, celery_eager):
    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": True})
    eb = BusinessType.objects.get(code="EB")
    traject = TrajectFactory(
        subject="Glazen deuren", accountmanagers=[am], business_type=eb,
        stage=stage("Behoefteanalyse"), value=Decimal("1000.00"),
    )  # fmt: skip

    # The key-user makes the rule.
    login_keyuser = page
    keyuser.set_password("key-pass-123")
    keyuser.save()
    login_keyuser.goto(page.base + "/accounts/login/")
    login_keyuser.fill("#id_username", keyuser.username)
    login_keyuser.fill("#id_password", "key-pass-123")
    login_keyuser.click("button[type=submit].primary")
    login_keyuser.goto(page.base + "/instellingen/")
    login_keyuser.get_by_role("link", name="Workflowregels").first.click()
    login_keyuser.get_by_role("link", name="Workflowregel toevoegen").first.click()
    login_keyuser.fill("#id_name", "Voorstel opvolgen")
    login_keyuser.select_option("#id_trigger", "stage")
    login_keyuser.select_option("#id_stage", str(stage("Voorstel").pk))
    login_keyuser.select_option("#id_actions-0-kind", "task")
    login_keyuser.fill("#id_actions-0-title", "Offerte nabellen")
    login_keyuser.fill("#id_actions-0-days", "3")
    login_keyuser.locator("input[name=_save]").click()
    expect(login_keyuser.locator(".messagelist")).to_contain_text("Voorstel opvolgen")
    rule = Rule.objects.get()
    assert list(rule.actions.values_list("kind", "title", "days")) == [
        ("task", "Offerte nabellen", 3)
    ]

    # The accountmanager drags the card to Voorstel.
    context = chromium.new_context(locale="nl-NL")
    anna = context.new_page()
    anna.set_default_timeout(10_000)
    anna.base = live_server.url
    login(anna, am)
    anna.goto(f"{anna.base}/sales/bord/?business_type={eb.pk}")
    card = anna.locator(f"#kaart-{traject.pk}")
    card.drag_to(anna.locator(f"#kolom-{stage('Voorstel').pk}-kaarten"))
    expect(anna.locator("#board-live")).to_have_text("“Glazen deuren” verplaatst naar Voorstel.")

    # The task is in Mijn taken, due in 3 days, and done with one click.
    anna.get_by_role("link", name="Mijn taken").first.click()
    task = Task.objects.get(traject=traject)
    row = anna.locator(f"#taak-{task.pk}")
    expect(row).to_contain_text("Offerte nabellen")
    due = formats.date_format(clock + datetime.timedelta(days=3), "SHORT_DATE_FORMAT")
    expect(row).to_contain_text(due)
    assert task.due_on == clock + datetime.timedelta(days=3) and task.assignee == am
    row.get_by_role("button", name="Klaar: Offerte nabellen").click()
    expect(anna.locator(f"#taak-{task.pk}.done")).to_be_visible()
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == am

    # The dossier: the move, the rule, the task made and done.
    anna.goto(f"{anna.base}/sales/{traject.pk}/")
    dossier = anna.locator("#dossier")
    expect(dossier).to_contain_text("Behoefteanalyse")
    expect(dossier).to_contain_text("Regel uitgevoerd: stage wordt Voorstel")
    expect(dossier).to_contain_text("Workflow ‘Voorstel opvolgen’")
    expect(dossier).to_contain_text("Taak aangemaakt: Offerte nabellen")
    expect(dossier).to_contain_text("Taak afgerond: Offerte nabellen")
    context.close()
