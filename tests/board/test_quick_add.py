"""Point 9: the "+" of a column opens the new-lead dialog with business and stage preset; the
lead dialog has a Stage field (only the chosen business type's stages) with Sales Select."""

import re
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from settings_app.models import Stage
from trajects.models import Traject

from ..factories import RelationFactory
from ..trajects.html import form_data
from .conftest import board_url, htmx, stage

CREATE = reverse("leads:create")


def stage_options(html: str) -> dict[str, bool]:
    """{stage name: selected} of the dialog's Stage field."""
    select = html.split('name="stage"')[1].split("</select>")[0]
    return {
        label: "selected" in attrs
        for attrs, label in re.findall(r"<option value=\"\d+\"([^>]*)>([^<]*)</option>", select)
    }


def selected_business(html: str) -> str:
    select = html.split('name="business_type"')[1].split("</select>")[0]
    return re.search(r'<option value="(\d+)"[^>]*selected', select).group(1)


@pytest.fixture
def only_nb(nb):
    own = Stage.objects.create(name="Alleen NB", order=2)
    own.business_types.add(nb)
    return own


@pytest.mark.django_db
def test_plus_on_a_column_presets_business_and_stage(client_for, am, sales_select, nb, only_nb):
    client = client_for(am)
    page = client.get(board_url(business_type=nb.pk)).text
    column = page.split(f'id="kolom-{only_nb.pk}-kop"')[1].split("</header>")[0]
    link = re.search(r'hx-get="([^"]+)"', column).group(1).replace("&amp;", "&")
    back = f"/sales/bord/%3Fbusiness_type%3D{nb.pk}"  # where the saved lead returns to
    assert link == f"{CREATE}?business_type={nb.pk}&stage={only_nb.pk}&next={back}"
    assert 'hx-target="#lead-dialog"' in column
    assert 'aria-label="Nieuwe lead in Alleen NB"' in column
    # No "+" on an outcome column: a new lead does not start won or lost.
    won = page.split(f'id="kolom-{stage("Gewonnen").pk}-kop"')[1].split("</header>")[0]
    assert "board-add" not in won

    dialog = client.get(link, headers=htmx("lead-dialog")).text
    assert selected_business(dialog) == str(nb.pk)
    options = stage_options(dialog)
    assert options["Alleen NB"] is True
    assert "Gewonnen" not in options and "Verloren" not in options


@pytest.mark.django_db
def test_stage_field_offers_only_the_business_types_stages(
    client_for, am, sales_select, eb, nb, only_nb
):
    client = client_for(am)
    dialog = client.get(f"{CREATE}?business_type={eb.pk}", headers=htmx("lead-dialog")).text
    assert list(stage_options(dialog)) == [
        "Introductie", "Behoefteanalyse", "Voorstel", "Onderhandeling",
    ]  # fmt: skip
    # A stage of another business type in the URL is ignored, not preset.
    dialog = client.get(
        f"{CREATE}?business_type={eb.pk}&stage={only_nb.pk}", headers=htmx("lead-dialog")
    ).text
    assert not any(stage_options(dialog).values())
    # Choosing another business reloads the form with that one's stages.
    relation = RelationFactory()
    data = form_data(dialog, action=CREATE)
    data.update(business_type=str(nb.pk), _refresh="business", relation=str(relation.pk))
    refreshed = client.post(CREATE, data, headers=htmx("lead-form")).text
    assert "Alleen NB" in stage_options(refreshed)
    assert selected_business(refreshed) == str(nb.pk)


@pytest.mark.django_db
def test_no_stage_field_without_sales_select(client_for, am, eb):
    dialog = client_for(am).get(f"{CREATE}?business_type={eb.pk}", headers=htmx("lead-dialog"))
    assert 'name="stage"' not in dialog.text


def _lead(relation, business, stage_pk, **extra):
    data = {
        "type_relation": "existing",
        "relation": relation.pk,
        "subject": "Glazen deuren voor de hal",
        "business_type": business.pk,
        "stage": stage_pk,
        "probability": "50",
        "lead_date": "15-03-2027",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_lead_made_from_the_plus_is_in_that_column(client_for, am, sales_select, nb, only_nb):
    client = client_for(am)
    relation = RelationFactory()
    response = client.post(CREATE, _lead(relation, nb, only_nb.pk))
    assert response.status_code == 302
    lead = Traject.objects.get(subject="Glazen deuren voor de hal")
    assert (lead.business_type, lead.stage) == (nb, only_nb)
    page = client.get(board_url(business_type=nb.pk)).text
    column = page.split(f'id="kolom-{only_nb.pk}"')[1].split("</section>")[0]
    assert f'data-traject="{lead.pk}"' in column


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["other_business", "outcome", "garbage", "huge"])
def test_a_wrong_stage_is_refused_beside_the_field(
    client_for, am, sales_select, eb, only_nb, which
):
    stage_pk = {
        "other_business": only_nb.pk,
        "outcome": stage("Gewonnen").pk,
        "garbage": "abc",
        "huge": "9" * 30,
    }[which]
    response = client_for(am).post(CREATE, _lead(RelationFactory(), eb, stage_pk))
    assert response.status_code == 200
    assert re.search(r'<p class="error" id="id_stage_error_\d+">', response.text)
    assert not Traject.objects.filter(subject="Glazen deuren voor de hal").exists()
    # What was typed stays.
    assert "Glazen deuren voor de hal" in response.text


@pytest.mark.django_db
def test_the_service_refuses_a_stage_of_another_business_type(am, sales_select, eb, only_nb):
    from django.core.exceptions import ValidationError

    from leads.services import lead_create

    with pytest.raises(ValidationError) as refused:
        lead_create(
            created_by=am, subject="X", relation=RelationFactory(), business_type=eb,
            stage=only_nb,
        )  # fmt: skip
    assert "stage" in refused.value.message_dict


def test_a_lead_made_from_the_plus_returns_to_the_same_board(
    client_for, am, sales_select, nb, only_nb
):
    client = client_for(am)
    board = board_url(business_type=nb.pk, keyword="deuren")
    page = client.get(board).text
    plus = re.search(r'class="board-add" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    back = parse_qs(urlsplit(plus).query)["next"][0]
    assert parse_qs(urlsplit(back).query) == {"business_type": [str(nb.pk)], "keyword": ["deuren"]}
    dialog = client.get(plus).text
    assert f'name="next" value="{escape(back)}"' in dialog
    response = client.post(CREATE, {**_lead(RelationFactory(), nb, only_nb.pk), "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "Glazen deuren voor de hal" in client.get(back).text  # the new card, on that board


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "trajects"])
def test_a_next_off_this_site_lands_on_the_new_lead(
    client_for, am, sales_select, nb, only_nb, elsewhere
):
    response = client_for(am).post(
        CREATE, {**_lead(RelationFactory(), nb, only_nb.pk), "next": elsewhere}
    )
    lead = Traject.objects.get(subject="Glazen deuren voor de hal")
    assert response.status_code == 302 and response["Location"] == f"/sales/{lead.pk}/"
