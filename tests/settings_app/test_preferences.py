"""'Mijn instellingen' (issue 14): every user keeps his own table density and shortcuts."""

import re

import pytest
from django.urls import reverse

from settings_app.models import UserPreferences

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("settings_app:preferences")
DENSITY = reverse("settings_app:density")
OVERVIEW = reverse("trajects:list")


def density_of(response) -> str:
    return "compact" if 'class="density-compact"' in response.text else "comfortable"


def test_anonymous_is_sent_to_login(client):
    for url in (PAGE, DENSITY):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["am", "beheerder", "keyuser", "plain"])
def test_every_logged_in_user_has_the_page_and_the_link_in_the_top_bar(request, client_for, who):
    user = UserFactory() if who == "plain" else request.getfixturevalue(who)
    client = client_for(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'id="preferences-form"' in response.text
    assert f'href="{PAGE}" aria-current="page"' in response.text
    if who != "plain":  # a user without a sales role has no overview to look at
        assert f'href="{PAGE}"' in client.get(OVERVIEW).text


def test_defaults_without_a_row_then_saving_creates_it(client_for, am):
    client = client_for(am)
    assert not UserPreferences.objects.filter(user=am).exists()
    response = client.get(PAGE)
    radio = r'<input type="radio" name="density" value="comfortable"[^>]*checked'
    assert re.search(radio, response.text)
    assert re.search(r'<input type="checkbox" name="shortcuts"[^>]*checked', response.text)
    assert density_of(client.get(OVERVIEW)) == "comfortable"
    response = client.post(PAGE, {"density": "compact"})  # shortcuts unticked: off
    assert response.status_code == 302 and response["Location"] == PAGE
    prefs = UserPreferences.objects.get(user=am)
    assert (prefs.density, prefs.shortcuts) == ("compact", False)
    assert density_of(client.get(OVERVIEW)) == "compact"


def test_preferences_are_per_user(client_for, am, other_am):
    client_for(am).post(PAGE, {"density": "compact", "shortcuts": "on"})
    assert density_of(client_for(am).get(OVERVIEW)) == "compact"
    assert density_of(client_for(other_am).get(OVERVIEW)) == "comfortable"
    assert not UserPreferences.objects.filter(user=other_am).exists()


@pytest.mark.parametrize(
    "data",
    [{"density": "huge"}, {"density": "x" * 10_000}, {}, {"density": ["compact", "\x00"]}],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client_for, am, data):
    UserPreferences.objects.create(user=am, density="compact", shortcuts=True)
    response = client_for(am).post(PAGE, data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.text
    prefs = UserPreferences.objects.get(user=am)
    assert (prefs.density, prefs.shortcuts) == ("compact", True)


def test_a_forged_user_field_changes_only_my_own_preferences(client_for, am, other_am):
    client_for(am).post(PAGE, {"density": "compact", "user": other_am.pk})
    assert UserPreferences.objects.get(user=am).density == "compact"
    assert not UserPreferences.objects.filter(user=other_am).exists()


class TestShortcuts:
    def test_on_by_default_the_script_and_its_dialog_are_in_the_page(self, client_for, am):
        text = client_for(am).get(OVERVIEW).text
        assert "js/shortcuts.js" in text and 'data-shortcuts="on"' in text
        assert 'id="shortcuts-dialog"' in text

    def test_switched_off_nothing_of_them_is_loaded(self, client_for, am):
        client = client_for(am)
        client.post(PAGE, {"density": "comfortable"})
        text = client.get(OVERVIEW).text
        assert "js/shortcuts.js" not in text and "data-shortcuts" not in text
        assert 'id="shortcuts-dialog"' not in text

    def test_not_for_someone_logged_out(self, client):
        assert "js/shortcuts.js" not in client.get(reverse("login")).text


class TestDensitySwitch:
    def test_the_switch_stores_it_and_goes_back_to_the_same_selection(self, client_for, am):
        client = client_for(am)
        back = f"{OVERVIEW}?month=11&year=2026"
        response = client.post(DENSITY, {"density": "compact", "next": back})
        assert response.status_code == 302 and response["Location"] == back
        page = client.get(back)
        assert density_of(page) == "compact"
        assert 'id="density-compact" aria-pressed="true"' in page.text
        client.post(DENSITY, {"density": "comfortable", "next": back})
        assert UserPreferences.objects.get(user=am).density == "comfortable"

    def test_the_overview_offers_the_switch_with_the_way_back(self, client_for, am):
        text = client_for(am).get(OVERVIEW, {"month": "3", "year": "2026"}).text
        assert f'action="{DENSITY}"' in text
        assert 'name="next" value="/sales/?month=3&amp;year=2026" form="density-form"' in text

    @pytest.mark.parametrize("density", ["", "huge", "x" * 5000])
    def test_bad_density_says_so_and_changes_nothing(self, client_for, am, density):
        client = client_for(am)
        response = client.post(DENSITY, {"density": density, "next": OVERVIEW}, follow=True)
        assert response.status_code == 200
        assert "Kies compact of ruim." in response.text
        assert not UserPreferences.objects.filter(user=am).exists()

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
    def test_it_never_sends_the_user_to_another_site(self, client_for, am, next_url):
        response = client_for(am).post(DENSITY, {"density": "compact", "next": next_url})
        assert response.status_code == 302 and response["Location"] == "/"

    def test_only_post(self, client_for, am):
        assert client_for(am).get(DENSITY).status_code == 405


def test_the_preferences_cost_no_query_of_their_own(client_for, am, django_assert_num_queries):
    """Read with the roles in one query: a page costs the same with or without a row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(am)
    client.get(OVERVIEW)  # warm the session
    with CaptureQueriesContext(connection) as without:
        client.get(OVERVIEW)
    UserPreferences.objects.create(user=am, density="compact")
    with CaptureQueriesContext(connection) as with_row:
        assert density_of(client.get(OVERVIEW)) == "compact"
    assert len(with_row.captured_queries) == len(without.captured_queries)
