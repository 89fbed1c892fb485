"""The manual's steps in a browser: 3.4.1 (from the Sales Module) and 3.4.2 (from a vacancy)."""

import re

import pytest
from playwright.sync_api import expect

from crm.models import Relation
from trajects.models import Traject
from vacancies.models import Vacancy

from ..factories import ContactFactory, RelationFactory, VacancyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"
DETAIL = re.compile(r"/sales/\d+/$")


def login(page, user):
    user.set_password(PASSWORD)
    user.save()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")


def open_new_lead_dialog(page):
    """Steps 1–3: open Sales, go to the leads overview, click the green + in the toolbar."""
    page.goto(page.base + "/sales/")
    page.locator(".toggle").get_by_role("link", name="Leads").click()
    page.wait_for_url("**/sales/leads/")
    button = page.get_by_role("link", name="Nieuwe lead")
    expect(button).to_have_css("background-color", "rgb(22, 128, 60)")  # the green +
    button.click()
    dialog = page.locator("dialog#lead-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Nieuwe lead")).to_be_visible()
    return dialog


def test_341_new_lead_for_an_existing_relation(page, am):
    relation = RelationFactory(name="OTYS Recruiting Technology", city="Utrecht")
    contact = ContactFactory(relation=relation, first_name="Jan", last_name="Jansen")
    login(page, am)
    dialog = open_new_lead_dialog(page)
    save = dialog.get_by_role("button", name="Bewaren")
    expect(save).to_be_disabled()  # step 4: the required fields (red *) are still empty
    expect(dialog.locator(".req").first).to_have_css("color", "rgb(220, 38, 38)")

    picker = dialog.get_by_role("combobox", name="Relatie")  # Type relatie 'Bestaand' is default
    picker.fill("otys")
    dialog.get_by_role("option", name=re.compile("OTYS Recruiting Technology")).click()
    expect(picker).to_have_value("OTYS Recruiting Technology")
    dialog.locator("#id_contact").select_option(label="Jan Jansen")
    dialog.locator("#id_subject").fill("Nieuwe glazen deuren in gehele pand OTYS")
    expect(save).to_be_enabled()
    save.click()  # step 5

    page.wait_for_url(DETAIL)  # steps 6 and 7: created, and its detail view opens
    expect(page.locator("h1")).to_contain_text("Nieuwe glazen deuren in gehele pand OTYS")
    lead = Traject.objects.get()
    assert lead.relation == relation and lead.contact == contact
    assert list(lead.accountmanagers.all()) == [am] and lead.is_lead
    assert lead.business_type.code == "EB" and lead.probability == 50


def test_341_new_lead_for_a_new_relation(page, am):
    login(page, am)
    dialog = open_new_lead_dialog(page)
    dialog.get_by_role("radio", name="Nieuw").check()
    name = dialog.locator("#id_new_relation_name")
    expect(name).to_be_visible()  # new fields appear for the relation and its contact
    name.fill("Glashandel Noël")
    dialog.locator("#id_new_relation_city").fill("Delft")
    dialog.locator("#id_contact_first_name").fill("Els")
    save = dialog.get_by_role("button", name="Bewaren")
    dialog.locator("#id_subject").fill("Glazen wanden kantoor Delft")
    expect(save).to_be_disabled()  # the contact's last name is still missing
    dialog.locator("#id_contact_last_name").fill("Vos")
    expect(save).to_be_enabled()
    save.click()
    page.wait_for_url(DETAIL)
    expect(page.locator("h1")).to_contain_text("Glazen wanden kantoor Delft")
    lead = Traject.objects.get()
    assert lead.business_type.code == "NB"
    # The new relation is in the CRM at once.
    page.goto(page.base + "/crm/relaties/?q=noel")
    expect(page.get_by_role("cell", name="Glashandel Noël")).to_be_visible()
    expect(page.get_by_role("cell", name="Els Vos")).to_be_visible()


def test_a_close_match_asks_before_saving(page, am):
    existing = RelationFactory(name="OTYS", city="Utrecht")
    login(page, am)
    dialog = open_new_lead_dialog(page)
    dialog.get_by_role("radio", name="Nieuw").check()
    dialog.locator("#id_new_relation_name").fill("Otys B.V.")
    dialog.locator("#id_contact_last_name").fill("Jansen")
    dialog.locator("#id_subject").fill("Iets")
    expect(dialog.get_by_text("Bestaat deze relatie al?")).to_be_visible()
    save = dialog.get_by_role("button", name="Bewaren")
    expect(save).to_be_disabled()  # until it is confirmed new, or the existing one is chosen
    dialog.get_by_role("button", name="Deze relatie gebruiken").click()
    expect(dialog.get_by_role("combobox", name="Relatie")).to_have_value("OTYS")
    expect(dialog.locator("input[name=relation]")).to_have_value(str(existing.pk))
    expect(dialog.locator("#id_subject")).to_have_value("Iets")
    expect(save).to_be_enabled()
    save.click()
    page.wait_for_url(DETAIL)
    assert Traject.objects.get().relation == existing
    assert Relation.objects.count() == 1


