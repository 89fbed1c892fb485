"""The relation picker driven with the keyboard (issue 14), in the lead dialog and in the
Informatie form, and the relation card opened from a traject, checked by axe-core."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from trajects.models import Traject

from ..factories import ContactFactory, RelationFactory, TrajectFactory
from .test_leads import DETAIL, login, open_new_lead_dialog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def settled(page):
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def test_the_lead_dialogs_picker_with_the_keyboard(page, am):
    RelationFactory(name="Bakkerij Noord", city="Groningen")
    wanted = RelationFactory(name="Bakkerij Zuid", city="Breda")
    ContactFactory(relation=wanted, first_name="Els", last_name="Vos")
    login(page, am)
    dialog = open_new_lead_dialog(page)
    picker = dialog.get_by_role("combobox", name="Relatie")
    listbox = dialog.get_by_role("listbox", name="Gevonden relaties")
    expect(picker).to_have_attribute("aria-expanded", "false")

    picker.press_sequentially("bakkerij")
    expect(listbox).to_be_visible()
    expect(picker).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(3)  # two and "Nieuwe relatie"
    # Escape closes the list, not the dialog.
    picker.press("Escape")
    expect(listbox).to_be_hidden()
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(dialog).to_be_visible()

    picker.press("ArrowDown")  # opens on the first option
    expect(picker).to_have_attribute("aria-activedescendant", re.compile(r"-listbox-\d+$"))
    picker.press("ArrowDown")
    active = picker.get_attribute("aria-activedescendant")
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#{active}")).to_contain_text("Bakkerij Zuid")
    picker.press("Enter")
    expect(listbox).to_be_hidden()
    expect(picker).to_have_value("Bakkerij Zuid")
    expect(dialog.locator("input[name=relation]")).to_have_value(str(wanted.pk))
    expect(dialog).to_be_visible()  # Enter chose; it did not submit the form
    expect(dialog.locator("#id_contact")).to_contain_text("Els Vos")  # the contacts followed
    settled(page)

    dialog.locator("#id_subject").fill("Broodkratten")
    dialog.get_by_role("button", name="Bewaren").click()
    page.wait_for_url(DETAIL)
    assert Traject.objects.get().relation == wanted


def test_nieuwe_relatie_from_the_picker_asks_about_duplicates(page, am):
    RelationFactory(name="Hanzebouw B.V.")
    login(page, am)
    dialog = open_new_lead_dialog(page)
    picker = dialog.get_by_role("combobox", name="Relatie")
    picker.press_sequentially("Hanzebouw")
    new = dialog.get_by_role("option", name=re.compile("Nieuwe relatie"))
    expect(new).to_be_visible()
    picker.press("ArrowUp")  # from the top, ArrowUp goes to the last option
    picker.press("Enter")
    expect(dialog.locator("#id_new_relation_name")).to_have_value("Hanzebouw")
    expect(dialog.get_by_text("Bestaat deze relatie al?")).to_be_visible()


def test_the_informatie_forms_picker_with_the_keyboard(page, am):
    traject = TrajectFactory(subject="Raamcontract", accountmanagers=[am])
    bakery = RelationFactory(name="Bakkerij De Korenschoof")
    ContactFactory(relation=bakery, first_name="Piet", last_name="Bakker")
    login(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    page.locator("#info-relation a.edit").click()
    picker = page.get_by_role("combobox", name="Relatie")
    expect(picker).to_be_focused()
    expect(picker).to_have_value(traject.relation.name)
    picker.fill("")
    picker.press_sequentially("koren")
    listbox = page.locator("#id_relation-listbox")
    expect(listbox.get_by_role("option", name=re.compile("Korenschoof"))).to_be_visible()
    picker.press("Escape")
    expect(listbox).to_be_hidden()
    picker.press("ArrowDown")
    expect(listbox).to_be_visible()
    picker.press("Enter")
    expect(picker).to_have_value("Bakkerij De Korenschoof")
    expect(page.locator("#id_contact")).to_contain_text("Piet Bakker")
    settled(page)
    page.locator("#id_contact").select_option(label="Piet Bakker")
    page.click("#informatie button.primary")
    expect(page.locator("#info-relation a").first).to_have_text("Bakkerij De Korenschoof")
    traject.refresh_from_db()
    assert traject.relation == bakery and traject.contact.last_name == "Bakker"
    assert page.locator("select#id_relation").count() == 0


def test_the_relation_card_from_a_traject_and_axe(page, am, other_am):
    relation = RelationFactory(name="Hanzebouw", city="Zwolle", address="Dorpsstraat 1")
    ContactFactory(relation=relation, first_name="Anna", last_name="Smit")
    traject = TrajectFactory(
        relation=relation, subject="Glazen deuren", value=Decimal(1200), accountmanagers=[am]
    )
    TrajectFactory(relation=relation, subject="Geheim dak", accountmanagers=[other_am])
    login(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    page.locator("#info-relation").get_by_role("link", name="Hanzebouw").click()
    page.wait_for_url(f"**/crm/relaties/{relation.pk}/")
    expect(page.locator("h1")).to_contain_text("Hanzebouw")
    expect(page.locator("#trajecten")).to_contain_text("Glazen deuren")
    expect(page.locator("#trajecten")).not_to_contain_text("Geheim dak")
    expect(page.locator("#alle-trajecten")).to_contain_text("Alle trajecten")

    # Change the address: the history shows old → new.
    page.get_by_text("Adresgegevens wijzigen").click()
    page.locator("#id_city").fill("Kampen")
    page.locator("#adres").get_by_role("button", name="Bewaren").click()
    expect(page.locator("#geschiedenis")).to_contain_text("Zwolle")
    expect(page.locator("#geschiedenis")).to_contain_text("Kampen")

    for opened in (False, True):
        if opened:
            page.get_by_text("Contactpersoon toevoegen").click()
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in json.loads(result)
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], json.dumps(violations, indent=1)


def test_nieuwe_relatie_from_the_informatie_form_opens_the_new_relation_page(page, am):
    traject = TrajectFactory(subject="Raamcontract", accountmanagers=[am])
    login(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/informatie/")
    picker = page.get_by_role("combobox", name="Relatie")
    picker.fill("")
    picker.press_sequentially("Geheel Nieuw B.V.")
    expect(page.get_by_role("option", name=re.compile("Nieuwe relatie"))).to_be_visible()
    picker.press("ArrowUp")
    picker.press("Enter")
    page.wait_for_url("**/crm/relaties/nieuw/**")
    expect(page.locator("#id_name")).to_have_value("Geheel Nieuw B.V.")
    page.get_by_role("button", name="Bewaren").click()
    page.wait_for_url(f"**/sales/{traject.pk}/informatie/")  # back where the picker was
    expect(page.locator(".messages")).to_contain_text("Geheel Nieuw B.V.” aangemaakt")
