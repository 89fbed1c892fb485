"""Instellingen in the product's look (issue 14): its frame, Dutch throughout, Naam first,
deletion dialogs that name an entry by its name."""

import html
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from settings_app.models import (
    BusinessType,
    PaymentTerm,
    Source,
    Stage,
    TrajectType,
    UserSettings,
    WinLossReason,
)

pytestmark = pytest.mark.django_db

LIST_MODELS = [TrajectType, BusinessType, Stage, Source, WinLossReason, PaymentTerm]


def visible_text(response) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags; buttons' words kept."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    page = re.sub(r'<input type="submit" value="([^"]*)"[^>]*>', r" \1 ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def settings_pages():
    """Every kind of page of the screen: index, lists, add and change forms, the lockout list,
    the client settings, the statistics, and a delete confirmation."""
    unused = BusinessType.objects.create(name="Uitzendwerk", code="UW")
    pages = [
        reverse("admin:index"),
        reverse("admin:settings_app_clientsettings_change", args=[1]),
        reverse("admin:settings_app_usersettings_changelist"),
        reverse("admin:settings_app_usersettings_change", args=[UserSettings.objects.first().pk]),
        reverse("admin:trajects_statisticsset_changelist"),
        reverse("admin:settings_app_businesstype_delete", args=[unused.pk]),
        reverse("admin:app_list", args=["settings_app"]),
    ]
    for model in LIST_MODELS:
        name = model._meta.model_name
        pages.append(reverse(f"admin:settings_app_{name}_changelist"))
        pages.append(reverse(f"admin:settings_app_{name}_add"))
        pages.append(reverse(f"admin:settings_app_{name}_change", args=[model.objects.first().pk]))
    return pages


# Words of the raw Django admin that must not reach a Dutch key-user.
ENGLISH = re.compile(
    r"\b(Django|Home|Welcome|View site|Log out|Save|Delete|Add|Change|History|Filter by|"
    r"Model name|Add link|Choose|Remove|Yes, I’m sure|Toggle theme|user)\b"
)


class TestFrame:
    def test_every_page_has_the_products_top_bar_and_colours(self, client_for, keyuser):
        client = client_for(keyuser)
        for url in settings_pages():
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert '<header class="topbar">' in page, url
            for link in ("trajects:list", "leads:list", "quotes:list", "crm:relation_list"):
                assert f'href="{reverse(link)}"' in page, (url, link)
            assert f'href="{reverse("admin:index")}" aria-current="page"' in page, url
            assert "css/app.css" in page and "css/settings.css" in page, url
            # not the admin's own header, sidebar or dark theme
            assert 'id="header"' not in page and 'id="nav-sidebar"' not in page, url
            assert "dark_mode.css" not in page, url

    def test_every_page_speaks_dutch(self, client_for, keyuser):
        client = client_for(keyuser)
        for url in settings_pages():
            found = ENGLISH.findall(visible_text(client.get(url)))
            assert found == [], (url, found)

    def test_in_english_the_same_frame_in_english(self, client_for, keyuser, client):
        client_for(keyuser)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = visible_text(client.get(reverse("admin:settings_app_stage_add")))
        assert "Save and add another" in page and "Trajects" in page
        assert '<header class="topbar">' in client.get(reverse("admin:index")).content.decode()

    def test_the_javascript_widgets_speak_the_pages_language(self, client_for, keyuser, client):
        client_for(keyuser)

        script = client.get(reverse("admin:jsi18n")).content.decode()
        dutch = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S)[1])
        # the two-box chooser of a stage's business types, and the rest of the widgets
        assert dutch["Choose selected %s"] == "Geselecteerde %s kiezen"
        assert dutch["Remove all %s"] == "Alle %s verwijderen"
        assert dutch["Choose all"] == "Alle kiezen"
        assert dutch["Available %s"] and dutch["Today"] == "Vandaag"
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("admin:jsi18n")).content.decode()
        assert "Geselecteerde" not in english  # English: Django's own words

    @pytest.mark.parametrize("who", ["am", "beheerder", "nobody"])
    def test_others_still_find_no_settings_screen(self, request, client_for, who):
        client = client_for(request.getfixturevalue(who))
        for url in (
            reverse("admin:index"),
            reverse("admin:jsi18n"),
            reverse("admin:settings_app_stage_add"),
        ):
            assert client.get(url).status_code == 404

    def test_anonymous_still_gets_the_login_page(self, client):
        response = client.get(reverse("admin:settings_app_stage_add"))
        assert response.status_code == 302 and "login" in response["Location"]


class TestForms:
    @pytest.mark.parametrize("model", LIST_MODELS)
    def test_the_name_comes_first_order_and_active_last(self, client_for, keyuser, model):
        client = client_for(keyuser)
        name = model._meta.model_name
        for url in (
            reverse(f"admin:settings_app_{name}_add"),
            reverse(f"admin:settings_app_{name}_change", args=[model.objects.first().pk]),
        ):
            page = client.get(url).content.decode()
            inputs = re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', page)
            fields = [
                f
                for f in inputs
                if f not in ("csrfmiddlewaretoken", "next", "language") and not f.startswith("_")
            ]
            first = "reason" if model is WinLossReason else "name"
            assert fields[0] == first, (url, fields)
            assert fields.index("order") > fields.index(first)
            assert fields.index("active") > fields.index("order")

    def test_the_user_field_is_called_gebruiker(self, client_for, keyuser):
        page = visible_text(client_for(keyuser).get(reverse("admin:settings_app_usersettings_add")))
        assert "Gebruiker:" in page


class TestDeleteDialog:
    def test_a_business_type_is_named_by_its_name_not_its_code(self, client_for, keyuser):
        entry = BusinessType.objects.create(name="Uitzendwerk", code="UW")
        url = reverse("admin:settings_app_businesstype_delete", args=[entry.pk])
        page = visible_text(client_for(keyuser).get(url))
        assert "Weet u zeker dat u business type “Uitzendwerk” wilt verwijderen?" in page
        assert "“UW”" not in page and "'UW'" not in page

    def test_confirming_deletes_it_and_says_so_by_name(self, client_for, keyuser):
        entry = BusinessType.objects.create(name="Uitzendwerk", code="UW")
        url = reverse("admin:settings_app_businesstype_delete", args=[entry.pk])
        response = client_for(keyuser).post(url, {"post": "yes"}, follow=True)
        assert not BusinessType.objects.filter(pk=entry.pk).exists()
        page = visible_text(response)
        assert "Uitzendwerk" in page and "“UW”" not in page

    def test_an_entry_in_use_is_still_refused(self, client_for, keyuser):
        in_use = BusinessType.objects.get(code="NB")
        url = reverse("admin:settings_app_businesstype_delete", args=[in_use.pk])
        response = client_for(keyuser).post(url, {"post": "yes"})
        assert response.status_code == 302
        assert BusinessType.objects.filter(pk=in_use.pk).exists()
