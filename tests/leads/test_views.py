import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from crm.models import Contact, Relation
from settings_app.models import BusinessType, ClientSettings
from trajects.models import Traject
from trajects.services import traject_update

from ..factories import (
    AccountmanagerFactory,
    ContactFactory,
    RelationFactory,
    TrajectFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("leads:create")
LIST = reverse("leads:list")
HX = {"HX-Request": "true"}


@pytest.fixture
def leads(am, other_am):
    return {
        "mine": TrajectFactory(subject="Mijn lead", converted_at=None, accountmanagers=[am]),
        "theirs": TrajectFactory(
            subject="Zijn lead", converted_at=None, accountmanagers=[other_am]
        ),
        "pool": TrajectFactory(subject="Marketing pot", converted_at=None),
        "traject": TrajectFactory(subject="Al een traject", accountmanagers=[am]),
    }


def lead_data(chosen, **extra):
    data = {
        "type_relation": "existing",
        "relation": chosen.pk,
        "subject": "Nieuwe glazen deuren in gehele pand",
        "business_type": BusinessType.objects.get(code="EB").pk,
        "probability": "50",
        "value": "",
        "lead_date": "09-03-2026",
        "expected_close": "",
    }
    data.update(extra)
    return data


def errors_of(html: str, field: str) -> list[str]:
    """The error paragraphs rendered beside a field (id_<field>_error_N)."""
    return re.findall(rf'<p class="error" id="id_{field}_error_\d+">([^<]*)</p>', html)


# --- The overview ---------------------------------------------------------------------------


def test_accountmanager_sees_his_leads_never_the_pool(client_for, am, leads):
    text = client_for(am).get(LIST).text
    assert "Mijn lead" in text
    assert "Zijn lead" not in text and "Marketing pot" not in text and "Al een traject" not in text
    assert "1 lead<" in text  # the count says the same


def test_beheerder_sees_all_leads_including_the_pool(client_for, beheerder, leads):
    text = client_for(beheerder).get(LIST).text
    assert "Mijn lead" in text and "Zijn lead" in text and "Marketing pot" in text
    assert "Al een traject" not in text
    assert "3 leads<" in text


def test_user_without_sales_role_sees_no_leads(client_for, nobody, leads):
    response = client_for(nobody).get(LIST)
    assert response.status_code == 200
    assert "Mijn lead" not in response.text and "Marketing pot" not in response.text


def test_the_pool_and_others_leads_are_404_for_an_accountmanager(client_for, am, leads):
    client = client_for(am)
    for key in ("pool", "theirs"):
        assert client.get(reverse("trajects:detail", args=[leads[key].pk])).status_code == 404
    assert client.get(reverse("trajects:detail", args=[leads["mine"].pk])).status_code == 200


def test_the_columns_of_the_leads_overview(client_for, am):
    TrajectFactory(
        subject="Kolommen",
        converted_at=None,
        accountmanagers=[am],
        relation=RelationFactory(name="Kolom B.V."),
        lead_by=am,
        value=Decimal("99303"),
        lead_date=datetime.date(2026, 3, 9),
        source_id=1,
    )
    html = client_for(am).get(LIST).text
    for header in (
        "Onderwerp",
        "Relatie",
        "Lead datum",
        "Lead door",
        "Accountmanager(s)",
        "Business",
        "Bron",
        "Waarde",
    ):
        assert re.search(rf">\s*{re.escape(header)}", html), header
    assert "Conversie datum" not in html
    # dd-mm-jjjj (issue 14), whole euros; a date cell says so in its class (trajects.tables).
    assert "Kolom B.V." in html and '<td class="date">09-03-2026</td>' in html
    assert "€ 99.303" in html
    assert escape(am.get_full_name()) in html and "Website" in html and ">EB<" in html


def test_converted_leads_with_their_conversion_date(client_for, am):
    lead = TrajectFactory(subject="Opgepakt", converted_at=None, accountmanagers=[am])
    still = TrajectFactory(subject="Nog een lead", converted_at=None, accountmanagers=[am])
    client = client_for(am)
    assert "Opgepakt" in client.get(LIST).text
    traject_update(traject=lead, user=am, changes={"probability": 70})  # rule 1: converts
    lead.refresh_from_db()
    assert "Opgepakt" not in client.get(LIST).text
    assert "Opgepakt" in client.get(reverse("trajects:list")).text
    html = client.get(LIST, {"converted": "on"}).text
    assert "Conversie datum" in html
    rows = dict(
        re.findall(
            r"<tr><td[^>]*><a [^>]*>([^<>]+)</a></td>[^\n]*?"
            r'<td class="converted"[^>]*>([^<]*)</td>',
            html,
            re.S,
        )
    )
    expected = date_format(timezone.localtime(lead.converted_at).date(), "SHORT_DATE_FORMAT")
    assert rows["Opgepakt"] == expected
    assert rows[still.subject] == "–"


def test_sort_page_and_keyword(client_for, am):
    for i in range(30):
        TrajectFactory(
            subject=f"Lead {i:02d}",
            converted_at=None,
            accountmanagers=[am],
            value=Decimal(i * 100),
            relation=RelationFactory(name="Café Noël" if i == 7 else f"Firma {i}"),
        )
    client = client_for(am)
    first = client.get(LIST, {"sort": "-value"}).text
    assert first.index("Lead 29") < first.index("Lead 28")
    assert "Lead 04" not in first  # on page 2
    second = client.get(LIST, {"sort": "-value", "page": 2}).text
    assert "Lead 04" in second and "Lead 00" in second and "Lead 29" not in second
    ascending = client.get(LIST, {"sort": "value"}).text
    assert ascending.index("Lead 00") < ascending.index("Lead 01")
    assert "Pagina 1 van 2" in ascending
    # Unknown sort or page numbers never fail.
    assert client.get(LIST, {"sort": "password", "page": "abc"}).status_code == 200
    found = client.get(LIST, {"q": "CAFE noel"}).text
    assert "Lead 07" in found and "1 lead<" in found
    assert "Lead 12" in client.get(LIST, {"q": "lead 12"}).text


def test_the_htmx_results_request_gets_only_the_fragment(client_for, am, leads):
    response = client_for(am).get(LIST, {"q": "Mijn"}, headers={**HX, "HX-Target": "results"})
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text and "Mijn lead" in response.text


# --- The green + and who may create ---------------------------------------------------------


def test_the_new_lead_button_is_there_for_accountmanagers_and_beheerders(
    client_for, am, beheerder, nobody
):
    for user, shown in ((am, True), (beheerder, True), (nobody, False)):
        html = client_for(user).get(LIST).text
        assert ('aria-label="Nieuwe lead"' in html) is shown, user


def test_a_user_without_a_sales_setting_gets_403_with_a_message(client_for, nobody):
    client = client_for(nobody)
    relation = RelationFactory()
    for response in (client.get(CREATE), client.post(CREATE, lead_data(relation))):
        assert response.status_code == 403
        assert "Alleen accountmanagers en sales beheerders kunnen leads aanmaken" in response.text
    assert not Traject.objects.exists()


def test_the_form_opens_as_a_dialog_fragment_for_htmx(client_for, am):
    response = client_for(am).get(CREATE, headers={**HX, "HX-Target": "lead-dialog"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="lead-form"')
    assert "<html" not in response.text and 'method="dialog"' in response.text


def test_without_javascript_it_is_a_plain_page_with_required_marks(client_for, am):
    html = client_for(am).get(CREATE).text
    assert "<html" in html and 'action="/sales/leads/nieuw/"' in html
    for label in ("Onderwerp", "Relatie", "Type relatie", "Kans (%)", "Lead datum"):
        assert re.search(rf'{re.escape(label)}\s*<span class="req"[^>]*>\*</span>', html), label
    assert re.search(r"Waarde \(€\)</label>", html)  # optional: no star
    assert "Nieuwe glazen deuren in gehele pand OTYS" in html  # why a precise subject helps
    assert re.search(r'<button type="submit" class="primary" data-save>Bewaren</button>', html)


def test_defaults_in_the_form(client_for, am):
    settings = ClientSettings.load()
    settings.default_probability = 40
    settings.save()
    html = client_for(am).get(CREATE).text
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert 'name="probability" value="40"' in html
    assert f'name="lead_date" value="{today}"' in html
    assert f'name="expected_close" value="{today}"' in html
    eb = BusinessType.objects.get(code="EB")
    assert f'<option value="{eb.pk}" selected>' in html
    assert re.search(
        rf'<select name="lead_by"[^>]*>.*?<option value="{am.pk}" selected>', html, re.S
    )
    assert re.search(
        rf'<select name="accountmanagers"[^>]*>\s*<option value="{am.pk}" selected>', html
    )


# --- Creating ------------------------------------------------------------------------------


def test_an_accountmanager_creates_a_lead_and_lands_on_its_detail_page(client_for, am):
    relation = RelationFactory()
    response = client_for(am).post(CREATE, lead_data(relation))
    lead = Traject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("trajects:detail", args=[lead.pk])
    assert list(lead.accountmanagers.all()) == [am] and lead.is_lead
    assert lead.expected_close == lead.lead_date == datetime.date(2026, 3, 9)
    detail = client_for(am).get(response.url).text
    assert re.search(r"<h1[^>]*>Nieuwe glazen deuren in gehele pand", detail)


@pytest.mark.parametrize(
    "typed, value",
    [
        ("10.000", Decimal("10000")),
        ("€ 2.500", Decimal("2500")),
        ("2.500,50", Decimal("2500.50")),
        ("2,500.50", Decimal("2500.50")),
        ("1 000", Decimal("1000")),
        ("12,5", Decimal("12.50")),
    ],
)
def test_the_new_lead_form_reads_dutch_and_english_amounts(client_for, am, typed, value):
    response = client_for(am).post(CREATE, lead_data(RelationFactory(), value=typed))
    assert response.status_code == 302, errors_of(response.text, "value")
    assert Traject.objects.get().value == value


def test_with_htmx_success_redirects_the_browser(client_for, am):
    response = client_for(am).post(
        CREATE, lead_data(RelationFactory()), headers={**HX, "HX-Target": "lead-form"}
    )
    lead = Traject.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("trajects:detail", args=[lead.pk])


def test_a_beheerders_lead_without_accountmanager_lands_in_the_pool(client_for, beheerder, am):
    client_for(beheerder).post(CREATE, lead_data(RelationFactory()))
    lead = Traject.objects.get()
    assert lead.accountmanager_count == 0
    assert "Nieuwe glazen deuren" not in client_for(am).get(LIST).text


def test_a_beheerder_assigns_accountmanagers_in_the_form(client_for, beheerder, am, other_am):
    client_for(beheerder).post(
        CREATE, lead_data(RelationFactory(), accountmanagers=[am.pk, other_am.pk])
    )
    assert set(Traject.objects.get().accountmanagers.all()) == {am, other_am}


def test_a_new_relation_and_contact_are_created_and_found_in_the_crm(client_for, am):
    data = lead_data(
        RelationFactory(),
        type_relation="new",
        relation="",
        new_relation_name="Glashandel Noël",
        new_relation_city="Delft",
        contact_first_name="Els",
        contact_last_name="Vos",
        contact_email="els@noel.nl",
        business_type=BusinessType.objects.get(code="NB").pk,
    )
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 302
    lead = Traject.objects.get()
    assert lead.relation.name == "Glashandel Noël" and lead.contact.last_name == "Vos"
    assert lead.business_type.code == "NB"
    crm = client_for(am).get(reverse("crm:relation_list"), {"q": "glashandel noel"}).text
    assert "Glashandel Noël" in crm and "Els Vos" in crm


def test_a_new_relation_requires_its_name_and_contact(client_for, am):
    response = client_for(am).post(
        CREATE, lead_data(RelationFactory(), type_relation="new", relation="")
    )
    assert response.status_code == 200
    assert errors_of(response.text, "contact_last_name")
    assert "Dit veld is verplicht" in response.text
    assert not Traject.objects.exists()


def test_a_close_match_asks_bestaat_deze_relatie_al(client_for, am):
    existing = RelationFactory(name="OTYS", city="Utrecht")
    data = lead_data(
        existing,
        type_relation="new",
        relation="",
        new_relation_name="Otys B.V.",
        contact_last_name="Jansen",
    )
    client = client_for(am)
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "Bestaat deze relatie al?" in response.text
    assert f'name="use_relation" value="{existing.pk}"' in response.text
    assert 'value="Otys B.V."' in response.text  # what was typed is kept
    assert not Traject.objects.exists() and Relation.objects.count() == 1
    # "Use this relation" turns the form to the existing relation, nothing saved yet.
    chosen = client.post(CREATE, {**data, "use_relation": existing.pk}).text
    assert re.search(rf'name="relation" value="{existing.pk}" checked', chosen)
    assert not Traject.objects.exists()
    # Confirming that it is new creates it after all.
    assert client.post(CREATE, {**data, "confirm_new_relation": "on"}).status_code == 302
    assert Relation.objects.filter(name="Otys B.V.").exists()


def test_the_live_check_while_typing_a_new_name(client_for, am, nobody):
    RelationFactory(name="Janssen Bouw B.V.")
    url = reverse("leads:relation_similar")
    html = client_for(am).get(url, {"new_relation_name": "jansen bouw"}).text
    assert "Bestaat deze relatie al?" in html and "Janssen Bouw B.V." in html
    assert "Bestaat" not in client_for(am).get(url, {"new_relation_name": "Bakkerij"}).text
    assert client_for(nobody).get(url, {"new_relation_name": "jansen"}).status_code == 403


def test_switching_type_relatie_keeps_what_was_typed_and_follows_business(client_for, am):
    eb = BusinessType.objects.get(code="EB")
    nb = BusinessType.objects.get(code="NB")
    response = client_for(am).post(
        CREATE,
        {"type_relation": "new", "business_type": eb.pk, "subject": "Getypt", "_refresh": "1"},
        headers={**HX, "HX-Target": "lead-form"},
    )
    html = response.text
    assert 'name="new_relation_name"' in html and 'value="Getypt"' in html
    assert f'<option value="{nb.pk}" selected>' in html
    assert 'class="error"' not in html  # a refresh judges nothing yet


def test_the_contacts_offered_are_those_of_the_chosen_relation(client_for, am):
    relation = RelationFactory()
    mine = ContactFactory(relation=relation, last_name="Hier")
    ContactFactory(last_name="Elders")
    html = (
        client_for(am)
        .post(CREATE, {"type_relation": "existing", "relation": relation.pk, "_refresh": "1"})
        .text
    )
    assert f'<option value="{mine.pk}">Jan Hier</option>' in html and "Elders" not in html


# --- Bad input: the message beside the field, what was typed kept, nothing saved ------------


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("subject", "", "Dit veld is verplicht."),
        ("subject", "   ", "Dit veld is verplicht."),
        ("subject", "x" * 10_000, "niet meer dan 255 tekens"),
        ("value", "abc", "Voer een getal in."),
        ("value", "-1", "minstens 0"),
        ("value", "1e30", "Voer een getal in."),
        ("value", "tien euro", "Voer een getal in."),
        ("value", "1.000.000.000.000.000", "niet meer dan 14 cijfers"),
        ("probability", "101", "hoogstens 100"),
        ("probability", "abc", "Voer een geheel getal in."),
        ("expected_close", "31-02-2026", "Voer een geldige datum in."),
        ("lead_date", "", "Dit veld is verplicht."),
    ],
)
def test_bad_values_come_back_beside_the_field(client_for, am, field, typed, message):
    response = client_for(am).post(CREATE, lead_data(RelationFactory(), **{field: typed}))
    assert response.status_code == 200
    errors = errors_of(response.text, field)
    assert errors and message in errors[0], errors
    if typed.strip():
        assert f'name="{field}" value="{typed}"' in response.text or typed in response.text
    assert 'value="Nieuwe glazen deuren in gehele pand"' in response.text or field == "subject"
    assert not Traject.objects.exists()


def test_a_relation_that_does_not_exist(client_for, am):
    data = lead_data(RelationFactory())
    data["relation"] = 987_654
    response = client_for(am).post(CREATE, data)
    assert response.status_code == 200
    assert "Deze relatie bestaat niet (meer)" in response.text
    assert 'value="Nieuwe glazen deuren in gehele pand"' in response.text
    assert not Traject.objects.exists()


def test_relation_id_that_is_not_a_number(client_for, am):
    response = client_for(am).post(CREATE, lead_data(RelationFactory(), relation="abc"))
    assert response.status_code == 200 and not Traject.objects.exists()


def test_an_accountmanager_forging_another_accountmanager(client_for, am, other_am):
    response = client_for(am).post(
        CREATE, lead_data(RelationFactory(), accountmanagers=[other_am.pk])
    )
    assert response.status_code == 200
    assert errors_of(response.text, "accountmanagers")
    assert not Traject.objects.exists()


@pytest.mark.parametrize("field", ["accountmanagers", "lead_by"])
@pytest.mark.parametrize("role", ["am", "beheerder"])
def test_an_inactive_user_forged_into_the_post(client_for, request, role, field):
    gone = AccountmanagerFactory(is_active=False)
    client = client_for(request.getfixturevalue(role))
    response = client.post(CREATE, lead_data(RelationFactory(), **{field: gone.pk}))
    assert response.status_code == 200
    assert errors_of(response.text, field)
    assert not Traject.objects.exists()


def test_a_contact_of_another_relation_forged_into_the_post(client_for, am):
    response = client_for(am).post(
        CREATE, lead_data(RelationFactory(), contact=ContactFactory().pk)
    )
    assert response.status_code == 200 and errors_of(response.text, "contact")
    assert not Traject.objects.exists()


# --- Relation autocomplete ------------------------------------------------------------------


def test_relation_autocomplete_gives_at_most_20_case_and_accent_insensitive(client_for, am):
    for i in range(25):
        RelationFactory(name=f"Bouwbedrijf Noël {i}")
    RelationFactory(name="Iets anders")
    url = reverse("crm:relation_search")
    html = client_for(am).get(url, {"relation_query": "BOUWBEDRIJF NOEL"}).text
    assert html.count("data-value=") == 20
    assert "Iets anders" not in html
    one = client_for(am).get(url, {"relation_query": "noël 7"}).text
    assert one.count("data-value=") == 1 and "Bouwbedrijf Noël 7" in one
    none = client_for(am).get(url, {"relation_query": "xyz"}).text
    assert "Geen relatie gevonden" in none


def test_the_chosen_relation_stays_while_searching_without_script(client_for, am):
    chosen = RelationFactory(name="Gekozen B.V.")
    data = {"_refresh": "1", "relation_query": "anders", "relation": chosen.pk}
    html = client_for(am).post(reverse("leads:create"), data).text
    assert re.search(rf'name="relation" value="{chosen.pk}"', html)
    assert "Gekozen: Gekozen B.V." in html


# --- From a vacancy --------------------------------------------------------------------------


def test_vacancy_detail_has_meer_sales_tracker(client_for, am, nobody):
    vacancy = VacancyFactory()
    html = client_for(am).get(reverse("vacancies:detail", args=[vacancy.pk])).text
    assert "<summary>Meer</summary>" in html
    assert f'href="{CREATE}?vacancy={vacancy.pk}"' in html and ">Sales Tracker<" in html
    html = client_for(nobody).get(reverse("vacancies:detail", args=[vacancy.pk])).text
    assert "Sales Tracker" not in html


def test_sales_tracker_opens_the_form_with_the_relation_and_links_the_vacancy(client_for, am):
    vacancy = VacancyFactory(title="Monteur glazen deuren")
    client = client_for(am)
    html = client.get(CREATE, {"vacancy": vacancy.pk}).text
    assert vacancy.relation.name in html and 'value="Monteur glazen deuren"' in html
    assert f'name="vacancy" value="{vacancy.pk}"' in html
    data = lead_data(vacancy.relation, vacancy=vacancy.pk, subject="Monteurs voor OTYS")
    response = client.post(CREATE, data)
    lead = Traject.objects.get()
    assert response.url == reverse("trajects:detail", args=[lead.pk])
    assert lead.vacancy == vacancy and lead.relation == vacancy.relation
    assert "Monteurs voor OTYS" in client.get(reverse("vacancies:detail", args=[vacancy.pk])).text


def test_a_vacancy_without_relation_gives_a_message_naming_the_fix(client_for, am):
    vacancy = VacancyFactory(relation=None)
    client = client_for(am)
    for headers in ({}, {**HX, "HX-Target": "lead-dialog"}):
        response = client.get(CREATE, {"vacancy": vacancy.pk}, headers=headers)
        assert response.status_code == 200
        assert "Deze vacature heeft geen relatie" in response.text
        assert "Koppel eerst een relatie aan de vacature" in response.text
        assert reverse("vacancies:update", args=[vacancy.pk]) in response.text
    forged = client.post(CREATE, lead_data(RelationFactory(), vacancy=vacancy.pk))
    assert forged.status_code == 200 and "Deze vacature heeft geen relatie" in forged.text
    assert not Traject.objects.exists()


def test_a_vacancy_that_does_not_exist_is_404(client_for, am):
    assert client_for(am).get(CREATE, {"vacancy": 999_999}).status_code == 404
    assert client_for(am).get(CREATE, {"vacancy": "abc"}).status_code == 404


def test_a_vacancy_lead_keeps_the_vacancys_relation(client_for, am):
    vacancy = VacancyFactory()
    response = client_for(am).post(CREATE, lead_data(RelationFactory(), vacancy=vacancy.pk))
    assert response.status_code == 200
    assert "hoort bij de relatie van de vacature" in response.text
    assert not Traject.objects.exists()


def test_the_vacancy_module_lists_creates_and_shows(client_for, am):
    relation = RelationFactory(name="Deurenfabriek")
    client = client_for(am)
    response = client.post(
        reverse("vacancies:create"),
        {"title": "Monteur", "relation": relation.pk, "description": "Fulltime"},
    )
    vacancy = relation.vacancies.get()
    assert response.url == reverse("vacancies:detail", args=[vacancy.pk])
    assert "Monteur" in client.get(reverse("vacancies:list")).text
    assert "Deurenfabriek" in client.get(response.url).text
    bad = client.post(reverse("vacancies:create"), {"title": "", "relation": 999_999})
    assert bad.status_code == 200 and "Dit veld is verplicht" in bad.text
    # The fix the message names: link a relation to a vacancy that has none.
    bare = VacancyFactory(relation=None)
    client.post(
        reverse("vacancies:update", args=[bare.pk]), {"title": bare.title, "relation": relation.pk}
    )
    bare.refresh_from_db()
    assert bare.relation == relation


# --- Distribution ---------------------------------------------------------------------------


def test_a_beheerder_distributes_pool_leads(client_for, beheerder, am, other_am):
    pool = [TrajectFactory(subject=f"Pot {i}", converted_at=None) for i in range(3)]
    client = client_for(beheerder)
    html = client.get(LIST).text
    assert f'name="leads" value="{pool[0].pk}" form="distribute"' in html
    response = client.post(
        reverse("leads:distribute"),
        {
            "leads": [pool[0].pk, pool[1].pk],
            "accountmanagers": [am.pk, other_am.pk],
            "next": LIST + "?pool=on",
        },
    )
    assert response.status_code == 302 and response.url == LIST + "?pool=on"
    for lead in pool[:2]:
        assert set(lead.accountmanagers.all()) == {am, other_am}
    after = client.get(response.url).text
    assert "2 leads toegewezen aan" in after
    assert "Pot 2" in after and "Pot 0" not in after  # the pool filter
    for user in (am, other_am):
        mine = client_for(user).get(LIST).text
        assert "Pot 0" in mine and "Pot 1" in mine and "Pot 2" not in mine


def test_an_accountmanager_posting_to_distribution_gets_403(client_for, am, nobody):
    lead = TrajectFactory(converted_at=None)
    for user in (am, nobody):
        response = client_for(user).post(
            reverse("leads:distribute"), {"leads": [lead.pk], "accountmanagers": [am.pk]}
        )
        assert response.status_code == 403
        assert "Alleen een sales beheerder kan leads verdelen" in response.text
    assert lead.accountmanagers.count() == 0


def test_accountmanagers_see_no_distribution_controls(client_for, am, leads):
    html = client_for(am).get(LIST).text
    assert 'form="distribute"' not in html and "Leads importeren" not in html


def test_distribution_without_choice_or_with_garbage_says_why(client_for, beheerder, am):
    lead = TrajectFactory(converted_at=None)
    client = client_for(beheerder)
    for data in (
        {"leads": [lead.pk]},
        {"accountmanagers": [am.pk]},
        {"leads": ["abc"], "accountmanagers": [am.pk]},
        {"leads": [lead.pk], "accountmanagers": ["999999"]},
        {"leads": [TrajectFactory().pk], "accountmanagers": [am.pk]},
    ):
        response = client.post(reverse("leads:distribute"), data, follow=True)
        assert response.status_code == 200
        assert 'class="error"' in response.text
    assert lead.accountmanagers.count() == 0


def test_distribution_never_redirects_off_site(client_for, beheerder, am):
    lead = TrajectFactory(converted_at=None)
    response = client_for(beheerder).post(
        reverse("leads:distribute"),
        {"leads": [lead.pk], "accountmanagers": [am.pk], "next": "https://evil.example/"},
    )
    assert response.url == LIST


def test_a_lead_by_contact_name_is_found_by_keyword(client_for, am):
    contact = ContactFactory(last_name="Zonnebloem")
    TrajectFactory(
        subject="Via contact",
        converted_at=None,
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
    )
    assert "Via contact" in client_for(am).get(LIST, {"q": "zonnebloem"}).text


def test_contacts_are_not_created_for_an_existing_relation(client_for, am):
    client_for(am).post(CREATE, lead_data(RelationFactory()))
    assert not Contact.objects.exists()


def test_leads_without_a_value_sort_last_both_ways(client_for, am):
    TrajectFactory(subject="Onbekend bedrag", converted_at=None, accountmanagers=[am], value=None)
    TrajectFactory(subject="Klein bedrag", converted_at=None, accountmanagers=[am], value=1)
    TrajectFactory(subject="Groot bedrag", converted_at=None, accountmanagers=[am], value=9)
    client = client_for(am)
    for sort, first in (("value", "Klein bedrag"), ("-value", "Groot bedrag")):
        html = client.get(LIST, {"sort": sort}).text
        assert html.index(first) < html.index("Onbekend bedrag"), sort


def test_the_green_plus_is_in_the_trajects_toolbar_too(client_for, am, nobody):
    """Manual 3.4.1 step 2: the + sits in the toolbar of both overviews."""
    assert 'class="new-lead"' in client_for(am).get(reverse("trajects:list")).text
    assert 'class="new-lead"' not in client_for(nobody).get(reverse("trajects:list")).text
