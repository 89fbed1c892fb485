"""The Instellingen screen: who reaches it, what it validates, and lists entries in use."""

import html
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from settings_app.models import (
    BusinessType,
    ClientSettings,
    PaymentTerm,
    Source,
    Stage,
    TrajectType,
    UserSettings,
)
from settings_app.roles import roles_of
from trajects.models import PriceRangeStatistic, StatisticsRegeneration, StatisticsSet
from trajects.services import statistics_regenerate

from ..factories import TrajectFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def text(response) -> str:
    return html.unescape(response.content.decode())


def admin_patterns():
    """Every named URL of the settings screen, walked from the URLconf (new pages included)."""
    root = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "admin"
    )

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern

    return list(walk(root.url_patterns))


def url_for(pattern) -> str:
    """The pattern's URL with real objects filled in, so a 404 is the screen's doing."""
    kwargs = {}
    for name in pattern.pattern.regex.groupindex:
        if name == "app_label":
            kwargs[name] = "settings_app"
        elif name == "content_type_id":
            kwargs[name] = apps.get_model("contenttypes", "ContentType").objects.first().pk
        else:  # object_id / id: an existing row of the pattern's model
            model = next(
                (
                    m
                    for m in admin.site._registry
                    if pattern.name.startswith(f"{m._meta.app_label}_{m._meta.model_name}_")
                ),
                ClientSettings,
            )
            kwargs[name] = model.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    return reverse(f"admin:{pattern.name}", kwargs=kwargs)


def settings_snapshot() -> str:
    """Every row of the settings and statistics tables, to prove a refused POST changed nothing."""
    models = [*apps.get_app_config("settings_app").get_models(), StatisticsSet, PriceRangeStatistic]
    return serializers.serialize("json", [o for m in models for o in m.objects.order_by("pk")])


@pytest.fixture
def world(am, other_am):
    TrajectFactory(accountmanagers=[am], type=TrajectType.objects.get(name="Order"))
    statistics_regenerate()
    return am


class TestOnlyKeyusers:
    def test_the_walk_finds_every_kind_of_page(self):
        names = {p.name for p in admin_patterns()}
        assert {
            "index",
            "settings_app_clientsettings_change",
            "settings_app_clientsettings_preview",
            "settings_app_trajecttype_delete",
            "settings_app_usersettings_changelist",
            "trajects_statisticsset_changelist",
            "trajects_statisticsset_regenerate",
            "trajects_statisticsset_progress",
            "login",
            "logout",
        } <= names
        assert len(names) > 60

    @pytest.mark.parametrize("who", ["am", "beheerder", "nobody"])
    def test_no_settings_page_exists_for_others_get_or_post(self, request, client_for, world, who):
        client = client_for(request.getfixturevalue(who))
        before = settings_snapshot()
        regenerations = StatisticsRegeneration.objects.count()
        answers = {}
        for pattern in admin_patterns():
            url = url_for(pattern)
            answers[(url, "GET")] = client.get(url).status_code
            answers[(url, "POST")] = client.post(
                url,
                {"price_range_thresholds": "1,2", "default_probability": 1, "_save": "1"},
            ).status_code
        assert {key: code for key, code in answers.items() if code != 404} == {}
        assert settings_snapshot() == before
        assert StatisticsRegeneration.objects.count() == regenerations

    def test_anonymous_gets_the_login_page_everywhere(self, client, world):
        for pattern in admin_patterns():
            if pattern.name == "login":
                continue
            url = url_for(pattern)
            for response in (client.get(url), client.post(url, {})):
                assert response.status_code == 302, url
                assert "login" in response["Location"], url

    def test_keyuser_opens_every_page_of_his_lists(self, client_for, keyuser, world):
        client = client_for(keyuser)
        for pattern in admin_patterns():
            if not pattern.name.startswith(("settings_app_", "trajects_")) or pattern.name.endswith(
                ("_regenerate", "_delete", "_history", "_add", "_logo")  # _logo: 404 without one
            ):
                continue
            response = client.get(url_for(pattern))
            assert response.status_code in (200, 302), (pattern.name, response.status_code)

    def test_index_groups_the_settings_as_the_manuals_do(self, client_for, keyuser):
        page = text(client_for(keyuser).get(reverse("admin:index")))
        for heading in [
            "Klantinstellingen",
            "Salestrajecten types (GE78)",
            "Betaalcondities (GE65)",
            "Verkoop Selecteer – Instellingenlijsten (GE366)",
            "Gebruikersinstellingen",
            "Statistieken kansberekening",
        ]:
            assert heading in page
        assert page.index("Klantinstellingen") < page.index("GE366") < page.index("Gebruikersin")


