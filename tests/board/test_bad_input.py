"""Garbage in the board's URLs: a clear notice or a 404, never a 500."""

import pytest
from django.urls import reverse

from ..factories import TrajectFactory
from .cards import card_ids
from .conftest import board_url, htmx

HUGE = "9" * 40
GARBAGE = [
    {"business_type": "abc"},
    {"business_type": HUGE},
    {"business_type": "-1"},
    {"business_type": "²"},
    {"business_type": "999999"},
    {"source": "x"},
    {"source": HUGE},
    {"accountmanager": "nobody"},
    {"accountmanager": HUGE},
    {"month": "13"},
    {"month": "0"},
    {"year": "abc"},
    {"year": "99999"},
    {"keyword": "x" * 10_000},
    {"keyword": "\x00nul"},
    {"keyword": "%' OR 1=1 --"},
    {"stilstaand": "<script>"},
    {"month": [str(m) for m in range(1, 200)]},
]


@pytest.mark.django_db
@pytest.mark.parametrize("params", GARBAGE)
@pytest.mark.parametrize("who", ["am", "beheerder"])
def test_garbage_params_never_500(request, client_for, sales_select, eb, params, who):
    user = request.getfixturevalue(who)
    mine = TrajectFactory(accountmanagers=[request.getfixturevalue("am")], business_type=eb)
    response = client_for(user).get(board_url(**params))
    assert response.status_code == 200
    assert 'class="board-columns"' in response.text
    if "keyword" not in params and "stilstaand" not in params and "month" not in params:
        # A value that does not exist is dropped: the cards are still there.
        assert mine.pk in card_ids(response.text)


@pytest.mark.django_db
def test_wrong_values_are_reported(client_for, am, sales_select):
    page = client_for(am).get(board_url(business_type="abc", month="13", source="x")).text
    notices = page.split('class="notices"')[1].split("</ul>")[0]
    assert "Business “abc” bestaat niet" in notices
    assert "Maand “13” bestaat niet" in notices
    assert "Bron “x” bestaat niet" in notices


@pytest.mark.django_db
def test_an_accountmanager_cannot_see_someone_elses_share(client_for, am, other_am, sales_select):
    """?accountmanager= of a colleague is refused for an accountmanager (beheerder only)."""
    theirs = TrajectFactory(accountmanagers=[other_am])
    page = client_for(am).get(board_url(accountmanager=other_am.pk)).text
    assert theirs.pk not in card_ids(page)
    assert "bestaat niet of mag niet" in page


FRAGMENTS = [
    {"stage": "abc"},
    {"stage": HUGE},
    {"stage": ""},
    {"stage": "geen", "after": "garbage"},
    {"stage": "geen", "after": "2027-13-45_1"},
    {"stage": "geen", "after": f"2027-01-01_{HUGE}"},
    {"stage": "geen", "after": "2027-01-01_-3"},
    {"stage": "geen", "business_type": "abc"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("params", FRAGMENTS)
@pytest.mark.parametrize("name", ["board:more", "board:header"])
def test_garbage_fragment_params(client_for, am, sales_select, params, name):
    TrajectFactory(accountmanagers=[am])
    from urllib.parse import urlencode

    url = reverse(name) + "?" + urlencode(params)
    response = client_for(am).get(url, headers=htmx())
    # No column named at all: 400 with a message; a bad keyset starts from the top.
    if params.get("stage") in ("abc", HUGE, ""):
        assert response.status_code == 400
        assert "Kies een kolom" in response.text
    else:
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["board:more", "board:header"])
def test_a_stage_that_is_no_column_is_404(client_for, am, sales_select, name):
    from settings_app.models import Stage

    gone = Stage.objects.create(name="Weg", active=False)
    for stage_id in (gone.pk, 999_999):
        url = reverse(name) + f"?stage={stage_id}"
        assert client_for(am).get(url, headers=htmx()).status_code == 404


@pytest.mark.django_db
def test_column_header_fragment(client_for, am, sales_select, eb):
    from .conftest import stage

    TrajectFactory(accountmanagers=[am], business_type=eb, stage=stage("Voorstel"))
    url = reverse("board:header") + f"?business_type={eb.pk}&stage={stage('Voorstel').pk}"
    response = client_for(am).get(url, headers=htmx())
    assert response.status_code == 200
    head = f'<header class="board-column-head" id="kolom-{stage("Voorstel").pk}-kop"'
    assert response.text.strip().startswith(head)
    assert 'data-count="1"' in response.text
