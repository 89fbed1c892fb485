import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from settings_app.models import (
    BusinessType,
    ClientSettings,
    PaymentTerm,
    Source,
    Stage,
    TrajectType,
    UserSettings,
    WinLossReason,
)
from settings_app.roles import person_label, person_name

pytestmark = pytest.mark.django_db


def test_defaults_from_the_data_migration():
    types = {t.name: (t.outcome, t.is_default) for t in TrajectType.objects.all()}
    assert types == {
        "Prospect": ("open", True),
        "Order": ("won", False),
        "Lost": ("lost", False),
    }
    assert set(BusinessType.objects.values_list("code", flat=True)) == {"NB", "EB"}
    assert all(b.colour.startswith("#") for b in BusinessType.objects.all())
    settings = ClientSettings.load()
    assert settings.price_range_thresholds == "500,1000,5000"
    assert settings.default_probability == 50
    assert [str(t) for t in settings.thresholds] == ["500", "1000", "5000"]
    assert PaymentTerm.objects.get().name == "30 dagen"
    stages = list(Stage.objects.values_list("name", "outcome_on_entry"))
    assert stages == [
        ("Introductie", ""),
        ("Behoefteanalyse", ""),
        ("Voorstel", ""),
        ("Onderhandeling", ""),
        ("Gewonnen", "won"),
        ("Verloren", "lost"),
    ]
    assert all(s.business_types.count() == 2 for s in Stage.objects.all())
    assert Source.objects.count() == 7
    assert set(WinLossReason.objects.filter(outcome="lost").values_list("reason", flat=True)) == {
        "Te duur",
        "Geen budget",
        "Concurrent gekozen",
        "Geen reactie",
    }


def test_client_settings_is_one_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientSettings.objects.create(pk=2)
    assert ClientSettings.objects.count() == 1


def test_orange_days_must_exceed_red_days_in_the_database():
    settings = ClientSettings.load()
    settings.remaining_days_orange, settings.remaining_days_red = 2, 2
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()
    settings.refresh_from_db()
    assert (settings.remaining_days_orange, settings.remaining_days_red) == (14, 3)


def test_only_one_default_traject_type():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrajectType.objects.create(name="Tweede standaard", outcome="open", is_default=True)


def test_default_probability_above_100_is_refused_by_the_database():
    settings = ClientSettings.load()
    settings.default_probability = 101
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()


class TestRolesOf:
    """roles_of reads the user's roles and the client's settings in one query, once a request."""

    def test_each_role_and_the_client_settings_in_one_query(
        self, am, beheerder, django_assert_num_queries
    ):
        from settings_app.roles import client_settings_of, roles_of

        ClientSettings.objects.filter(pk=1).update(price_range_thresholds="700,7000")
        with django_assert_num_queries(1):
            roles = roles_of(am)
            client = client_settings_of(am)
            assert roles_of(am) is roles
        assert roles.accountmanager and not roles.beheerder and not roles.sales_select
        assert client.price_range_thresholds == "700,7000"
        assert roles_of(beheerder).beheerder and not roles_of(beheerder).accountmanager

    def test_sales_select_of_the_client_or_of_the_user(self, am, other_am):
        from settings_app.roles import roles_of

        UserSettings.objects.filter(user=other_am).update(sales_select_enabled=True)
        assert roles_of(other_am).sales_select and not roles_of(am).sales_select
        ClientSettings.objects.filter(pk=1).update(sales_select_enabled=True)
        fresh = type(am).objects.get(pk=am.pk)  # a new request: nothing cached on the user
        assert roles_of(fresh).sales_select

    def test_a_user_without_settings_and_a_database_without_the_client_row(self, django_user_model):
        from settings_app.roles import client_settings_of, roles_of

        ClientSettings.objects.all().delete()
        plain = django_user_model.objects.create_user("zonder_rol", password="x")
        roles = roles_of(plain)
        assert not (roles.accountmanager or roles.beheerder or roles.sales_select)
        assert client_settings_of(plain).pk == 1 and ClientSettings.objects.count() == 1


class TestPersonName:
    """One rule for a user's name, in Python (person_name) and in SQL (person_label)."""

    @pytest.mark.parametrize(
        "first, last, expected",
        [
            ("Jan", "de Vries", "Jan de Vries"),
            ("Jan", "", "Jan"),
            ("", "de Vries", "de Vries"),
            ("", "", "jdevries"),
            ("  ", "", "jdevries"),
        ],
    )
    def test_full_name_else_login_name_in_python_and_in_the_database(self, first, last, expected):
        user = get_user_model().objects.create(
            username="jdevries", first_name=first, last_name=last
        )
        assert person_name(user) == expected
        labelled = (
            get_user_model().objects.filter(pk=user.pk).values_list(person_label(), flat=True)
        )
        assert labelled.get() == expected

    def test_nobody(self):
        assert person_name(None) == ""
        assert person_name(None, "–") == "–"


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        # Worked out by hand from WCAG 2.1's relative luminance: green-600 gives white 3.3:1
        # and #111827 5.4:1; the default blue gives white 4.8:1 and #111827 3.7:1.
        ("#16a34a", "#111827"),
        ("#1f77b4", "#fff"),
        ("#2563eb", "#fff"),
        ("#ffffff", "#111827"),
        ("#000000", "#fff"),
        ("not a colour", "#fff"),
    ],
)
def test_a_business_badge_gets_the_text_colour_that_reads(colour, text):
    assert BusinessType(colour=colour).text_colour == text
