"""Days in stage (issue 13): `Traject.stage_changed_at`, backfilled for the rows before it.

The backfill takes, per traject, the latest stage change in its dossier; else the moment it
was converted; else its lead date (midnight). It works in batches of ids, each batch its own
transaction, so 1,000,000 trajects never sit in one transaction; running it again gives the
same result. The column is added nullable, filled, then made NOT NULL with its defaults.
"""

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models, transaction
from django.db.models import CharField, DateTimeField, F, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

BATCH = 10_000


def _midnight(schema_editor_vendor: str):
    """The lead date as a moment (midnight UTC, the same calendar day in the agency)."""
    if schema_editor_vendor == "postgresql":
        return Cast(F("lead_date"), DateTimeField())
    # SQLite keeps moments as text; CAST would make the date a number.
    return Concat(F("lead_date"), Value(" 00:00:00"), output_field=CharField())


def backfill(apps, schema_editor, batch_size: int = BATCH) -> int:
    """Set every traject's stage_changed_at from its history; returns the rows written."""
    from django.db import connection

    Traject = apps.get_model("trajects", "Traject")
    DossierEntry = apps.get_model("trajects", "DossierEntry")
    vendor = schema_editor.connection.vendor if schema_editor else connection.vendor
    latest_change = (
        DossierEntry.objects.filter(traject_id=OuterRef("pk"), kind="stage")
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    moment = Coalesce(
        Subquery(latest_change, output_field=DateTimeField()),
        F("converted_at"),
        _midnight(vendor),
        output_field=DateTimeField(),
    )
    bounds = Traject.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return 0
    done = 0
    for start in range(bounds["first"], bounds["last"] + 1, batch_size):
        with transaction.atomic():
            done += Traject.objects.filter(pk__gte=start, pk__lt=start + batch_size).update(
                stage_changed_at=moment
            )
    return done


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own

    dependencies = [
        ("trajects", "0013_export_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="traject",
            name="stage_changed_at",
            field=models.DateTimeField(
                null=True, editable=False, verbose_name="stage gewijzigd op"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="traject",
            name="stage_changed_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="stage gewijzigd op",
            ),
        ),
    ]
