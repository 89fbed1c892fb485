"""The one relation picker (issue 14): its search endpoint, its use in the lead dialog, the
Informatie form and the vacancy form, and no page with a select of every relation."""

import re

import pytest
from django.urls import reverse

from crm.models import Contact, Relation, RelationChange
from salesmodule.text import normalise
from trajects.models import Traject

from ..factories import ContactFactory, RelationFactory, TrajectFactory, VacancyFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("crm:relation_search")
CREATE = reverse("leads:create")


def lead_data(**extra) -> dict:
    from settings_app.models import BusinessType

    data = {
        "type_relation": "existing",
        "subject": "Nieuwe glazen deuren",
        "business_type": BusinessType.objects.get(code="EB").pk,
        "probability": "50",
        "lead_date": "09-03-2026",
    }
    return data | extra


# --- The search endpoint ----------------------------------------------------------------------


def test_the_search_answers_listbox_options_at_most_twenty(client_for, am):
    Relation.objects.bulk_create(
        Relation(name=f"Bouw {i}", name_normalised=normalise(f"Bouw {i}")) for i in range(40)
    )
    html = client_for(am).get(SEARCH, {"relation_query": "bouw", "listbox": "x-listbox"}).text
    assert html.count("data-value=") == 20 and 'id="x-listbox-more"' in html
    assert "Alleen de eerste 20" in html
    assert "Nieuwe relatie" not in html  # only where the form can make one


def test_the_escape_hatch_is_offered_where_asked(client_for, am):
    html = client_for(am).get(SEARCH, {"relation_query": "Nergens B.V.", "new": "1"}).text
    assert "Geen relatie gevonden" in html
    assert 'data-new data-label="Nergens B.V."' in html


def test_an_empty_search_answers_no_option(client_for, am):
    RelationFactory(name="Hanzebouw")
    assert "option" not in client_for(am).get(SEARCH, {"relation_query": "  "}).text


def test_the_search_shows_nothing_of_any_traject(client_for, am, other_am):
    relation = RelationFactory(name="Hanzebouw", city="Zwolle")
    TrajectFactory(relation=relation, subject="Geheim dak", accountmanagers=[other_am])
    html = client_for(am).get(SEARCH, {"relation_query": "hanze"}).text
    assert "Hanzebouw" in html and "Zwolle" in html
    assert "Geheim dak" not in html and "/sales/" not in html


def test_the_search_needs_a_login(client):
    assert client.get(SEARCH, {"relation_query": "a"}).status_code == 302


# --- The lead dialog --------------------------------------------------------------------------


def test_the_lead_dialog_has_the_combobox_not_radio_buttons(client_for, am):
    html = client_for(am).get(CREATE).text
    assert 'role="combobox"' in html and 'aria-controls="id_relation-listbox"' in html
    assert 'aria-expanded="false"' in html and 'role="listbox"' in html
    assert 'type="hidden" name="relation"' in html
    assert 'role="radiogroup"' not in html


def test_nieuwe_relatie_switches_to_a_new_relation_with_the_duplicate_warning(client_for, am):
    RelationFactory(name="Hanzebouw B.V.")
    data = lead_data(type_relation="new", relation_query="Hanzebouw", _refresh="1")
    html = client_for(am).post(CREATE, data).text
    assert 'name="new_relation_name" id="id_new_relation_name" value="Hanzebouw"' in html
    assert "Bestaat deze relatie al?" in html and "Hanzebouw B.V." in html


def test_a_contact_is_added_to_an_existing_relation_from_the_lead_dialog(client_for, am):
    relation = RelationFactory(name="Hanzebouw")
    data = lead_data(
        relation=relation.pk,
        contact_first_name="Anna",
        contact_last_name="Smit",
        contact_email="a@h.nl",
    )
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 302
    contact = Contact.objects.get(relation=relation)
    assert (contact.first_name, contact.last_name, contact.email) == ("Anna", "Smit", "a@h.nl")
    assert Traject.objects.get().contact == contact
    assert RelationChange.objects.get().contact == contact  # on the card's history


def test_a_chosen_contact_and_a_new_one_together_are_refused(client_for, am):
    relation = RelationFactory(name="Hanzebouw")
    chosen = ContactFactory(relation=relation)
    data = lead_data(relation=relation.pk, contact=chosen.pk, contact_last_name="Smit")
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 200
    assert "niet allebei" in response.text
    assert not Traject.objects.exists() and Contact.objects.count() == 1


def test_a_bad_new_contact_in_the_lead_dialog_saves_nothing(client_for, am):
    relation = RelationFactory(name="Hanzebouw")
    data = lead_data(relation=relation.pk, contact_last_name="Smit", contact_email="geen-mail")
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 200 and "geldig e-mailadres" in response.text
    assert not Traject.objects.exists() and not Contact.objects.exists()


# --- The Informatie form ----------------------------------------------------------------------


