"""The relation card (issue 14): address data and its history, contacts, vacancies, and the
trajects and leads the user may see with their totals ("Alle trajecten")."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse

from crm.models import Contact, Relation, RelationChange
from trajects.models import Traject
from trajects.services import traject_delete
from trajects.tables import euro

from ..factories import ContactFactory, RelationFactory, TrajectFactory, VacancyFactory

pytestmark = pytest.mark.django_db

BIG = str(2**63)


def card(relation) -> str:
    return reverse("crm:relation_detail", args=[relation.pk])


@pytest.fixture
def hanzebouw(db):
    return RelationFactory(name="Hanzebouw", city="Zwolle", address="Dorpsstraat 1")


@pytest.fixture
def trajects(hanzebouw, am, other_am):
    """Two of am's (a traject and a lead), one of other_am, one deleted of am, one elsewhere."""
    mine = TrajectFactory(
        relation=hanzebouw, subject="Mijn deuren", value=Decimal("1000.00"), accountmanagers=[am]
    )
    my_lead = TrajectFactory(
        relation=hanzebouw,
        subject="Mijn lead ramen",
        value=Decimal("2500.50"),
        probability=20,
        converted_at=None,
        accountmanagers=[am],
    )
    theirs = TrajectFactory(
        relation=hanzebouw, subject="Geheim dak", value=Decimal("7000"), accountmanagers=[other_am]
    )
    gone = TrajectFactory(
        relation=hanzebouw, subject="Weg traject", value=Decimal("9"), accountmanagers=[am]
    )
    traject_delete(traject=gone, user=am)
    TrajectFactory(subject="Andere relatie", accountmanagers=[am])
    return {"mine": mine, "my_lead": my_lead, "theirs": theirs, "gone": gone}


def figures(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}">')[1].split("<")[0]


def euros(amount: Decimal) -> str:
    return euro(amount)  # whole euros, as every list and totals row (DESIGN rule 11)


# --- Visibility -----------------------------------------------------------------------------


def test_an_accountmanager_sees_only_his_own_trajects_and_leads(
    client_for, am, hanzebouw, trajects
):
    html = client_for(am).get(card(hanzebouw)).text
    assert "Mijn deuren" in html and "Mijn lead ramen" in html
    assert "Geheim dak" not in html and "Weg traject" not in html
    assert "Andere relatie" not in html
    assert reverse("trajects:detail", args=[trajects["mine"].pk]) in html
    assert reverse("trajects:detail", args=[trajects["theirs"].pk]) not in html


def test_the_beheerder_sees_every_live_traject(client_for, beheerder, hanzebouw, trajects):
    html = client_for(beheerder).get(card(hanzebouw)).text
    assert "Mijn deuren" in html and "Geheim dak" in html and "Mijn lead ramen" in html
    assert "Weg traject" not in html


def test_a_user_without_a_role_sees_the_address_but_no_traject(
    client_for, nobody, hanzebouw, trajects
):
    response = client_for(nobody).get(card(hanzebouw))
    assert response.status_code == 200
    assert "Dorpsstraat 1" in response.text
    assert "Mijn deuren" not in response.text and "Geheim dak" not in response.text
    assert 'id="adres-wijzigen"' not in response.text  # he may not edit


@pytest.mark.parametrize("forged", ["0", "999999", BIG, "abc", "²", "-1"])
def test_a_forged_or_unknown_id_is_404(client_for, am, forged):
    assert client_for(am).get(f"/crm/relaties/{forged}/").status_code == 404
    assert client_for(am).post(f"/crm/relaties/{forged}/adres/", {"name": "x"}).status_code == 404