def test_342_new_lead_from_a_vacancy(page, am):
    RelationFactory(name="Deurenfabriek Noord", city="Groningen")
    login(page, am)
    # 1) the vacancy module, 2) a new vacancy with a relation
    page.get_by_role("navigation").get_by_role("link", name="Vacatures").click()
    page.get_by_role("link", name="Nieuwe vacature").click()
    page.locator("#id_title").fill("Monteur glazen deuren")
    page.locator("#id_relation_query").fill("deurenfab")
    page.get_by_role("option", name=re.compile("Deurenfabriek Noord")).click()
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator("h1")).to_have_text("Monteur glazen deuren")
    # 3) Meer, 4) Sales Tracker, 5) the lead window opens with the relation filled in
    page.get_by_text("Meer", exact=True).click()
    page.get_by_role("link", name="Sales Tracker").click()
    dialog = page.locator("dialog#lead-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Deurenfabriek Noord")
    expect(dialog.locator("#id_subject")).to_have_value("Monteur glazen deuren")
    # 6) fill in and Bewaren, 7) the lead exists and its detail view opens
    dialog.locator("#id_subject").fill("Monteurs glazen deuren Deurenfabriek Noord")
    dialog.get_by_role("button", name="Bewaren").click()
    page.wait_for_url(DETAIL)
    expect(page.locator("h1")).to_contain_text("Monteurs glazen deuren Deurenfabriek Noord")
    lead = Traject.objects.get()
    assert lead.vacancy == Vacancy.objects.get() and lead.relation.name == "Deurenfabriek Noord"


def test_342_a_vacancy_without_relation_names_the_fix(page, am):
    vacancy = VacancyFactory(title="Zonder relatie", relation=None)
    login(page, am)
    page.goto(f"{page.base}/vacatures/{vacancy.pk}/")
    page.get_by_text("Meer", exact=True).click()
    page.get_by_role("link", name="Sales Tracker").click()
    dialog = page.locator("dialog#lead-dialog")
    expect(dialog.get_by_role("alert")).to_contain_text("Koppel eerst een relatie")
    dialog.get_by_role("link", name=re.compile("Relatie koppelen")).click()
    page.wait_for_url(f"**/vacatures/{vacancy.pk}/wijzigen/")


def test_the_lead_form_works_without_javascript(chromium, live_server, am):

    relation = RelationFactory(name="Zonder Script B.V.")
    context = chromium.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    try:
        login(page, am)
        page.goto(page.base + "/sales/leads/")
        page.get_by_role("link", name="Nieuwe lead").click()
        page.wait_for_url("**/sales/leads/nieuw/")  # a plain page
        page.locator("#id_relation_query").fill("zonder script")
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("radio", name=re.compile("Zonder Script B.V.")).check()
        page.locator("#id_subject").fill("Zonder JavaScript")
        page.get_by_role("button", name="Bewaren").click()
        page.wait_for_url(DETAIL)
        expect(page.locator("h1")).to_contain_text("Zonder JavaScript")
        assert Traject.objects.get().relation == relation
    finally:
        context.close()


def test_the_leads_overview_search_converted_and_distribution(page, beheerder, am, other_am):
    from decimal import Decimal

    from django.utils import timezone

    from ..factories import TrajectFactory

    TrajectFactory(subject="Pot glazen deuren", converted_at=None, value=Decimal(10))
    TrajectFactory(subject="Pot kozijnen", converted_at=None, value=Decimal(20))
    TrajectFactory(subject="Al opgepakt", accountmanagers=[am], converted_at=timezone.now())
    login(page, beheerder)
    page.goto(page.base + "/sales/leads/")
    results = page.locator("#results")
    expect(results).to_contain_text("2 leads")
    # Keyword search as you type (htmx), the URL follows.
    page.locator("#id_q").fill("glazen")
    expect(results).to_contain_text("1 lead")
    expect(results).not_to_contain_text("Pot kozijnen")
    assert "q=glazen" in page.url
    page.locator("#id_q").fill("")
    expect(results).to_contain_text("2 leads")
    # "Ook geconverteerde leads" (in the filter panel) shows converted ones with their
    # conversion date.
    page.locator("#filters > summary").click()
    page.get_by_label("Ook geconverteerde leads").check()
    expect(results.get_by_role("columnheader", name="Conversie datum")).to_be_visible()
    expect(results).to_contain_text("Al opgepakt")
    page.get_by_label("Ook geconverteerde leads").uncheck()
    expect(results).not_to_contain_text("Al opgepakt")
    # Distribution: tick two leads, choose two accountmanagers, one action.
    page.get_by_label("Selecteer Pot glazen deuren").check()
    page.get_by_label("Selecteer Pot kozijnen").check()
    page.locator("#id_accountmanagers").select_option([str(am.pk), str(other_am.pk)])
    page.get_by_role("button", name="Verdelen").click()
    expect(page.locator(".messages")).to_contain_text("2 leads toegewezen aan")
    assert Traject.objects.unassigned().count() == 0
    for lead in Traject.objects.filter(subject__startswith="Pot"):
        assert set(lead.accountmanagers.all()) == {am, other_am}