def test_the_informatie_form_has_one_picker_and_no_relation_select(client_for, am):
    traject = TrajectFactory(accountmanagers=[am])
    html = client_for(am).get(reverse("trajects:informatie", args=[traject.pk])).text
    assert 'role="combobox"' in html and f'value="{traject.relation.name}"' in html
    assert f'type="hidden" name="relation" value="{traject.relation_id}"' in html
    assert '<select name="relation"' not in html and "relatie_zoeken" not in html
    assert "Relatie zoeken" not in html


# --- No select of every relation --------------------------------------------------------------

MAX_OPTIONS = 500


def selects(html: str) -> list[tuple[str, int]]:
    """(name, number of options) of every <select> on the page."""
    found = []
    for match in re.finditer(r"<select\b([^>]*)>(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]*)"', match.group(1))
        found.append((name.group(1) if name else "?", match.group(2).count("<option")))
    return found


def test_no_page_renders_a_select_of_more_than_500_options(client_for, am, beheerder):
    Relation.objects.bulk_create(
        (
            Relation(name=f"Relatie {i:05d}", name_normalised=normalise(f"Relatie {i:05d}"))
            for i in range(20_000)
        ),
        batch_size=2_000,
    )
    relation = Relation.objects.order_by("pk").first()
    ContactFactory(relation=relation)
    traject = TrajectFactory(relation=relation, accountmanagers=[am])
    vacancy = VacancyFactory(relation=relation)
    pages = [
        reverse("trajects:list"),
        reverse("trajects:list") + f"?relation={relation.pk}",
        reverse("trajects:list") + "?relation_q=relatie",
        reverse("leads:list"),
        CREATE,
        CREATE + f"?vacancy={vacancy.pk}",
        reverse("trajects:detail", args=[traject.pk]),
        reverse("trajects:informatie", args=[traject.pk]),
        reverse("crm:relation_list"),
        reverse("crm:relation_detail", args=[relation.pk]),
        reverse("vacancies:create"),
        reverse("vacancies:update", args=[vacancy.pk]),
        reverse("quotes:list"),
        SEARCH + "?relation_query=relatie",
    ]
    for user in (am, beheerder):
        client = client_for(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            too_big = [(name, n) for name, n in selects(response.text) if n > MAX_OPTIONS]
            assert not too_big, (page, too_big)
            assert response.text.count("Relatie 1") < MAX_OPTIONS, page
    # The no-JavaScript searches show at most twenty matches too.
    data = lead_data(relation_query="relatie", _refresh="1")
    html = client_for(am).post(CREATE, data).text
    assert html.count('type="radio" name="relation"') <= 21


# --- "Nieuwe relatie" outside the lead form -----------------------------------------------------

NEW = reverse("crm:relation_create")


def test_the_informatie_and_vacancy_pickers_open_the_new_relation_page(client_for, am):
    traject = TrajectFactory(accountmanagers=[am])
    for page in (reverse("trajects:informatie", args=[traject.pk]), reverse("vacancies:create")):
        html = client_for(am).get(page).text
        assert f'data-new-page="{NEW}"' in html


def test_a_new_relation_asks_about_a_close_match_first(client_for, am):
    existing = RelationFactory(name="Hanzebouw B.V.")
    client = client_for(am)
    assert 'value="Hanzebouw"' in client.get(NEW, {"naam": "Hanzebouw", "next": "/sales/"}).text
    data = {"name": "Hanzebouw", "city": "Zwolle", "next": "/sales/1/"}
    response = client.post(NEW, data)
    assert response.status_code == 200 and "Bestaat deze relatie al?" in response.text
    assert Relation.objects.count() == 1
    used = client.post(NEW, data | {"use_relation": existing.pk})
    assert used.status_code == 302 and used.url == "/sales/1/"
    made = client.post(NEW, data | {"confirm_new_relation": "on"})
    assert made.status_code == 302 and made.url == "/sales/1/"
    relation = Relation.objects.get(name="Hanzebouw")
    assert RelationChange.objects.get(relation=relation).changed_by == am


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_new_relation_goes_back_only_to_a_local_page(client_for, am, back):
    response = client_for(am).post(NEW, {"name": "Uniek Bedrijf", "next": back})
    relation = Relation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("crm:relation_detail", args=[relation.pk])


@pytest.mark.parametrize(
    "data", [{"name": ""}, {"name": "x" * 300}, {"name": "A", "website": "nee"}, {"name": "A\x00"}]
)
def test_a_bad_new_relation_gives_a_message_and_saves_nothing(client_for, am, data):
    response = client_for(am).post(NEW, data)
    assert response.status_code == 200 and "Niet bewaard" in response.text
    assert not Relation.objects.exists()


def test_a_user_without_a_role_makes_no_relation(client_for, nobody):
    response = client_for(nobody).post(NEW, {"name": "Stiekem", "confirm_new_relation": "on"})
    assert response.status_code == 403 and not Relation.objects.exists()
