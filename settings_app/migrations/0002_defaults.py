"""The defaults every client starts with (manuals: GE78, GE65, SE1894, GE366)."""
from django.db import migrations

TYPES = [("Prospect", "open", True), ("Order", "won", False), ("Lost", "lost", False)]
BUSINESS_TYPES = [("New business", "NB", "#2563eb"), ("Existing business", "EB", "#16a34a")]
STAGES = [
    ("Introductie", ""),
    ("Behoefteanalyse", ""),
    ("Voorstel", ""),
    ("Onderhandeling", ""),
    ("Gewonnen", "won"),
    ("Verloren", "lost"),
]
SOURCES = ["Website", "Telefoon", "E-mail", "LinkedIn", "HubSpot", "Google", "Netwerk"]
REASONS = [
    ("Prijs/kwaliteit", "won"),
    ("Relatie", "won"),
    ("Te duur", "lost"),
    ("Geen budget", "lost"),
    ("Concurrent gekozen", "lost"),
    ("Geen reactie", "lost"),
]


def create_defaults(apps, schema_editor):
    get = apps.get_model
    get("settings_app", "ClientSettings").objects.get_or_create(pk=1)
    for order, (name, outcome, is_default) in enumerate(TYPES):
        get("settings_app", "TrajectType").objects.get_or_create(
            name=name, defaults={"outcome": outcome, "is_default": is_default, "order": order}
        )
    business_types = [
        get("settings_app", "BusinessType").objects.get_or_create(
            name=name, defaults={"code": code, "colour": colour, "order": order}
        )[0]
        for order, (name, code, colour) in enumerate(BUSINESS_TYPES)
    ]
    Stage = get("settings_app", "Stage")
    for order, (name, outcome) in enumerate(STAGES):
        stage, _ = Stage.objects.get_or_create(
            name=name, defaults={"outcome_on_entry": outcome, "order": order}
        )
        stage.business_types.add(*business_types)
    for order, name in enumerate(SOURCES):
        get("settings_app", "Source").objects.get_or_create(name=name, defaults={"order": order})
    for order, (reason, outcome) in enumerate(REASONS):
        get("settings_app", "WinLossReason").objects.get_or_create(
            reason=reason, outcome=outcome, defaults={"order": order}
        )
    get("settings_app", "PaymentTerm").objects.get_or_create(
        name="30 dagen", defaults={"days": 30}
    )


class Migration(migrations.Migration):
    dependencies = [("settings_app", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