# --- The totals row ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["am", "beheerder"])
def test_the_totals_row_is_the_sum_of_the_visible_trajects(
    request, client, hanzebouw, trajects, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    html = client.get(card(hanzebouw)).text
    visible = Traject.objects.visible_to(user).filter(relation=hanzebouw)
    values = [t.value for t in visible]
    weighted = sum((t.weighted_value for t in visible), Decimal(0))
    assert f"({len(values)})" in html.split('id="alle-trajecten"')[1].split("</tr>")[0]
    assert "Alle trajecten" in html
    assert figures(html, "totaal-waarde") == euros(sum(values, Decimal(0)))
    assert figures(html, "totaal-omzet") == euros(weighted)
    assert visible.aggregate(total=Sum("value"))["total"] == sum(values, Decimal(0))


def test_an_accountmanager_sees_his_share_of_a_shared_traject(client_for, am, other_am, hanzebouw):
    TrajectFactory(relation=hanzebouw, value=Decimal("1001"), accountmanagers=[am, other_am])
    html = client_for(am).get(card(hanzebouw)).text
    mine = figures(html, "totaal-waarde")
    theirs = figures(client_for(other_am).get(card(hanzebouw)).text, "totaal-waarde")
    # 1001 / 2: 500,50 each, shown in whole euros as the overview does.
    assert {mine, theirs} <= {"€ 501", "€ 500"}


def test_the_card_costs_a_bounded_number_of_queries(
    client_for, am, hanzebouw, django_assert_max_num_queries
):
    for i in range(30):
        TrajectFactory(relation=hanzebouw, subject=f"T{i}", accountmanagers=[am])
        ContactFactory(relation=hanzebouw)
        VacancyFactory(relation=hanzebouw)
    client = client_for(am)
    client.get(card(hanzebouw))
    with django_assert_max_num_queries(16):
        assert client.get(card(hanzebouw)).status_code == 200


# --- Address data and its history -----------------------------------------------------------


def test_an_address_change_is_kept_with_who_when_and_old_to_new(client_for, am, hanzebouw):
    data = {"name": "Hanzebouw", "address": "Kerkstraat 9", "postcode": "8011 AB"}
    data |= {"city": "Kampen", "phone": "", "website": ""}
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, 30, tzinfo=datetime.UTC)):
        response = client_for(am).post(reverse("crm:relation_edit", args=[hanzebouw.pk]), data)
    assert response.status_code == 302
    hanzebouw.refresh_from_db()
    assert (hanzebouw.city, hanzebouw.address) == ("Kampen", "Kerkstraat 9")
    changes = {c.field: c for c in RelationChange.objects.filter(relation=hanzebouw)}
    assert set(changes) == {"address", "postcode", "city"}
    assert (changes["city"].old_value, changes["city"].new_value) == ("Zwolle", "Kampen")
    assert changes["city"].changed_by == am
    assert changes["city"].changed_at.date() == datetime.date(2026, 3, 9)
    html = client_for(am).get(card(hanzebouw)).text
    history = html.split('id="geschiedenis"')[1]
    assert "Zwolle" in history and "Kampen" in history and "Plaats" in history
    assert re.search(r"\b0?9-0?3-2026\b", history)  # the format is the locale's
    assert am.get_full_name() in history


def test_an_unchanged_save_writes_no_history(client_for, am, hanzebouw):
    data = {"name": "Hanzebouw", "address": "Dorpsstraat 1", "city": "Zwolle"}
    client_for(am).post(reverse("crm:relation_edit", args=[hanzebouw.pk]), data)
    assert not RelationChange.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("name", "", "verplicht"),
        ("name", "x" * 300, "niet meer dan 200 tekens"),
        ("website", "geen adres", "geldige URL"),
        ("postcode", "1" * 50, "niet meer dan 12 tekens"),
        ("city", "Zwolle\x00", "Null-tekens"),
    ],
)
def test_bad_address_input_gives_a_message_and_saves_nothing(
    client_for, am, hanzebouw, field, typed, message
):
    data = {"name": "Hanzebouw", "address": "Nieuw 2", "city": "Zwolle"} | {field: typed}
    response = client_for(am).post(reverse("crm:relation_edit", args=[hanzebouw.pk]), data)
    assert response.status_code == 200
    assert message in response.text
    assert 'id="adres-fout"' in response.text
    assert 'value="Nieuw 2"' in response.text  # what was typed stays
    assert Relation.objects.get(pk=hanzebouw.pk).address == "Dorpsstraat 1"
    assert not RelationChange.objects.exists()


def test_a_user_without_a_role_may_not_edit(client_for, nobody, hanzebouw):
    response = client_for(nobody).post(
        reverse("crm:relation_edit", args=[hanzebouw.pk]), {"name": "Overgenomen"}
    )
    assert response.status_code == 403
    assert "wijzigen het adresboek" in response.text
    assert Relation.objects.get(pk=hanzebouw.pk).name == "Hanzebouw"
    assert not RelationChange.objects.exists()


