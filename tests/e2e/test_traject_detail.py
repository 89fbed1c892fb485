"""The traject detail page in a real browser: inline editing, sharing, handover, delete, restore."""

import re
from decimal import Decimal

import pytest
from django.utils.html import escape
from playwright.sync_api import expect

from ..factories import ContactFactory, TrajectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"


def log_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")


def settled(page):
    """Wait until htmx has no request in flight and has wired up what it swapped in."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


@pytest.fixture
def new_page(chromium):
    """More browser pages, each its own session; closed before the live server stops."""
    contexts = []

    def make():
        contexts.append(chromium.new_context(locale="nl-NL"))
        page = contexts[-1].new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def test_edit_share_hand_over_delete_and_restore(page, new_page, am, other_am, beheerder):
    for user in (am, other_am, beheerder):
        user.set_password(PASSWORD)
        user.save()
    contact = ContactFactory(first_name="Jan", last_name="Jansen")
    traject = TrajectFactory(
        subject="Glazen deuren Utrecht",
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        probability=50,
        value=Decimal("1000.00"),
    )
    base = page.base
    detail = f"{base}/sales/{traject.pk}/"

    # The overview's totals row before the edit (the traject closes this month).
    log_in(page, base, am)
    expect(page.locator("#all-totals")).to_contain_text("€ 1.000")
    expect(page.locator("#all-totals")).to_contain_text("€ 500")

    # Anna edits kans and waarde in place; omzet follows before she saves.
    page.goto(detail)
    expect(page.locator("#omzet-waarde")).to_have_text("€ 500,00")
    page.click("#info-probability a")
    expect(page.locator("#id_probability")).to_be_focused()
    settled(page)
    assert page.url == detail  # edited in place, no navigation
    page.fill("#id_probability", "80")
    expect(page.locator("#omzet")).to_have_text("€ 800,00")
    page.fill("#id_value", "5.000")
    expect(page.locator("#omzet")).to_have_text("€ 4.000,00")
    page.click("#informatie button.primary")
    expect(page.locator("#omzet-waarde")).to_have_text("€ 4.000,00")
    expect(page.locator("#info-value")).to_have_text("€ 5.000,00")
    expect(page.locator("#dossier")).to_contain_text("50% → 80%")  # reloaded by its event
    expect(page.locator("#geschiedenis")).to_contain_text("€ 5.000")

    # The overview shows the new value and weighted value.
    page.goto(base + "/sales/")
    row = page.locator("#results tr", has_text="Glazen deuren Utrecht")
    expect(row).to_contain_text("€ 5.000")
    expect(row).to_contain_text("€ 4.000")
    # ...and both lines of the totals row follow: waarde, gewogen and the new kans.
    for line in ("#page-totals", "#all-totals"):
        expect(page.locator(line)).to_contain_text("€ 5.000")
        expect(page.locator(line)).to_contain_text("€ 4.000")
        expect(page.locator(line)).to_contain_text("80%")

    # Anna shares the traject with Bob, who then sees it.
    page.goto(detail)
    page.select_option("#id_accountmanager", str(other_am.pk))
    page.click("#accountmanagers form.inline-form >> text=Toevoegen")
    expect(page.locator("#accountmanagers .people")).to_contain_text(other_am.get_full_name())
    settled(page)
    bob = new_page()
    log_in(bob, base, other_am)
    assert bob.goto(detail).status == 200
    expect(bob.locator("h1#kop")).to_contain_text("Glazen deuren Utrecht")

    # Anna hands it over by taking herself off: it is gone for her.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#accountmanagers >> text=Mezelf verwijderen")
    page.wait_for_url(base + "/sales/")
    expect(page.locator(".messages")).to_contain_text("U staat niet meer op")
    assert page.goto(detail).status == 404

    # Bob deletes it; the dialog repeats the manual's advice first.
    bob.goto(detail)
    bob.click("#verwijderen")
    dialog = bob.locator("#verwijderen-dialoog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("per ongeluk dubbel")
    expect(dialog).to_contain_text("niet positief zijn afgerond")
    dialog.locator("text=Annuleren").click()
    expect(dialog).to_be_hidden()
    bob.click("#verwijderen")
    dialog.locator("button.danger").click()
    bob.wait_for_url(base + "/sales/")
    expect(bob.locator(".messages")).to_contain_text("is verwijderd")
    assert bob.goto(detail).status == 404

    # The beheerder finds it in the recycle bin and restores it with everything on it.
    bea = new_page()
    log_in(bea, base, beheerder)
    bea.click("nav >> text=Prullenbak")
    row = bea.locator("#results tr", has_text="Glazen deuren Utrecht")
    expect(row).to_contain_text(other_am.get_full_name())
    row.locator("text=Herstellen").click()
    bea.wait_for_url(detail)
    expect(bea.locator(".messages")).to_contain_text("is hersteld")
    expect(bea.locator("#accountmanagers .people")).to_contain_text(other_am.get_full_name())
    expect(bea.locator("#omzet-waarde")).to_have_text("€ 4.000,00")
    assert bob.goto(detail).status == 200
    assert escape("Glazen deuren Utrecht") in bob.content()


def test_won_type_asks_for_the_reason_and_relation_search_fills_contacts(page, am):
    from crm.models import Relation
    from settings_app.models import ClientSettings

    from ..factories import RelationFactory

    ClientSettings.objects.update(sales_select_enabled=True)
    am.set_password(PASSWORD)
    am.save()
    traject = TrajectFactory(subject="Raamcontract", accountmanagers=[am])
    bakery = RelationFactory(name="Bakkerij De Korenschoof")
    ContactFactory(relation=bakery, first_name="Piet", last_name="Bakker")
    base = page.base
    log_in(page, base, am)
    page.goto(f"{base}/sales/{traject.pk}/informatie/")  # the plain page: same form

    reason = page.locator("#redenveld")
    expect(reason).to_be_hidden()
    page.select_option("#id_type", label="Order")
    expect(reason).to_be_visible()
    expect(page.locator("#id_win_loss_reason option")).to_have_count(3)  # empty + 2 won
    expect(page.locator("#id_win_loss_reason")).to_have_attribute("required", "")
    settled(page)
    page.click("#informatie button.primary")  # the form is novalidate: the server answers
    expect(page.locator("#redenveld .errorlist")).to_contain_text("Kies een gewonnen/verloren")
    expect(page.locator("#id_type option:checked")).to_have_text("Order")  # kept
    settled(page)

    page.fill("#id_relation_query", "koren")
    page.get_by_role("option", name=re.compile("Korenschoof")).click()
    expect(page.locator("#id_contact")).to_contain_text("Piet Bakker")
    settled(page)
    page.select_option("#id_contact", label="Piet Bakker")
    page.select_option("#id_win_loss_reason", label="Relatie (gewonnen)")
    page.click("#informatie button.primary")
    expect(page.locator("#info-type")).to_have_text("Order")
    expect(page.locator("#info-relation a").first).to_have_text("Bakkerij De Korenschoof")
    traject.refresh_from_db()
    assert traject.relation == Relation.objects.get(name="Bakkerij De Korenschoof")
    assert traject.win_loss_reason.reason == "Relatie"


def test_the_stages_offered_follow_the_business_type(page, am):
    from settings_app.models import BusinessType, Stage

    nb = BusinessType.objects.get(code="NB")
    Stage.objects.create(name="Pitch NB", order=2).business_types.add(nb)
    am.set_password(PASSWORD)
    am.save()
    traject = TrajectFactory(subject="Raamcontract", accountmanagers=[am])  # EB
    base = page.base
    log_in(page, base, am)
    page.goto(f"{base}/sales/{traject.pk}/informatie/")

    expect(page.locator("#id_stage option", has_text="Pitch NB")).to_have_count(0)
    page.select_option("#id_business_type", label="New business")
    expect(page.locator("#id_stage option", has_text="Pitch NB")).to_have_count(1)
    settled(page)
    page.select_option("#id_stage", label="Pitch NB")
    settled(page)
    page.click("#informatie button.primary")
    expect(page.locator("#info-stage")).to_have_text("Pitch NB")
    traject.refresh_from_db()
    assert (traject.business_type, traject.stage.name) == (nb, "Pitch NB")