def htmx_idle(page):
    """Wait until no htmx request is in flight (a person looks before the next step)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_lead_ticked_after_a_search_is_distributed(page, beheerder, am):
    from ..factories import TrajectFactory

    wanted = TrajectFactory(subject="Pot glazen deuren", converted_at=None)
    TrajectFactory(subject="Pot kozijnen", converted_at=None)
    login(page, beheerder)
    page.goto(page.base + "/sales/leads/")
    results = page.locator("#results")
    expect(results).to_contain_text("2 leads")
    page.locator("#id_q").press_sequentially("glazen")  # type a search term
    expect(results).to_contain_text("1 lead")
    htmx_idle(page)
    tick = page.get_by_label("Selecteer Pot glazen deuren")
    tick.check()  # the search box loses focus here
    htmx_idle(page)
    expect(tick).to_be_checked()
    page.locator("#id_accountmanagers").select_option(str(am.pk))
    htmx_idle(page)
    expect(page.get_by_label("Selecteer Pot glazen deuren")).to_be_checked()
    page.get_by_role("button", name="Verdelen").click()
    expect(page.locator(".messages")).to_contain_text("1 lead toegewezen aan")
    assert list(wanted.accountmanagers.all()) == [am]
    assert Traject.objects.unassigned().get().subject == "Pot kozijnen"


def test_a_tick_survives_the_search_reloading_the_list(page, beheerder, am):
    from ..factories import TrajectFactory

    TrajectFactory(subject="Pot glazen deuren", converted_at=None)
    TrajectFactory(subject="Pot glazen wanden", converted_at=None)
    login(page, beheerder)
    page.goto(page.base + "/sales/leads/")
    page.get_by_label("Selecteer Pot glazen deuren").check()
    page.locator("#id_accountmanagers").select_option(str(am.pk))
    page.locator("#id_q").press_sequentially("glazen")  # the list reloads under the tick
    expect(page).to_have_url(re.compile(r"q=glazen"))
    htmx_idle(page)
    expect(page.get_by_label("Selecteer Pot glazen deuren")).to_be_checked()
    expect(page.locator("#id_accountmanagers")).to_have_value(str(am.pk))
    page.get_by_role("button", name="Verdelen").click()
    expect(page.locator(".messages")).to_contain_text("1 lead toegewezen aan")
    assert [lead.subject for lead in Traject.objects.unassigned()] == ["Pot glazen wanden"]


def test_ticks_are_kept_across_pages_and_searches(page, beheerder, am):
    """Issue 14: a tick on page 1 and one on page 2, a search that hides the first: one click
    hands out both."""
    import datetime

    from ..factories import TrajectFactory

    leads = [
        TrajectFactory(
            subject=f"Pot {i:02d}",
            converted_at=None,
            lead_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
        )
        for i in range(30)
    ]
    glazen = TrajectFactory(
        subject="Glazen deuren", converted_at=None, lead_date=datetime.date(2025, 1, 1)
    )
    login(page, beheerder)
    page.goto(page.base + "/sales/leads/")
    page.get_by_label("Selecteer Pot 29").check()  # page 1: newest lead date first
    page.get_by_role("link", name="Volgende").click()
    expect(page.locator("#results")).to_contain_text("Pagina 2 van 2")
    htmx_idle(page)
    expect(page.locator("#selection")).to_contain_text("1 lead aangevinkt")
    page.get_by_label("Selecteer Glazen deuren").check()
    page.locator("#id_q").press_sequentially("pot 0")  # hides "Glazen deuren" and "Pot 29"
    expect(page).to_have_url(re.compile(r"q=pot"))
    htmx_idle(page)
    expect(page.locator("#results")).not_to_contain_text("Glazen deuren")
    expect(page.locator("#selection")).to_contain_text("2 leads aangevinkt")
    page.get_by_label("Selecteer Pot 05").check()
    page.locator("#id_accountmanagers").select_option(str(am.pk))
    page.get_by_role("button", name="Verdelen").click()
    expect(page.locator(".messages")).to_contain_text("3 leads toegewezen aan")
    assigned = {lead.subject for lead in Traject.objects.assigned_to(am)}
    assert assigned == {"Pot 29", "Glazen deuren", "Pot 05"}
    assert len(leads) + 1 - len(assigned) == Traject.objects.unassigned().count()
    assert glazen.accountmanagers.get() == am