def test_the_card_only_answers_get(client_for, am, hanzebouw):
    assert client_for(am).post(card(hanzebouw)).status_code == 405
    assert client_for(am).get(reverse("crm:relation_edit", args=[hanzebouw.pk])).status_code == 405


# --- Contacts and vacancies -------------------------------------------------------------------


def test_contacts_and_vacancies_are_on_the_card(client_for, am, hanzebouw):
    ContactFactory(relation=hanzebouw, first_name="Piet", last_name="Bakker", email="p@h.nl")
    vacancy = VacancyFactory(relation=hanzebouw, title="Monteur gezocht")
    VacancyFactory(title="Elders gezocht")
    html = client_for(am).get(card(hanzebouw)).text
    assert "Piet Bakker" in html and "p@h.nl" in html
    assert "Monteur gezocht" in html and "Elders gezocht" not in html
    assert reverse("vacancies:detail", args=[vacancy.pk]) in html


def test_a_contact_is_added_and_kept_in_the_history(client_for, am, hanzebouw):
    data = {"new-first_name": "Anna", "new-last_name": "de Vries", "new-email": "anna@h.nl"}
    response = client_for(am).post(reverse("crm:contact_add", args=[hanzebouw.pk]), data)
    assert response.status_code == 302
    contact = Contact.objects.get(relation=hanzebouw)
    assert (contact.first_name, contact.email) == ("Anna", "anna@h.nl")
    change = RelationChange.objects.get()
    assert (change.contact, change.changed_by, change.new_value) == (contact, am, "Anna de Vries")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new-first_name": "Anna"}, "verplicht"),
        ({"new-last_name": "Vries", "new-email": "geen-mail"}, "geldig e-mailadres"),
        ({"new-last_name": "V" * 500}, "niet meer dan 100 tekens"),
    ],
)
def test_a_bad_new_contact_gives_a_message_and_saves_nothing(
    client_for, am, hanzebouw, data, message
):
    response = client_for(am).post(reverse("crm:contact_add", args=[hanzebouw.pk]), data)
    assert response.status_code == 200
    assert message in response.text and 'id="contact-fout"' in response.text
    assert not Contact.objects.exists() and not RelationChange.objects.exists()


def test_a_contact_is_edited_with_old_and_new_in_the_history(client_for, am, hanzebouw):
    contact = ContactFactory(relation=hanzebouw, first_name="Jan", last_name="Smit", email="")
    prefix = f"c{contact.pk}-"
    data = {f"{prefix}first_name": "Jan", f"{prefix}last_name": "Smit"}
    data[f"{prefix}email"] = "jan@h.nl"
    address = reverse("crm:contact_edit", args=[hanzebouw.pk, contact.pk])
    assert client_for(am).post(address, data).status_code == 302
    contact.refresh_from_db()
    assert contact.email == "jan@h.nl"
    change = RelationChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("contact.email", "", "jan@h.nl")
    assert "Contactpersoon: E-mail" in client_for(am).get(card(hanzebouw)).text


def test_a_bad_contact_edit_gives_a_message_and_saves_nothing(client_for, am, hanzebouw):
    contact = ContactFactory(relation=hanzebouw, last_name="Smit")
    prefix = f"c{contact.pk}-"
    data = {f"{prefix}last_name": "", f"{prefix}email": "x@"}
    response = client_for(am).post(
        reverse("crm:contact_edit", args=[hanzebouw.pk, contact.pk]), data
    )
    assert response.status_code == 200 and "verplicht" in response.text
    assert Contact.objects.get(pk=contact.pk).last_name == "Smit"
    assert not RelationChange.objects.exists()


@pytest.mark.parametrize("forged", ["999999", BIG, "x"])
def test_a_contact_of_another_relation_or_forged_is_404(client_for, am, hanzebouw, forged):
    stranger = ContactFactory(last_name="Vreemd")
    client = client_for(am)
    for contact_id in (str(stranger.pk), forged):
        address = f"/crm/relaties/{hanzebouw.pk}/contactpersonen/{contact_id}/"
        assert client.post(address, {f"c{contact_id}-last_name": "Gekaapt"}).status_code == 404
    assert Contact.objects.get(pk=stranger.pk).last_name == "Vreemd"