def client_settings_data(**changes):
    data = {
        "price_range_thresholds": "500,1000,5000",
        "default_probability": "50",
        "sales_select_enabled": "",
        "remaining_days_orange": "14",
        "remaining_days_red": "3",
        "agency_name": "Bureau",
        "agency_address": "",
        "_save": "Bewaren",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


CHANGE = "admin:settings_app_clientsettings_change"


class TestClientSettings:
    def test_fields_carry_the_manuals_names_and_codes(self, client_for, keyuser):
        page = text(client_for(keyuser).get(reverse(CHANGE, args=[1])))
        for label in [
            "Sales Manager – Prijs ranges (SE1894)",
            "Verkoop selecteren module inschakelen (SE3573)",
            "Indicator resterende dagen (GE366)",
            "Dagen voordat de indicator oranje wordt",
            "Standaard kans voor nieuwe leads",
            "Offertes: gegevens van het bureau",
        ]:
            assert label in page
        # the preview of the stored thresholds is there without JavaScript
        assert "0 – 500 · 500 – 1.000 · 1.000 – 5.000 · 5.000 en meer" in _plain(page)

    def test_list_page_opens_the_one_row(self, client_for, keyuser):
        response = client_for(keyuser).get(reverse("admin:settings_app_clientsettings_changelist"))
        assert response.status_code == 302
        assert response["Location"] == reverse(CHANGE, args=[1])

    @pytest.mark.parametrize(
        "typed, reason",
        [
            ("1000,500", "500 is kleiner dan 1000 ervoor: zet de drempels van laag naar hoog."),
            ("500,,1000", "Drempel 2 is leeg"),
            ("abc", "abc is geen heel getal"),
            ("-5", "-5 is negatief: drempels moeten groter dan 0 zijn."),
            ("500,500", "500 staat er twee keer in"),
            ("0,500", "0 is geen positief getal"),
            ("1.000", "1.000 is geen heel getal"),
            ("", "Dit veld is verplicht."),
        ],
    )
    def test_bad_thresholds_are_refused_with_the_reason(self, client_for, keyuser, typed, reason):
        response = client_for(keyuser).post(
            reverse(CHANGE, args=[1]), client_settings_data(price_range_thresholds=typed)
        )
        assert response.status_code == 200
        page = text(response)
        assert reason in page
        if typed:
            assert f'value="{typed}"' in page  # what was typed is kept
        assert ClientSettings.load().price_range_thresholds == "500,1000,5000"

    def test_thresholds_are_stored_in_one_form(self, client_for, keyuser):
        response = client_for(keyuser).post(
            reverse(CHANGE, args=[1]), client_settings_data(price_range_thresholds=" 250, 750 ")
        )
        assert response.status_code == 302
        assert ClientSettings.load().price_range_thresholds == "250,750"

    @pytest.mark.parametrize("orange, red", [("3", "3"), ("2", "5")])
    def test_orange_must_exceed_red(self, client_for, keyuser, orange, red):
        response = client_for(keyuser).post(
            reverse(CHANGE, args=[1]),
            client_settings_data(remaining_days_orange=orange, remaining_days_red=red),
        )
        assert response.status_code == 200
        assert "Oranje moet eerder komen dan rood" in text(response)
        assert ClientSettings.load().remaining_days_orange == 14

    def test_default_probability_above_100_is_refused(self, client_for, keyuser):
        response = client_for(keyuser).post(
            reverse(CHANGE, args=[1]), client_settings_data(default_probability="101")
        )
        assert response.status_code == 200
        assert "Zorg ervoor dat deze waarde hoogstens 100 is." in text(response)
        assert ClientSettings.load().default_probability == 50

    def test_live_preview(self, client_for, keyuser):
        client = client_for(keyuser)
        url = reverse("admin:settings_app_clientsettings_preview")
        good = client.get(url, {"price_range_thresholds": "500,1000,5000"}, HTTP_HX_REQUEST="true")
        assert good.status_code == 200
        assert _plain(text(good)) == (
            "Dit geeft de ranges: 0 – 500 · 500 – 1.000 · 1.000 – 5.000 · 5.000 en meer"
        )
        bad = client.get(url, {"price_range_thresholds": "1000,500"})
        assert "zet de drempels van laag naar hoog" in text(bad)
        assert "<html" not in text(bad)
        page = text(client.get(reverse(CHANGE, args=[1])))
        assert f'hx-get="{url}"' in page and 'hx-target="#price-range-preview"' in page


def _plain(fragment: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


class TestNewThresholdsRenewTheStatistics:
    def test_changing_the_thresholds_on_the_screen_replaces_the_statistics(
        self, client_for, keyuser, am, django_capture_on_commit_callbacks
    ):
        order = TrajectType.objects.get(name="Order")
        TrajectFactory(accountmanagers=[am], type=order, value=Decimal("700"))
        old = statistics_regenerate()
        assert {r.price_range for r in old.rows.all()} == {1}  # 500–1000
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(keyuser).post(
                reverse(CHANGE, args=[1]), client_settings_data(price_range_thresholds="100,200")
            )
        assert response.status_code == 302
        assert len(callbacks) == 1  # one regeneration queued, on commit
        assert not StatisticsSet.objects.filter(pk=old.pk).exists()
        assert not PriceRangeStatistic.objects.filter(statistics_set=old.pk).exists()
        new = StatisticsSet.objects.get()
        assert new.thresholds == "100,200"
        assert {(r.price_range, r.closed, r.won) for r in new.rows.filter(accountmanager=None)} == {
            (2, 1, 1)
        }  # 700 is now in "200 en meer"
        messages = text(client_for(keyuser).get(reverse(CHANGE, args=[1])))
        assert "Laatst" not in messages  # settings_app knows nothing of the statistics

    def test_statistics_go_at_once_and_the_regeneration_waits_for_the_commit(
        self, client_for, keyuser, am, django_capture_on_commit_callbacks
    ):
        TrajectFactory(accountmanagers=[am], type=TrajectType.objects.get(name="Order"))
        statistics_regenerate()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client_for(keyuser).post(
                reverse(CHANGE, args=[1]), client_settings_data(price_range_thresholds="100")
            )
            assert StatisticsSet.objects.count() == 0
        assert len(callbacks) == 1
        assert StatisticsSet.objects.count() == 0  # not run: the task waits for the commit

    def test_saving_without_changing_the_thresholds_keeps_the_statistics(
        self, client_for, keyuser, am, django_capture_on_commit_callbacks
    ):
        TrajectFactory(accountmanagers=[am], type=TrajectType.objects.get(name="Order"))
        kept = statistics_regenerate()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            client_for(keyuser).post(
                reverse(CHANGE, args=[1]), client_settings_data(default_probability="40")
            )
        assert callbacks == []
        assert StatisticsSet.objects.get().pk == kept.pk


class TestTrajectTypes:
    def change(self, client, traject_type, **changes):
        data = {
            "name": traject_type.name,
            "outcome": traject_type.outcome,
            "order": traject_type.order,
            "_save": "Bewaren",
        }
        if traject_type.is_default:
            data["is_default"] = "on"
        if traject_type.active:
            data["active"] = "on"
        data.update(changes)
        data = {k: v for k, v in data.items() if v is not None}
        url = reverse("admin:settings_app_trajecttype_change", args=[traject_type.pk])
        return client.post(url, data)

    def test_the_default_cannot_be_switched_off(self, client_for, keyuser):
        prospect = TrajectType.objects.get(is_default=True)
        response = self.change(client_for(keyuser), prospect, is_default=None)
        assert response.status_code == 200
        assert "Er moet precies één standaardtype zijn" in text(response)
        assert TrajectType.objects.get(is_default=True) == prospect

    def test_a_new_default_takes_over(self, client_for, keyuser):
        response = client_for(keyuser).post(
            reverse("admin:settings_app_trajecttype_add"),
            {"name": "Offerte", "outcome": "open", "is_default": "on", "order": 4, "active": "on"},
        )
        assert response.status_code == 302
        assert list(TrajectType.objects.filter(is_default=True).values_list("name", flat=True)) == [
            "Offerte"
        ]

    def test_a_won_or_inactive_type_cannot_be_the_default(self, client_for, keyuser):
        order = TrajectType.objects.get(name="Order")
        response = self.change(client_for(keyuser), order, is_default="on")
        assert "moet de uitkomst Open hebben" in text(response)
        prospect = TrajectType.objects.get(name="Prospect")
        response = self.change(client_for(keyuser), prospect, active=None)
        assert "Het standaardtype kan niet worden gedeactiveerd" in text(response)
        assert TrajectType.objects.get(is_default=True) == prospect and prospect.active


class TestColours:
    @pytest.mark.parametrize("colour", ["#12345g", "red", "#fff", "123456"])
    def test_a_colour_must_be_hex(self, client_for, keyuser, colour):
        nb = BusinessType.objects.get(code="NB")
        response = client_for(keyuser).post(
            reverse("admin:settings_app_businesstype_change", args=[nb.pk]),
            {"name": nb.name, "code": nb.code, "colour": colour, "order": 0, "active": "on"},
        )
        assert response.status_code == 200
        assert f"{colour} is geen geldige kleur" in text(response)
        nb.refresh_from_db()
        assert nb.colour == "#2563eb"

    def test_the_colour_picker(self, client_for, keyuser):
        nb = BusinessType.objects.get(code="NB")
        client = client_for(keyuser)
        page = text(client.get(reverse("admin:settings_app_businesstype_change", args=[nb.pk])))
        assert 'type="color"' in page
        response = client.post(
            reverse("admin:settings_app_businesstype_change", args=[nb.pk]),
            {"name": nb.name, "code": nb.code, "colour": "#AABBCC", "order": 0, "active": "on"},
        )
        assert response.status_code == 302
        nb.refresh_from_db()
        assert nb.colour == "#aabbcc"


class TestEntriesInUse:
    @pytest.fixture
    def used(self, am):
        source = Source.objects.get(name="Google")
        stage = Stage.objects.get(name="Voorstel")
        traject = TrajectFactory(accountmanagers=[am], source=source, stage=stage)
        return {"source": source, "stage": stage, "traject": traject}

    def test_delete_of_an_entry_in_use_is_refused_and_the_screen_says_why(
        self, client_for, keyuser, used
    ):
        client = client_for(keyuser)
        source = used["source"]
        url = reverse("admin:settings_app_source_delete", args=[source.pk])
        for response in (
            client.get(url, follow=True),
            client.post(url, {"post": "yes"}, follow=True),
        ):
            page = text(response)
            assert response.redirect_chain[-1][0] == reverse(
                "admin:settings_app_source_change", args=[source.pk]
            )
            assert "Google is in gebruik (1 trajecten)" in page
            assert "alleen gedeactiveerd" in page
        assert Source.objects.filter(pk=source.pk).exists()

    def test_the_change_page_explains_and_offers_no_delete(self, client_for, keyuser, used):
        page = text(
            client_for(keyuser).get(
                reverse("admin:settings_app_stage_change", args=[used["stage"].pk])
            )
        )
        assert "Voorstel is in gebruik (1 trajecten)" in page
        assert reverse("admin:settings_app_stage_delete", args=[used["stage"].pk]) not in page

    def test_a_business_type_a_stage_uses_is_in_use(self, client_for, keyuser):
        eb = BusinessType.objects.get(code="EB")
        page = text(
            client_for(keyuser).get(reverse("admin:settings_app_businesstype_change", args=[eb.pk]))
        )
        assert "is in gebruik (6 stages)" in page

    def test_an_unused_entry_is_deleted(self, client_for, keyuser, used):
        linkedin = Source.objects.get(name="LinkedIn")
        response = client_for(keyuser).post(
            reverse("admin:settings_app_source_delete", args=[linkedin.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Source.objects.filter(pk=linkedin.pk).exists()

    def test_bulk_delete_keeps_entries_in_use_and_says_why(self, client_for, keyuser, used):
        linkedin = Source.objects.get(name="LinkedIn")
        response = client_for(keyuser).post(
            reverse("admin:settings_app_source_changelist"),
            {
                "action": "delete_unused_selected",
                "_selected_action": [used["source"].pk, linkedin.pk],
            },
            follow=True,
        )
        page = text(response)
        assert "Google is in gebruik (1 trajecten)" in page
        assert "1 item(s) verwijderd." in page
        assert Source.objects.filter(pk=used["source"].pk).exists()
        assert not Source.objects.filter(pk=linkedin.pk).exists()
        assert "delete_selected" not in text(
            client_for(keyuser).get(reverse("admin:settings_app_source_changelist"))
        )

    def test_deactivating_an_entry_in_use(self, client_for, keyuser, used):
        client_for(keyuser).post(
            reverse("admin:settings_app_source_changelist"),
            {"action": "deactivate_selected", "_selected_action": [used["source"].pk]},
        )
        used["source"].refresh_from_db()
        assert used["source"].active is False
        assert used["traject"].source_id == used["source"].pk

    def test_the_default_type_stays_active_and_undeleted(self, client_for, keyuser):
        prospect = TrajectType.objects.get(is_default=True)
        client = client_for(keyuser)
        client.post(
            reverse("admin:settings_app_trajecttype_changelist"),
            {"action": "deactivate_selected", "_selected_action": [prospect.pk]},
        )
        response = client.post(
            reverse("admin:settings_app_trajecttype_delete", args=[prospect.pk]),
            {"post": "yes"},
            follow=True,
        )
        assert "Prospect is het standaardtype" in text(response)
        prospect.refresh_from_db()
        assert prospect.active

    def test_payment_term_list(self, client_for, keyuser):
        page = text(client_for(keyuser).get(reverse("admin:settings_app_paymentterm_changelist")))
        assert "30 dagen" in page
        assert PaymentTerm.objects.count() == 1


class TestUserSettings:
    def test_keyuser_gives_a_user_the_accountmanager_setting(self, client_for, keyuser):
        user = UserFactory(username="nieuw")
        response = client_for(keyuser).post(
            reverse("admin:settings_app_usersettings_add"),
            {"user": user.pk, "is_accountmanager": "on", "_save": "Bewaren"},
        )
        assert response.status_code == 302
        assert roles_of(user).accountmanager and not roles_of(user).beheerder

    def test_labels_carry_the_codes(self, client_for, keyuser, am):
        page = text(
            client_for(keyuser).get(
                reverse(
                    "admin:settings_app_usersettings_change",
                    args=[UserSettings.objects.get(user=am).pk],
                )
            )
        )
        for label in [
            "Sales Manager – Accountmanager (DB79)",
            "Sales Manager – Beheerder (SE818)",
            "Sales Select (SE3573)",
        ]:
            assert label in page
