import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_keyuser_reaches_the_settings_screen(client_for, keyuser):
    response = client_for(keyuser).get(reverse("admin:index"))
    assert response.status_code == 200
    page = client_for(keyuser).get(reverse("admin:settings_app_clientsettings_change", args=[1]))
    assert page.status_code == 200


@pytest.mark.parametrize("who", ["am", "beheerder", "nobody"])
def test_settings_screen_does_not_exist_for_others(request, client_for, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(reverse("admin:index")).status_code == 404
    url = reverse("admin:settings_app_clientsettings_change", args=[1])
    assert client.get(url).status_code == 404
    assert client.post(url, {"default_probability": 10}).status_code == 404


def test_settings_link_only_in_a_keyusers_navigation(client_for, keyuser, am):
    assert "/instellingen/" in client_for(keyuser).get(reverse("trajects:list")).text
    assert "/instellingen/" not in client_for(am).get(reverse("trajects:list")).text


def test_anonymous_gets_the_login_page(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response["Location"]
