import pytest
from django.db import IntegrityError, transaction

from settings_app.models import (
    BusinessType,
    ClientSettings,
    PaymentTerm,
    Source,
    Stage,
    TrajectType,
    WinLossReason,
)

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
